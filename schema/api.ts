// Request validators for every HTTP and WebSocket edge. One library (zod) everywhere.
import { z } from "zod";
import { LIMITS, MAX_WAIT_MINUTES } from "./limits";
import { metadataInput } from "./metadata";
import {
  AGENT_STATUSES,
  CHANNELS,
  HANDOFF_STATUSES,
  HISTORY_SENDERS,
  OUTCOMES,
  PRIORITIES,
  ROLES,
} from "./vocabulary";
import { cursorParam } from "./paging";

export type Json = string | number | boolean | null | object;
export type JsonObject = { [key: string]: Json };

const id = z.string().trim().min(1).max(LIMITS.idLength);
const optionalText = (max: number) => z.string().max(max).nullish();
export const messageText = z
  .string()
  .min(1)
  .max(LIMITS.messageText)
  .refine((s) => s.trim().length > 0, "must not be blank");
const isoTime = z.iso.datetime({ offset: true });

export const contactInput = z.strictObject({
  id,
  name: optionalText(LIMITS.nameLength),
  phone: optionalText(64),
  email: optionalText(320),
});

export const historyItem = z.strictObject({
  id: id.optional(),
  from: z.enum(HISTORY_SENDERS),
  text: messageText,
  at: isoTime.optional(),
});

export const escalateInput = z.strictObject({
  conversation_id: id,
  channel: z.enum(CHANNELS).default("other"),
  /** Required, except for a channel conversation (`<channel id>:<chat id>`): the Worker knows it. */
  contact: contactInput.optional(),
  reason: optionalText(LIMITS.reasonLength),
  summary: optionalText(LIMITS.summaryLength),
  // Unique after trimming: a repeat is dropped silently, the first one seen keeps its place.
  tags: z
    .array(z.string().trim().min(1).max(LIMITS.tagLength))
    .max(LIMITS.tags)
    .default([])
    .transform((tags) => [...new Set(tags)]),
  priority: z.enum(PRIORITIES).default("normal"),
  history: z.array(historyItem).max(LIMITS.historyItems).default([]),
  max_wait_seconds: z
    .int()
    .min(LIMITS.maxWaitSeconds.min)
    .max(LIMITS.maxWaitSeconds.max)
    .optional(),
  metadata: metadataInput.default({}),
  /** A team's name (any case): the handoff is for that team. */
  team: z.string().trim().min(1).max(LIMITS.nameLength).optional(),
});
export type EscalateInput = z.infer<typeof escalateInput>;
/** An escalation as the tenant object takes it: metadata already serialized (it is stored as text). */
export type EscalateRecord = Omit<EscalateInput, "metadata"> & { metadata: string };

export const contactMessageInput = z.strictObject({
  conversation_id: id,
  id,
  text: messageText,
  at: isoTime.optional(),
});
export type ContactMessageInput = z.infer<typeof contactMessageInput>;

/** Several contact messages in one request, of any of the bot's conversations, applied in order. */
export const contactMessageBatchInput = z.strictObject({
  messages: z.array(contactMessageInput).min(1).max(LIMITS.batchMessages),
});
/** A body with `messages` is a batch; the single form never has that field. */
export const isContactMessageBatch = (body: unknown): boolean =>
  typeof body === "object" &&
  body !== null &&
  !Array.isArray(body) &&
  Object.hasOwn(body, "messages");

/** `POST /api/v1/conversations/{id}/messages`: the bot answers a channel conversation. */
export const conversationMessageInput = z.strictObject({ text: messageText });

/** `PUT /api/me/status`: the agent's own availability switch. */
export const agentStatusInput = z.strictObject({ status: z.enum(AGENT_STATUSES) });

export const loginInput = z.strictObject({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

/** A sender-chosen id that makes a reply safe to send again (the same reply is stored once). */
export const clientId = z.string().min(1).max(100);
export const replyInput = z.strictObject({ text: messageText, client_id: clientId.optional() });
export const resolveInput = z.strictObject({
  outcome: z.enum(OUTCOMES),
  note: z.string().max(LIMITS.noteLength).optional(),
});
export type ResolveInput = z.infer<typeof resolveInput>;
export const assignInput = z.strictObject({ agent_id: id });

const statusList = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum([...HANDOFF_STATUSES, "all"])).min(1));
export const listQuery = z.strictObject({
  status: statusList.optional(),
  assignee: z.enum(["me", "unassigned", "any"]).default("any"),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
  cursor: cursorParam.optional(),
  team: id.optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

export const contactHandoffsQuery = z.strictObject({
  contact_id: id,
  bot_id: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// Admin endpoints.
const password = z.string().min(10).max(1024);
const capacity = z.int().min(1).max(100);
const teamIds = z
  .array(id)
  .max(LIMITS.teamsPerAgent)
  .transform((ids) => [...new Set(ids)]);
const teamName = z.string().trim().min(1).max(LIMITS.nameLength);
const memberIds = z
  .array(id)
  .max(LIMITS.teamMembers)
  .transform((ids) => [...new Set(ids)]);
export const createTeamInput = z.strictObject({
  name: teamName,
  member_ids: memberIds.default([]),
});
export const updateTeamInput = z
  .strictObject({ name: teamName.optional(), member_ids: memberIds.optional() })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export const createAgentInput = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(LIMITS.nameLength),
  role: z.enum(ROLES).default("agent"),
  password,
  capacity: capacity.default(3),
  team_ids: teamIds.optional(),
});
export const updateAgentInput = z
  .strictObject({
    name: z.string().trim().min(1).max(LIMITS.nameLength).optional(),
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
    password: password.optional(),
    capacity: capacity.optional(),
    team_ids: teamIds.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

// Webhooks carry conversations and are signed with the bot's secret: https only, except plain
// http to this machine for local development.
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const webhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((value) => {
    // An unparseable value already has its issue from z.url().
    const url = URL.parse(value);
    return url === null || url.protocol === "https:" || LOCAL_HOSTS.has(url.hostname);
  }, "must be an https:// URL (plain http:// only to localhost, 127.0.0.1 or [::1])")
  .nullable();
const template = z.string().trim().min(1).max(1000);
export const botSettingsInput = z.strictObject({
  name: z.string().trim().min(1).max(LIMITS.nameLength).optional(),
  webhook_url: webhookUrl.optional(),
  handoff_message: template.optional(),
  accept_message: template.optional(),
  resolve_message: template.optional(),
  expiry_message: template.optional(),
  max_wait_minutes: z.union(MAX_WAIT_MINUTES.map((m) => z.literal(m))).optional(),
  reminder_delay_seconds: z.int().min(30).max(86_400).optional(),
});
export type BotSettingsInput = z.infer<typeof botSettingsInput>;
export const createBotInput = botSettingsInput.extend({
  name: z.string().trim().min(1).max(LIMITS.nameLength),
});
export const createApiKeyInput = z.strictObject({
  bot_id: id,
  name: z.string().trim().min(1).max(LIMITS.nameLength).default("API key"),
});
