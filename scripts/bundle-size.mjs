// Reports what the inbox route ships: the JavaScript and CSS a browser loads for "/" (the
// SvelteKit entry, the root and inbox layouts and the inbox page, with their static imports),
// gzipped; the same for the analytics route (and how much of it only that route loads: its
// charts); and the website widget's script against its budget. Run after `npm run build:web`.
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

const entries = Object.keys(manifest).filter(
  (key) => manifest[key].isEntry && /entry\.js$|app\.js$/.test(key),
);

/** The files a route loads: its nodes' chunks and CSS with their static imports. */
function routeFiles(sources) {
  const files = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  [...entries, ...nodesFor(sources)].forEach(visit);
  return files;
}

function gzipped(files) {
  let js = 0;
  let css = 0;
  for (const file of files) {
    const size = gzipSync(readFileSync(join(web, "build", file))).length;
    if (file.endsWith(".css")) css += size;
    else js += size;
  }
  return { js, css };
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const inbox = routeFiles(["+layout.svelte", "(inbox)/+layout.svelte", "(inbox)/+page.svelte"]);
const { js, css } = gzipped(inbox);
console.log(
  `Inbox route ("/"), gzipped: ${kb(js)} JavaScript + ${kb(css)} CSS in ${inbox.size} files`,
);

const analytics = routeFiles([
  "+layout.svelte",
  "(dash)/+layout.ts",
  "(dash)/analytics/+page.svelte",
]);
const whole = gzipped(analytics);
const own = gzipped([...analytics].filter((file) => !inbox.has(file)));
console.log(
  `Analytics route ("/analytics"), gzipped: ${kb(whole.js)} JavaScript + ${kb(whole.css)} CSS in ${analytics.size} files; ${kb(own.js)} JavaScript + ${kb(own.css)} CSS of it not loaded by the inbox route`,
);

// The website widget: one script other sites load (api.md "Website widget": at most 15 KB gzipped).
const WIDGET_BUDGET = 15 * 1024;
const widget = gzipSync(readFileSync(join(web, "build", "widget.js"))).length;
console.log(`Website widget (/widget.js), gzipped: ${kb(widget)} of a ${kb(WIDGET_BUDGET)} budget`);
if (widget > WIDGET_BUDGET) {
  console.error("widget.js is over its budget.");
  process.exitCode = 1;
}
