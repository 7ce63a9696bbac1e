// widget.js: the website widget as one self-contained, minified script (an IIFE, no imports),
// written next to the inbox's pages (web/build) so the Worker serves it at /widget.js.
// Run after the inbox's own build, which empties web/build first (`npm run build:web`).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // Nothing to copy: the inbox's static files are not the widget's.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("../web/build", import.meta.url)),
    emptyOutDir: false,
    target: "es2020",
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: fileURLToPath(new URL("src/main.ts", import.meta.url)),
      formats: ["iife"],
      name: "HandoffWidget",
      fileName: () => "widget.js",
    },
  },
});
