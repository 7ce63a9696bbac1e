import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

const api = process.env.API_ORIGIN ?? "http://localhost:8787";

export default defineConfig({
  plugins: [
    sveltekit({
      // A static single-page app, served by the Worker's static assets on the API's own origin.
      adapter: adapter({ pages: "build", assets: "build", fallback: "index.html" }),
    }),
  ],
  // `npm run dev:web`: hot reload for the inbox, with the API and WebSocket proxied to wrangler dev.
  server: { proxy: { "/api": { target: api, ws: true } } },
});
