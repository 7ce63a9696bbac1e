// Reports what the inbox route ships: the JavaScript and CSS a browser loads for "/" (the
// SvelteKit entry, the root and inbox layouts and the inbox page, with their static imports),
// gzipped; and the website widget's script against its budget. Run after `npm run build:web`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "./run.mjs";

const web = join(ROOT, "web");
const manifest = JSON.parse(
  readFileSync(join(web, ".svelte-kit/output/client/.vite/manifest.json"), "utf8"),
);
const generated = join(web, ".svelte-kit/generated/build/client-optimized/nodes");

/** Manifest keys of the route nodes whose components are these source files. */
function nodesFor(sources) {
  return Object.keys(manifest).filter((key) => {
    const match = /generated\/build\/client-optimized\/nodes\/(\d+)\.js$/.exec(key);
    if (!match) return false;
    const text = readFileSync(join(generated, `${match[1]}.js`), "utf8");
    return sources.some((source) => text.includes(`src/routes/${source}"`));
  });
}

const roots = [
  ...Object.keys(manifest).filter(
    (key) => manifest[key].isEntry && /entry\.js$|app\.js$/.test(key),
  ),
  ...nodesFor(["+layout.svelte", "(inbox)/+layout.svelte", "(inbox)/+page.svelte"]),
];
const files = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const dep of chunk.imports ?? []) visit(dep);
};
roots.forEach(visit);

let js = 0;
let css = 0;
for (const file of files) {
  const size = gzipSync(readFileSync(join(web, "build", file))).length;
  if (file.endsWith(".css")) css += size;
  else js += size;
}
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(
  `Inbox route ("/"), gzipped: ${kb(js)} JavaScript + ${kb(css)} CSS in ${files.size} files`,
);

// The website widget: one script other sites load (api.md "Website widget": at most 15 KB gzipped).
const WIDGET_BUDGET = 15 * 1024;
const widget = gzipSync(readFileSync(join(web, "build", "widget.js"))).length;
console.log(`Website widget (/widget.js), gzipped: ${kb(widget)} of a ${kb(WIDGET_BUDGET)} budget`);
if (widget > WIDGET_BUDGET) {
  console.error("widget.js is over its budget.");
  process.exitCode = 1;
}
