// A bot's webhook endpoint for local use: records what the inbox sends back and verifies each
// signature. Used by the end-to-end tests and by `npm run simulate`.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

export function verifySignature(secret, headers, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
    .digest();
  return String(headers["webhook-signature"] ?? "")
    .split(" ")
    .some((part) => {
      const [version, sig] = part.split(",");
      const given = Buffer.from(sig ?? "", "base64");
      return (
        version === "v1" && given.length === expected.length && timingSafeEqual(given, expected)
      );
    });
}

/**
 * Starts a receiver on 127.0.0.1 (a free port unless given). POST anything to record it;
 * GET /received lists what arrived. Resolves to { url, received, close }.
 */
/**
 * @param {{ secret?: string, port?: number, onEvent?: (entry: { id: unknown, verified: boolean | null, event: any }) => void }} [options]
 * @returns {Promise<{ url: string, received: { id: unknown, verified: boolean | null, event: any }[], close: () => Promise<void> }>}
 */
export function startWebhookReceiver({ secret, port = 0, onEvent } = {}) {
  const received = [];
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/received") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ received }));
    }
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      let event = null;
      try {
        event = JSON.parse(body);
      } catch {
        // recorded as unparsable
      }
      const entry = {
        id: req.headers["webhook-id"],
        verified: secret ? verifySignature(secret, req.headers, body) : null,
        event,
      };
      received.push(entry);
      onEvent?.(entry);
      res.writeHead(200).end("ok");
    });
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        received,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
