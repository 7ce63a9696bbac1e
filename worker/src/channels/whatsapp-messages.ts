// The text a WhatsApp Cloud API message stands for: its text, the title of the button or list row
// the contact tapped, or a placeholder naming what was sent (a photo, a voice message, a
// location…) with the caption. Only the fields we read are validated.
import { z } from "zod";
import { locationText, placeholder, reactionText, unsupportedText } from "./inbound";
import { whatsAppError } from "./whatsapp-errors";

const optionalText = z.string().optional();
const caption = z.object({ caption: optionalText });
const degrees = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d{1,3}(\.\d+)?$/)
    .transform(Number),
]);

export const whatsAppMessage = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.union([z.string(), z.int()]),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  image: caption.optional(),
  video: caption.optional(),
  audio: z.object({ voice: z.boolean().optional() }).optional(),
  document: z.object({ caption: optionalText, filename: optionalText }).optional(),
  sticker: z.object({ animated: z.boolean().optional() }).optional(),
  location: z
    .object({ latitude: degrees, longitude: degrees, name: optionalText, address: optionalText })
    .optional(),
  contacts: z
    .array(
      z.object({
        name: z.object({ formatted_name: optionalText }).optional(),
        phones: z.array(z.object({ phone: optionalText })).optional(),
      }),
    )
    .optional(),
  reaction: z.object({ emoji: optionalText }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ title: z.string() }).optional(),
      list_reply: z.object({ title: z.string() }).optional(),
    })
    .optional(),
  button: z.object({ text: z.string() }).optional(),
  order: z.object({ product_items: z.array(z.unknown()).optional() }).optional(),
  system: z.object({ body: optionalText }).optional(),
  unsupported: z.object({ type: optionalText }).optional(),
  errors: z.array(whatsAppError).optional(),
});
export type WhatsAppMessage = z.infer<typeof whatsAppMessage>;

type Content = { text: string } | { ignored: string };

const text = (value: string): Content => ({ text: value });

function sharedContacts(message: WhatsAppMessage): Content {
  const cards = (message.contacts ?? []).map((card) =>
    [card.name?.formatted_name, ...(card.phones ?? []).map((p) => p.phone)]
      .map((part) => part?.trim())
      .filter(Boolean)
      .join(" "),
  );
  const named = cards.filter(Boolean);
  return text(placeholder(named.length ? `contact ${named.join("; ")}` : "contact"));
}

function interactiveReply(message: WhatsAppMessage): Content {
  const reply = message.interactive;
  if (reply?.button_reply) return text(reply.button_reply.title);
  if (reply?.list_reply) return text(reply.list_reply.title);
  // A WhatsApp Flow's answer (nfm_reply) is structured data, not something to read out.
  if (reply?.type === "nfm_reply") return text(placeholder("form reply"));
  return text(unsupportedText(`interactive ${reply?.type ?? "reply"}`));
}

/** What the message carries, as text; or why it is not something the contact said. */
export function whatsAppMessageText(message: WhatsAppMessage): Content {
  switch (message.type) {
    case "text":
      return message.text ? text(message.text.body) : { ignored: "text message without text" };
    case "image":
      return text(placeholder("photo", message.image?.caption));
    case "video":
      return text(placeholder("video", message.video?.caption));
    case "audio":
      return text(placeholder(message.audio?.voice ? "voice message" : "audio"));
    case "document": {
      const name = message.document?.filename?.trim();
      return text(placeholder(name ? `document ${name}` : "document", message.document?.caption));
    }
    case "sticker":
      return text(placeholder(message.sticker?.animated ? "animated sticker" : "sticker"));
    case "location": {
      const place = message.location;
      if (!place) return { ignored: "location message without a location" };
      return text(locationText(place.latitude, place.longitude, place.name, place.address));
    }
    case "contacts":
      return sharedContacts(message);
    case "reaction": {
      // A removed reaction arrives as a reaction without an emoji.
      const emoji = message.reaction?.emoji?.trim();
      return emoji ? text(reactionText(emoji)) : { ignored: "reaction removed" };
    }
    case "interactive":
      return interactiveReply(message);
    case "button":
      return message.button ? text(message.button.text) : text(unsupportedText("button"));
    case "order": {
      const items = message.order?.product_items?.length ?? 0;
      return text(placeholder(`order: ${items} ${items === 1 ? "item" : "items"}`));
    }
    case "system":
      return { ignored: `WhatsApp system notice: ${message.system?.body ?? "no details"}` };
    case "request_welcome":
      return { ignored: "the contact opened the chat for the first time (welcome request)" };
    case "unsupported":
    case "unknown": {
      const kind = message.unsupported?.type?.trim() || message.errors?.[0]?.title?.trim();
      return text(unsupportedText(kind || message.type));
    }
    default:
      return text(unsupportedText(message.type));
  }
}
