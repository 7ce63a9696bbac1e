// The provider half of `npm run standin`: an HTTP server on 127.0.0.1 that answers the calls the
// Worker makes to Telegram's Bot API (sendMessage, setWebhook) and WhatsApp's Cloud API
// (/{phone_number_id}/messages) with the providers' own answer shapes, and builds what those
// providers deliver to the Worker (Telegram Updates; WhatsApp deliveries, signed). The same
// server takes the demo bot's webhooks on /hook (see standin.mjs).
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";

/** Credentials the stand-in makes up for its channel; only it and the Worker know them. */
export function madeUpCredentials(type) {
  const hex = (n) => randomBytes(n).toString("hex");
  if (type === "telegram")
    return { bot_token: `${7_000_000_000 + randomBytes(3).readUIntBE(0, 3)}:standin-${hex(16)}` };
  return {
    phone_number_id: `1${String(randomBytes(4).readUInt32BE()).padStart(10, "0")}`,
    access_token: `EAAstandin${hex(24)}`,
    app_secret: hex(16),
    verify_token: `standin-verify-${hex(8)}`,
  };
}

/** `sha256=<hex HMAC-SHA256(app secret, raw body)>`, as Meta signs its webhook deliveries. */
export const signWhatsApp = (body, appSecret) =>
  `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;

const seconds = () => Math.floor(Date.now() / 1000);
let updateId = Math.floor(Date.now() / 1000) % 1_000_000;
let telegramMessageId = 0;
let wamidCount = 0;

/** A Telegram Update carrying a text the contact wrote in their private chat with the bot. */
export function telegramUpdate(contact, text) {
  const [first, ...rest] = contact.name.split(" ");
  const person = { first_name: first, ...(rest.length ? { last_name: rest.join(" ") } : {}) };
  return {
    update_id: ++updateId,
    message: {
      message_id: ++telegramMessageId,
      date: seconds(),
      chat: { id: contact.chatId, type: "private", ...person },
      from: { id: contact.chatId, is_bot: false, ...person, language_code: "en" },
      text,
    },
  };
}

/** A WhatsApp webhook delivery for the channel's number, wrapping `value`. */
function whatsAppDelivery(phoneNumberId, value) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** A delivery carrying a text the contact wrote. */
export function whatsAppText(phoneNumberId, contact, text) {
  return whatsAppDelivery(phoneNumberId, {
    contacts: [{ profile: { name: contact.name }, wa_id: contact.waId }],
    messages: [
      {
        from: contact.waId,
        id: `wamid.standin.in.${Date.now().toString(36)}.${++wamidCount}`,
        timestamp: String(seconds()),
        type: "text",
        text: { body: text },
      },
    ],
  });
}

/** A delivery saying what became of one of the business's messages (sent, delivered, read). */
export function whatsAppStatus(phoneNumberId, wamid, status, recipient) {
  return whatsAppDelivery(phoneNumberId, {
    statuses: [
      {
        id: wamid,
        status,
        timestamp: String(seconds()),
        recipient_id: recipient,
        ...(status === "read"
          ? {}
          : {
              conversation: { id: "standin-conversation", origin: { type: "service" } },
              pricing: { billable: false, pricing_model: "PMP", category: "service" },
            }),
      },
    ],
  });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

const parse = (body) => {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
};

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * Starts the stand-in server. `credentials` are the channel's (made up above); the handlers get
 * what the Worker sent: `onText({ to, text, id })` for each text to the contact,
 * `onSetWebhook({ url, secret_token })` for Telegram's setWebhook, `onSent({ id, to })` once a
 * WhatsApp answer has gone back (to report statuses), `onHook(headers, body)` for the bot's
 * webhooks, `onStray(method, url)` for anything else.
 */
export function startProviderServer({ type, port, credentials, handlers }) {
  let sent = 0;
  const telegram = (req, res, body) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    if (!match) return false;
    if (match[1] !== credentials.bot_token)
      return (reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" }), true);
    const call = parse(body) ?? {};
    if (match[2] === "setWebhook") {
      handlers.onSetWebhook(call);
      reply(res, 200, { ok: true, result: true, description: "Webhook was set" });
    } else if (match[2] === "sendMessage" && typeof call.text === "string") {
      const id = ++sent;
      const chatId = Number(call.chat_id);
      handlers.onText({ to: String(call.chat_id), text: call.text, id });
      reply(res, 200, {
        ok: true,
        result: {
          message_id: id,
          from: {
            id: Number(credentials.bot_token.split(":")[0]),
            is_bot: true,
            first_name: "Bot",
          },
          chat: { id: chatId, type: "private" },
          date: seconds(),
          text: call.text,
        },
      });
    } else {
      reply(res, 400, { ok: false, error_code: 400, description: "Bad Request: not understood" });
    }
    return true;
  };
  const whatsApp = (req, res, body) => {
    const match = /^(?:\/v[\d.]+)?\/(\d+)\/messages$/.exec(req.url ?? "");
    if (!match || req.method !== "POST") return false;
    if (
      match[1] !== credentials.phone_number_id ||
      req.headers.authorization !== `Bearer ${credentials.access_token}`
    ) {
      const error = { message: "Invalid OAuth access token.", type: "OAuthException", code: 190 };
      return (reply(res, 401, { error }), true);
    }
    const call = parse(body) ?? {};
    if (call.messaging_product !== "whatsapp" || typeof call.text?.body !== "string") {
      const error = { message: "(#100) Invalid parameter", type: "OAuthException", code: 100 };
      return (reply(res, 400, { error }), true);
    }
    const id = `wamid.standin.out.${Date.now().toString(36)}.${++sent}`;
    handlers.onText({ to: String(call.to), text: call.text.body, id });
    res.on("finish", () => handlers.onSent({ id, to: String(call.to) }));
    reply(res, 200, {
      messaging_product: "whatsapp",
      contacts: [{ input: call.to, wa_id: call.to }],
      messages: [{ id }],
    });
    return true;
  };

  const server = createServer(async (req, res) => {
    const body = await readBody(req).catch(() => "");
    if (req.method === "POST" && req.url === "/hook") {
      const ok = handlers.onHook(req.headers, body);
      return void res.writeHead(ok ? 200 : 401).end(ok ? "ok" : "bad signature");
    }
    const handled =
      req.method === "POST" && (type === "telegram" ? telegram : whatsApp)(req, res, body);
    if (handled) return;
    handlers.onStray(req.method, req.url);
    reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
