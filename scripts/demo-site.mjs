// A small page on another origin that embeds the website widget, as a customer's site would:
// `npm run dev` serves it for the demo's web channel, and the browser test for its own channel.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { DEMO_SITE_PORT, DEMO_WEB_CHANNEL } from "./seed.mjs";

const page = readFileSync(new URL("./demo-site/index.html", import.meta.url), "utf8");

/**
 * Serves the demo page at `/` (the widget loaded from `appUrl` for `channelId`) on
 * `host:port`. Resolves to its address and a `close()`.
 * @param {{ appUrl: string, channelId?: string, port?: number, host?: string }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startDemoSite({
  appUrl,
  channelId = DEMO_WEB_CHANNEL.id,
  port = DEMO_SITE_PORT,
  host = "localhost",
}) {
  const html = page.replaceAll("{{APP_URL}}", appUrl).replaceAll("{{CHANNEL_ID}}", channelId);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method !== "GET" || (path !== "/" && path !== "/index.html")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(html);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      resolve({
        url: `http://${host}:${actual}`,
        close: () => new Promise((done) => server.close(() => done(undefined))),
      });
    });
  });
}
