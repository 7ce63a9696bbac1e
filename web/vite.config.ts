import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

const api = process.env.API_ORIGIN ?? "http://localhost:8787";

export default defineConfig({
  plugins: [
    sveltekit({
      // A static single-page app, served by the Worker's static assets on the API's own origin.
      adapter: adapter({ pages: "build", assets: "build", fallback: "index.html" }),
      // The pages' Content-Security-Policy, as a <meta> tag carrying the hash of SvelteKit's
      // inline start-up script; framing is refused by the header in static/_headers.
      csp: {
        mode: "hash",
        directives: {
          "default-src": ["self"],
          "script-src": ["self"],
          // Style attributes (Svelte's style: directives, app.html) and Vite's dev-time <style> tags.
          "style-src": ["self", "unsafe-inline"],
          "connect-src": ["self"],
          "object-src": ["none"],
          "base-uri": ["none"],
          "form-action": ["self"],
        },
      },
    }),
  ],
  // `npm run dev:web`: hot reload for the inbox, with the API and WebSocket proxied to wrangler dev.
  server: { proxy: { "/api": { target: api, ws: true } } },
});
