// Provider payloads shaped as the Telegram Bot API and WhatsApp Cloud API documentation shows
// them (every field they send, not only those we read), for the channel adapter tests.

export const TELEGRAM_USER = {
  id: 111222333,
  is_bot: false,
  first_name: "Marta",
  last_name: "Puig",
  username: "martapuig",
  language_code: "ca",
};

export const TELEGRAM_PRIVATE_CHAT = {
  id: 111222333,
  first_name: "Marta",
  last_name: "Puig",
  username: "martapuig",
  type: "private",
};

/** 2025-12-03 08:20:00 UTC, in seconds as Telegram and WhatsApp date things. */
export const SENT_AT = 1764750000;

const file = (id: string) => ({ file_id: `${id}-file`, file_unique_id: `${id}-unique` });

export function telegramUpdate(message: Record<string, unknown>, updateId = 900000001) {
  return {
    update_id: updateId,
    message: {
      message_id: 42,
      from: TELEGRAM_USER,
      chat: TELEGRAM_PRIVATE_CHAT,
      date: SENT_AT,
      ...message,
    },
  };
}

const sagrada = { latitude: 41.403629, longitude: 2.174356 };

/** Message contents of each kind and the text they stand for. */
export const TELEGRAM_KINDS: [string, Record<string, unknown>, string][] = [
  ["text", { text: "Hola, where is my order?" }, "Hola, where is my order?"],
  [
    "photo",
    {
      photo: [
        { ...file("p1"), file_size: 1372, width: 90, height: 67 },
        { ...file("p2"), file_size: 58144, width: 1280, height: 960 },
      ],
      caption: "Here is my receipt",
    },
    "[photo] Here is my receipt",
  ],
  [
    "voice",
    { voice: { ...file("v"), duration: 4, mime_type: "audio/ogg", file_size: 9216 } },
    "[voice message]",
  ],
  [
    "audio",
    {
      audio: {
        ...file("a"),
        duration: 182,
        performer: "Rosalía",
        title: "Despechá",
        file_name: "despecha.mp3",
        mime_type: "audio/mpeg",
      },
    },
    "[audio Rosalía – Despechá]",
  ],
  [
    "video",
    { video: { ...file("vid"), width: 720, height: 1280, duration: 9 }, caption: "it does this" },
    "[video] it does this",
  ],
  ["video note", { video_note: { ...file("vn"), length: 240, duration: 6 } }, "[video message]"],
  [
    "animation",
    {
      animation: { ...file("gif"), width: 320, height: 240, duration: 2, file_name: "dance.mp4" },
      document: { ...file("gif"), file_name: "dance.mp4", mime_type: "video/mp4" },
    },
    "[GIF]",
  ],
  [
    "document",
    {
      document: { ...file("d"), file_name: "invoice.pdf", mime_type: "application/pdf" },
      caption: "the March invoice",
    },
    "[document invoice.pdf] the March invoice",
  ],
  [
    "sticker",
    {
      sticker: {
        ...file("s"),
        width: 512,
        height: 512,
        emoji: "😀",
        set_name: "HotCherry",
        is_animated: false,
        is_video: false,
        type: "regular",
      },
    },
    "[sticker 😀]",
  ],
  ["location", { location: sagrada }, "[location 41.40363, 2.17436]"],
  [
    "venue",
    {
      location: sagrada,
      venue: { location: sagrada, title: "Sagrada Família", address: "Carrer de Mallorca, 401" },
    },
    "[location 41.40363, 2.17436] Sagrada Família, Carrer de Mallorca, 401",
  ],
  [
    "contact",
    { contact: { phone_number: "+34600111222", first_name: "Jordi", last_name: "Vila" } },
    "[contact Jordi Vila +34600111222]",
  ],
  [
    "poll",
    {
      poll: {
        id: "5123",
        question: "Which size?",
        options: [{ text: "M", voter_count: 0 }],
        total_voter_count: 0,
        is_closed: false,
        is_anonymous: true,
        type: "regular",
        allows_multiple_answers: false,
      },
    },
    "[poll: Which size?]",
  ],
  ["dice", { dice: { emoji: "🎲", value: 4 } }, "[dice 🎲 4]"],
  [
    "a kind we do not know",
    { checklist: { title: "Packing", tasks: [] }, entities: [] },
    "[unsupported message: checklist]",
  ],
];

export const WHATSAPP_FROM = "5511987654321";
export const WAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMEQ5QjMzRTc2RkE0NzQ5QTkA";

export function whatsAppDelivery(value: Record<string, unknown>) {
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
              metadata: { display_phone_number: "15550783881", phone_number_id: "106540352242922" },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

export function whatsAppMessage(type: string, content: Record<string, unknown>, id = WAMID) {
  return whatsAppDelivery({
    contacts: [{ profile: { name: "Ana Souza" }, wa_id: WHATSAPP_FROM }],
    messages: [{ from: WHATSAPP_FROM, id, timestamp: String(SENT_AT), type, ...content }],
  });
}

const media = (mime: string) => ({ mime_type: mime, sha256: "81d3bd8a8db4868c", id: "27548594" });
const context = {
  from: "15550783881",
  id: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=",
};

/** Message types with their content and the text they stand for. */
export const WHATSAPP_KINDS: [string, Record<string, unknown>, string][] = [
  ["text", { text: { body: "Olá! Meu pedido não chegou" } }, "Olá! Meu pedido não chegou"],
  [
    "image",
    { image: { caption: "Here is my receipt", ...media("image/jpeg") } },
    "[photo] Here is my receipt",
  ],
  ["audio", { audio: { ...media("audio/ogg; codecs=opus"), voice: true } }, "[voice message]"],
  ["audio", { audio: { ...media("audio/mpeg"), voice: false } }, "[audio]"],
  ["video", { video: { caption: "see?", ...media("video/mp4") } }, "[video] see?"],
  [
    "document",
    { document: { caption: "March", filename: "invoice.pdf", ...media("application/pdf") } },
    "[document invoice.pdf] March",
  ],
  ["sticker", { sticker: { ...media("image/webp"), animated: false } }, "[sticker]"],
  [
    "location",
    {
      location: {
        latitude: 41.38,
        longitude: 2.17,
        name: "Casa Batlló",
        address: "Passeig de Gràcia, 43",
      },
    },
    "[location 41.38, 2.17] Casa Batlló, Passeig de Gràcia, 43",
  ],
  [
    "contacts",
    {
      contacts: [
        {
          name: { formatted_name: "Jordi Vila", first_name: "Jordi", last_name: "Vila" },
          phones: [{ phone: "+34 600 111 222", wa_id: "34600111222", type: "CELL" }],
        },
      ],
    },
    "[contact Jordi Vila +34 600 111 222]",
  ],
  ["reaction", { reaction: { message_id: context.id, emoji: "👍" } }, "[reacted 👍 to a message]"],
  [
    "interactive",
    {
      context,
      interactive: { type: "button_reply", button_reply: { id: "cancel-button", title: "Cancel" } },
    },
    "Cancel",
  ],
  [
    "interactive",
    {
      context,
      interactive: {
        type: "list_reply",
        list_reply: {
          id: "priority_express",
          title: "Priority Mail Express",
          description: "Next Day to 2 Days",
        },
      },
    },
    "Priority Mail Express",
  ],
  [
    "interactive",
    {
      context,
      interactive: {
        type: "nfm_reply",
        nfm_reply: { name: "flow", body: "Sent", response_json: '{"flow_token":"x"}' },
      },
    },
    "[form reply]",
  ],
  [
    "button",
    { context, button: { payload: "TALK_TO_HUMAN", text: "Talk to a person" } },
    "Talk to a person",
  ],
  [
    "order",
    {
      order: {
        catalog_id: "1234",
        text: "",
        product_items: [
          { product_retailer_id: "sku-1", quantity: 1, item_price: 10, currency: "EUR" },
          { product_retailer_id: "sku-2", quantity: 2, item_price: 5, currency: "EUR" },
        ],
      },
    },
    "[order: 2 items]",
  ],
  [
    "unsupported",
    {
      errors: [
        {
          code: 131051,
          title: "Message type unknown",
          message: "Message type unknown",
          error_data: { details: "Message type is currently not supported." },
        },
      ],
      unsupported: { type: "poll_update" },
    },
    "[unsupported message: poll_update]",
  ],
  ["hologram", { hologram: { id: "1" } }, "[unsupported message: hologram]"],
];

export function whatsAppStatus(status: string, errors?: unknown[]) {
  return whatsAppDelivery({
    statuses: [
      {
        id: WAMID,
        status,
        timestamp: String(SENT_AT),
        recipient_id: WHATSAPP_FROM,
        ...(errors ? { errors } : {}),
        conversation: { id: "a75d17ad06104c51", origin: { type: "service" } },
        pricing: { billable: true, pricing_model: "PMP", category: "service" },
      },
    ],
  });
}
