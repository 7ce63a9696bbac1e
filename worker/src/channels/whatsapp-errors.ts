// WhatsApp's error codes in words an agent can act on. The same codes arrive in two places: the
// `errors` of a failed status webhook and the `error` of a refused send.
import { z } from "zod";

const code = z.union([
  z.int(),
  z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number),
]);

/** An entry of a status's (or a message's) `errors` array. */
export const whatsAppError = z.object({
  code: code.optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});

/** The `error` object of a Graph API answer. */
export const graphError = z.object({
  code: code.optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});

export interface WhatsAppErrorFacts {
  code?: number | undefined;
  title?: string | undefined;
  details?: string | undefined;
}

const CUSTOMER_SERVICE_WINDOW_CLOSED =
  "More than 24 hours have passed since the contact last wrote, so WhatsApp's 24-hour " +
  "customer-service window has closed: only an approved template message can reach them " +
  "until they write again.";

const RATE_LIMITED =
  "WhatsApp is limiting how fast this business number may send; the message is sent again later.";

const BAD_TOKEN =
  "WhatsApp refused the channel's access token or its permissions: an admin needs to replace it.";

const IN_WORDS: Record<number, string> = {
  // 131047 is Cloud API's code for the closed window; 470 is the same rule's older code.
  131047: CUSTOMER_SERVICE_WINDOW_CLOSED,
  470: CUSTOMER_SERVICE_WINDOW_CLOSED,
  131026:
    "WhatsApp could not deliver the message to this number: it may not be on WhatsApp, or the " +
    "contact's app is out of date or has not accepted WhatsApp's current terms.",
  131050: "The contact has chosen to stop receiving marketing messages from this business.",
  131049:
    "WhatsApp held this message back to limit how many business messages the contact gets; " +
    "it may reach them once they write again.",
  131030: "This number is not on the WhatsApp app's list of allowed test recipients.",
  131021: "The message was addressed to the business's own number.",
  131051: "WhatsApp does not support this kind of message.",
  131052: "The contact's attachment could not be downloaded from WhatsApp.",
  131053: "The attachment could not be uploaded to WhatsApp.",
  131048:
    "WhatsApp has restricted how many messages this business number may send because earlier " +
    "messages were blocked or reported as spam.",
  131031: "WhatsApp has locked the business account (policy or verification problem).",
  368: "WhatsApp has temporarily blocked the business number for policy violations.",
  131042: "WhatsApp refused the message because of a payment problem on the business account.",
  131000: "WhatsApp had an unexpected problem sending the message.",
  130429: RATE_LIMITED,
  131056:
    "Too many messages were sent to this contact in a short time; the message is sent again later.",
  80007: RATE_LIMITED,
  4: RATE_LIMITED,
  0: BAD_TOKEN,
  10: BAD_TOKEN,
  190: BAD_TOKEN,
  200: BAD_TOKEN,
  131005: BAD_TOKEN,
};

/** Codes that say "not now" rather than "not ever": the send is tried again. */
export const TEMPORARY_WHATSAPP_CODES: ReadonlySet<number> = new Set([
  1, 2, 4, 80007, 130429, 131000, 131056,
]);

/** One sentence (or two) for the agent, with WhatsApp's own words and code kept for support. */
export function whatsAppErrorInWords({ code, title, details }: WhatsAppErrorFacts): string {
  const known = code === undefined ? undefined : IN_WORDS[code];
  const theirWords = [title, details]
    .map((part) => part?.trim().replace(/\.$/, ""))
    .filter((part, i, all): part is string => !!part && all.indexOf(part) === i)
    .join(": ");
  const suffix = code === undefined ? "" : ` (WhatsApp error ${code})`;
  if (known) return `${known}${suffix}`;
  if (theirWords) return `WhatsApp could not deliver the message: ${theirWords}${suffix}.`;
  return `WhatsApp could not deliver the message${suffix}.`;
}
