// The handoff state machine: queued → active → resolved | expired, release back to queued,
// admin assign. Each step is read-check-write in synchronous SQL: no await, so the object's
// input gate makes it race-free and exactly one claimer wins.
import type { ContactMessageInput, EscalateRecord, ResolveInput } from "../../../schema/api";
import type { HandoffChange } from "../../../schema/realtime";
import type { Handoff, HandoffWithMetadata, Message, Person } from "../../../schema/shapes";
import { newId } from "../ids";
import { noteAssigned } from "./availability";
import { conversationChannel } from "./channel-copy";
import { withChannelDetails } from "./channel-inbound";
import type { TenantCore } from "./core";
import {
  toHandoff,
  toHandoffWithMetadata,
  toMessage,
  type HandoffRow,
  type MessageRow,
} from "./records";
import { withQueuePlace } from "./queue";
import { contactWaiting, startReplyClock, stopReplyClock } from "./reassign";
import { queueReminderEmails } from "./reminder-emails";
import { fillTemplate } from "../../../schema/templates";
import { fail, ok, type Actor, type BotSettings, type Result } from "./types";

const person = (actor: Actor): Person => ({ id: actor.id, name: actor.name });

export interface EscalateResult {
  handoff: HandoffWithMetadata;
  created: boolean;
  handoff_message: string;
}

export function escalate(
  core: TenantCore,
  bot: BotSettings,
  given: EscalateRecord,
  now: number,
): Result<EscalateResult> {
  const channel = conversationChannel(core, given.conversation_id);
  const input = channel ? withChannelDetails(core, channel, given) : given;
  const contact = input.contact;
  if (!contact)
    return fail({
      code: "invalid_request",
      message: "An escalation needs its contact.",
      issues: [{ path: "contact", message: "required" }],
    });
  // Resolved from the object's copy of the teams: no D1 read while the contact waits.
  const team = input.team === undefined ? null : core.routing.teamByName(input.team);
  if (input.team !== undefined && !team) {
    return fail({
      code: "invalid_request",
      message: "No team has that name.",
      issues: [{ path: "team", message: "no team has that name" }],
    });
  }
  const handoffMessage = fillTemplate(bot.handoff_message, { org_name: core.orgName() });
  const open = core.sql.first<HandoffRow>(
    `SELECT * FROM handoffs WHERE bot_id = ? AND conversation_id = ? AND status IN ('queued', 'active')`,
    bot.id,
    input.conversation_id,
  );
  if (open)
    return ok({
      handoff: toHandoffWithMetadata(open),
      created: false,
      handoff_message: handoffMessage,
    });

  const id = newId("ho");
  const maxWaitMs = (input.max_wait_seconds ?? bot.max_wait_minutes * 60) * 1000;
  const expiresAt = now + maxWaitMs;
  core.sql.insert("handoffs", {
    id,
    bot_id: bot.id,
    conversation_id: input.conversation_id,
    status: "queued",
    channel: input.channel,
    contact_id: contact.id,
    contact_name: contact.name ?? null,
    contact_phone: contact.phone ?? null,
    contact_email: contact.email ?? null,
    reason: input.reason ?? null,
    summary: input.summary ?? null,
    tags: JSON.stringify(input.tags),
    priority: input.priority,
    metadata: input.metadata,
    team_id: team?.id ?? null,
    team_name: team?.name ?? null,
    channel_id: channel?.id ?? null,
    max_wait_ms: maxWaitMs,
    created_at: now,
    expires_at: expiresAt,
    updated_at: now,
  });
  // History without times keeps its order just before the escalation.
  input.history.forEach((item, index) => {
    const at = item.at ? Date.parse(item.at) : now - (input.history.length - index);
    core.addMessage(id, { from: item.from, text: item.text, at, externalId: item.id ?? null }, now);
  });
  core.addMessage(id, { from: "system", text: handoffMessage, at: now }, now);
  core.audit(
    id,
    "escalated",
    null,
    {
      reason: input.reason ?? null,
      priority: input.priority,
      channel: input.channel,
      ...(team ? { team } : {}),
    },
    now,
  );
  core.mirror.mark("handoff", id, now);
  core.counters.escalated(now);
  core.armWaitTimers(id, bot, expiresAt, now);
  core.due.route = true; // a new handoff waits: auto-routing may give it out at once
  const row = core.handoffRow(id)!;
  core.emit(
    { type: "handoff.created", data: { handoff: withQueuePlace(core, toHandoff(row), now) } },
    now,
  );
  return ok({
    handoff: toHandoffWithMetadata(row),
    created: true,
    handoff_message: handoffMessage,
  });
}

export type ContactMessageResult =
  { route: "bot" } | { route: "agent"; handoff_id: string; message: Message };

export function contactMessage(
  core: TenantCore,
  botId: string,
  input: ContactMessageInput,
  now: number,
): ContactMessageResult {
  const seen = core.sql.first<{
    route: string;
    handoff_id: string | null;
    message_id: string | null;
  }>(
    `SELECT route, handoff_id, message_id FROM inbound WHERE bot_id = ? AND external_id = ?`,
    botId,
    input.id,
  );
  if (seen) {
    const message = seen.message_id ? core.message(seen.message_id) : undefined;
    return seen.route === "agent" && seen.handoff_id && message
      ? { route: "agent", handoff_id: seen.handoff_id, message }
      : { route: "bot" };
  }
  const open = core.sql.first<{ id: string; status: string }>(
    `SELECT id, status FROM handoffs WHERE bot_id = ? AND conversation_id = ? AND status IN ('queued', 'active')`,
    botId,
    input.conversation_id,
  );
  if (!open) {
    core.sql.run(
      `INSERT INTO inbound (bot_id, external_id, route, at) VALUES (?, ?, 'bot', ?)`,
      botId,
      input.id,
      now,
    );
    return { route: "bot" };
  }
  const at = input.at ? Date.parse(input.at) : now;
  const row = core.addMessage(
    open.id,
    { from: "contact", text: input.text, at, externalId: input.id },
    now,
  );
  core.sql.run(
    `INSERT INTO inbound (bot_id, external_id, route, handoff_id, message_id, at) VALUES (?, ?, 'agent', ?, ?, ?)`,
    botId,
    input.id,
    open.id,
    row.id,
    now,
  );
  if (open.status === "active") contactWaiting(core, open.id, now);
  const message = toMessage(row);
  core.emit({ type: "message.created", data: { message, handoff: core.handoff(open.id)! } }, now);
  return { route: "agent", handoff_id: open.id, message };
}

/**
 * A batch of contact messages, each answered as if sent alone, in order and in one synchronous
 * step: nothing else runs in between. An id repeated inside the batch is a resend.
 */
export function contactMessages(
  core: TenantCore,
  botId: string,
  inputs: ContactMessageInput[],
  now: number,
): ContactMessageResult[] {
  return inputs.map((input) => contactMessage(core, botId, input, now));
}

/** Finds a handoff the actor may act on, or the documented error. */
const viewersCannot = () =>
  fail({ code: "forbidden", message: "Viewers can read conversations but not act on them." });

function target(core: TenantCore, actor: Actor, id: string): Result<HandoffRow> {
  if (actor.role === "viewer") return viewersCannot();
  const row = core.handoffRow(id);
  if (!row) return fail({ code: "not_found", message: "No such handoff." });
  return ok(row);
}

const invalidState = (row: Pick<HandoffRow, "status">, action: string) =>
  fail({
    code: "invalid_state",
    message: `Cannot ${action} a handoff that is ${row.status}.`,
    status: row.status,
  });

type ClaimState = Pick<HandoffRow, "status" | "assignee_id" | "assignee_name">;

/** Why a claim of a handoff in this state fails; null when it may go ahead or is already theirs. */
function refusedClaim(row: ClaimState, actor: Actor): Result<never> | null {
  if (row.status === "active") {
    if (row.assignee_id === actor.id) return null;
    const assignee = { id: row.assignee_id ?? "", name: row.assignee_name ?? "" };
    return fail({
      code: "already_claimed",
      message: `Already claimed by ${assignee.name}.`,
      assignee,
    });
  }
  return row.status === "queued" ? null : invalidState(row, "claim");
}

/**
 * Why a claim cannot go ahead, read from three columns: of a race's 20 claims, 19 are answered
 * this way without a transaction (nothing to write). Null when it may go ahead (or is already
 * the actor's own, which `claim` answers with the handoff).
 */
export function claimRefusal(core: TenantCore, actor: Actor, id: string): Result<never> | null {
  if (actor.role === "viewer") return viewersCannot();
  const row = core.sql.first<ClaimState>(
    `SELECT status, assignee_id, assignee_name FROM handoffs WHERE id = ?`,
    id,
  );
  if (!row) return fail({ code: "not_found", message: "No such handoff." });
  return refusedClaim(row, actor);
}

export function claim(
  core: TenantCore,
  actor: Actor,
  id: string,
  now: number,
): Result<{ handoff: Handoff }> {
  const found = target(core, actor, id);
  if (!found.ok) return found;
  const row = found.value;
  const refused = refusedClaim(row, actor);
  if (refused) return refused;
  if (row.status === "active") return ok({ handoff: toHandoff(row) });
  return ok({ handoff: takeOver(core, row, person(actor), person(actor), "claimed", now) });
}

/**
 * Moves a handoff to an agent: timers stop, the reply clock starts, the contact is greeted,
 * agents and the bot are told. `by` null is auto-routing.
 */
export function takeOver(
  core: TenantCore,
  row: HandoffRow,
  agent: Person,
  by: Person | null,
  change: "claimed" | "assigned",
  now: number,
): Handoff {
  const wasQueued = row.status === "queued";
  core.clearWaitTimers(row.id);
  const handoff = core.updateHandoff(
    row.id,
    {
      status: "active",
      assignee_id: agent.id,
      assignee_name: agent.name,
      claimed_at: wasQueued ? now : row.claimed_at,
      passed_over_by: null,
    },
    now,
  );
  noteAssigned(core, agent.id, now);
  startReplyClock(core, row.id, now);
  const data = change === "claimed" ? {} : by ? { agent } : { agent, auto: true };
  core.audit(row.id, change, by, data, now);
  if (wasQueued) {
    const bot = core.bot(row.bot_id);
    if (bot) {
      const text = fillTemplate(bot.accept_message, {
        agent_name: agent.name,
        org_name: core.orgName(),
      });
      core.addMessage(row.id, { from: "system", text, at: now }, now);
      core.outbox.enqueue(
        bot,
        row.id,
        "handoff.claimed",
        { handoff: core.withMetadata(handoff), agent, message: { text } },
        now,
      );
    }
  }
  core.emit({ type: "handoff.updated", data: { handoff, change, actor: by } }, now);
  return handoff;
}

export function reply(
  core: TenantCore,
  actor: Actor,
  id: string,
  text: string,
  now: number,
  clientId?: string,
): Result<{ message: Message }> {
  const found = target(core, actor, id);
  if (!found.ok) return found;
  const row = found.value;
  if (clientId) {
    // Sent again after a lost answer: the first one stands, whatever happened since.
    const sent = core.sql.first<MessageRow>(
      `SELECT * FROM messages WHERE handoff_id = ? AND client_id = ? AND agent_id = ?`,
      id,
      clientId,
      actor.id,
    );
    if (sent) return ok({ message: toMessage(sent) });
  }
  if (row.status === "resolved" || row.status === "expired") return invalidState(row, "reply to");
  if (row.assignee_id !== actor.id)
    return fail({ code: "not_assignee", message: "Claim this conversation to reply." });
  const bot = core.bot(row.bot_id);
  const agent = person(actor);
  // Through a channel, delivery follows the provider, not the bot's webhook.
  const channelled = Boolean(row.channel_id);
  const stored = core.addMessage(
    id,
    {
      from: "agent",
      text,
      at: now,
      agent,
      delivery: bot?.webhook_url ? "pending" : null,
      clientId,
    },
    now,
  );
  stopReplyClock(core, id); // answered
  const message = toMessage(stored);
  const handoff = core.handoff(id)!;
  if (bot)
    core.outbox.enqueue(
      bot,
      id,
      "message.created",
      { handoff: core.withMetadata(handoff), message: { id: message.id, text, agent } },
      now,
      channelled ? null : message.id,
    );
  core.emit({ type: "message.created", data: { message, handoff } }, now);
  return ok({ message });
}

/** Only the assignee, or an admin, may resolve or release an active handoff. */
function holder(core: TenantCore, actor: Actor, id: string, action: string): Result<HandoffRow> {
  const found = target(core, actor, id);
  if (!found.ok) return found;
  const row = found.value;
  if (row.status !== "active") return invalidState(row, action);
  if (row.assignee_id !== actor.id && actor.role !== "admin") {
    return fail({
      code: "not_assignee",
      message: `Only ${row.assignee_name ?? "the assignee"} can ${action} this conversation.`,
    });
  }
  return ok(row);
}

export function resolve(
  core: TenantCore,
  actor: Actor,
  id: string,
  input: ResolveInput,
  now: number,
): Result<{ handoff: Handoff }> {
  const found = holder(core, actor, id, "resolve");
  if (!found.ok) return found;
  const row = found.value;
  const note = input.note?.trim() ? input.note.trim() : null;
  stopReplyClock(core, id);
  const handoff = core.updateHandoff(
    id,
    { status: "resolved", outcome: input.outcome, note, resolved_at: now },
    now,
  );
  // The note is internal: it lives in the audit trail and D1, never in what the bot receives.
  core.audit(id, "resolved", person(actor), { outcome: input.outcome, note }, now);
  const bot = core.bot(row.bot_id);
  if (bot) {
    const text = fillTemplate(bot.resolve_message, {
      agent_name: actor.name,
      org_name: core.orgName(),
    });
    core.addMessage(id, { from: "system", text, at: now }, now);
    core.outbox.enqueue(
      bot,
      id,
      "handoff.resolved",
      { handoff: core.withMetadata(handoff), outcome: input.outcome, message: { text } },
      now,
    );
  }
  core.emit(
    { type: "handoff.updated", data: { handoff, change: "resolved", actor: person(actor) } },
    now,
  );
  return ok({ handoff });
}

export function release(
  core: TenantCore,
  actor: Actor,
  id: string,
  now: number,
): Result<{ handoff: Handoff }> {
  const found = holder(core, actor, id, "release");
  if (!found.ok) return found;
  const row = found.value;
  const handoff = backToQueue(core, row, {
    change: "released",
    actor: person(actor),
    audit: { previous_assignee: { id: row.assignee_id, name: row.assignee_name } },
    // Whoever let it go is not given it straight back by auto-routing.
    passOver: row.assignee_id,
    now,
  });
  return ok({ handoff });
}

/**
 * An active handoff back in the queue (a release, or a timer taking it from a silent or offline
 * assignee). The contact gets a fresh wait, this handoff's own max wait, before expiry.
 */
export function backToQueue(
  core: TenantCore,
  row: HandoffRow,
  how: {
    change: Extract<HandoffChange, "released" | "unassigned">;
    actor: Person | null;
    audit: Record<string, unknown>;
    passOver: string | null;
    now: number;
  },
): Handoff {
  const { now } = how;
  const waitMs = row.max_wait_ms;
  core.updateHandoff(
    row.id,
    {
      status: "queued",
      assignee_id: null,
      assignee_name: null,
      claimed_at: null,
      expires_at: now + waitMs,
      passed_over_by: how.passOver,
    },
    now,
  );
  stopReplyClock(core, row.id);
  const bot = core.bot(row.bot_id);
  if (bot) core.armWaitTimers(row.id, bot, now + waitMs, now);
  else core.timers.set("expire", row.id, now + waitMs);
  core.audit(row.id, how.change, how.actor, how.audit, now);
  const handoff = withQueuePlace(core, core.handoff(row.id)!, now);
  core.emit(
    { type: "handoff.updated", data: { handoff, change: how.change, actor: how.actor } },
    now,
  );
  return handoff;
}

export function assign(
  core: TenantCore,
  actor: Actor,
  id: string,
  agent: Person,
  now: number,
): Result<{ handoff: Handoff }> {
  if (actor.role !== "admin")
    return fail({ code: "forbidden", message: "Only admins can assign conversations." });
  const found = target(core, actor, id);
  if (!found.ok) return found;
  const row = found.value;
  if (row.status !== "queued" && row.status !== "active") return invalidState(row, "assign");
  if (row.assignee_id === agent.id) return ok({ handoff: toHandoff(row) });
  return ok({ handoff: takeOver(core, row, agent, person(actor), "assigned", now) });
}

/** Timer: nobody claimed in time. Does nothing unless the handoff is still waiting. */
export function expire(core: TenantCore, id: string, now: number): void {
  const row = core.handoffRow(id);
  if (!row || row.status !== "queued") return;
  const handoff = core.updateHandoff(id, { status: "expired" }, now);
  core.timers.clear("remind", id);
  core.audit(
    id,
    "expired",
    null,
    { waited_seconds: Math.round((now - row.created_at) / 1000) },
    now,
  );
  const bot = core.bot(row.bot_id);
  if (bot) {
    const text = fillTemplate(bot.expiry_message, { org_name: core.orgName() });
    core.addMessage(id, { from: "system", text, at: now }, now);
    core.outbox.enqueue(
      bot,
      id,
      "handoff.expired",
      { handoff: core.withMetadata(handoff), message: { text } },
      now,
    );
  }
  core.emit({ type: "handoff.updated", data: { handoff, change: "expired", actor: null } }, now);
}

/** Timer: still unclaimed after the bot's reminder delay. Once per wait. */
export function remind(core: TenantCore, id: string, now: number): void {
  const row = core.handoffRow(id);
  if (!row || row.status !== "queued") return;
  const waitingSeconds = Math.round((now - row.created_at) / 1000);
  core.audit(id, "reminded", null, { waiting_seconds: waitingSeconds }, now);
  core.emit(
    {
      type: "handoff.reminder",
      data: { handoff: toHandoff(row), waiting_seconds: waitingSeconds },
    },
    now,
  );
  queueReminderEmails(core, row, waitingSeconds, now);
}
