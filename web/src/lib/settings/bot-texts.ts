// The bots' settings page: its texts with what each placeholder becomes, the max wait choices,
// and the form's values as the API takes them.
import { MAX_WAIT_MINUTES } from "#schema/limits";
import { fillTemplate } from "#schema/templates";
import type { AdminBot, BotPatch } from "../api/admin-bots";

export type BotTextField =
  "handoff_message" | "accept_message" | "resolve_message" | "expiry_message";

export interface BotText {
  field: BotTextField;
  label: string;
  help: string;
  /** Whether an agent is known when it is sent ({agent_name} is left empty otherwise). */
  namesAgent: boolean;
}

export const BOT_TEXTS: readonly BotText[] = [
  {
    field: "handoff_message",
    label: "Handoff message",
    help: "Shown to the contact when the conversation is handed to the team. Nobody has taken it yet: {agent_name} stays empty.",
    namesAgent: false,
  },
  {
    field: "accept_message",
    label: "Accept message",
    help: "Sent when an agent claims the conversation.",
    namesAgent: true,
  },
  {
    field: "resolve_message",
    label: "Resolve message",
    help: "Sent when the agent resolves the conversation and the assistant takes over again.",
    namesAgent: true,
  },
  {
    field: "expiry_message",
    label: "Expiry message",
    help: "Sent when nobody claimed the conversation within the max wait. {agent_name} stays empty.",
    namesAgent: false,
  },
];

/** What the contact would read, with the given names in the placeholders (plain text). */
export function preview(
  text: BotText,
  template: string,
  names: { agent: string; org: string },
): string {
  return fillTemplate(
    template,
    text.namesAgent ? { agent_name: names.agent, org_name: names.org } : { org_name: names.org },
  );
}

/** The max wait choices: the API's, and a stored value outside them kept as one more. */
export function maxWaitOptions(stored: number): number[] {
  const choices: number[] = [...MAX_WAIT_MINUTES];
  return choices.includes(stored) ? choices : [...choices, stored].sort((a, b) => a - b);
}

/** The form's values: the webhook URL as typed ("" for none). */
export type BotDraft = Omit<AdminBot, "id" | "version" | "webhook_url"> & { webhook_url: string };

export function toDraft(bot: AdminBot): BotDraft {
  const { id: _id, version: _version, webhook_url, ...rest } = bot;
  return { ...rest, webhook_url: webhook_url ?? "" };
}

/** The changed fields as the API takes them: an empty webhook URL removes it. */
export function toPatch(changes: Partial<BotDraft>): BotPatch {
  const { webhook_url, ...rest } = changes;
  if (webhook_url === undefined) return rest;
  return { ...rest, webhook_url: webhook_url.trim() === "" ? null : webhook_url.trim() };
}
