// The two timers that give a handoff back to the queue without anyone releasing it: the
// no-reply timer (the assignee has not answered the contact for `reply_timeout_minutes`) and
// offline grace (the assignee has had no socket open for `offline_grace_seconds`). Both are
// ordinary timers of the object's alarm; both re-check everything when they fire.
import type { UnassignReason } from "../../../schema/vocabulary";
import type { TenantCore } from "./core";
import { backToQueue } from "./lifecycle";
import type { HandoffRow } from "./records";

/** The assignee owes the contact an answer from now (a claim or an assignment): clock restarts. */
export function startReplyClock(core: TenantCore, handoffId: string, now: number): void {
  const minutes = core.settings.settings.reply_timeout_minutes;
  if (minutes > 0) core.timers.set("noreply", handoffId, now + minutes * 60_000);
  else core.timers.clear("noreply", handoffId);
}

/** The contact wrote to an active handoff: the clock runs from their oldest unanswered message. */
export function contactWaiting(core: TenantCore, handoffId: string, now: number): void {
  const minutes = core.settings.settings.reply_timeout_minutes;
  if (minutes > 0) core.timers.setIfAbsent("noreply", handoffId, now + minutes * 60_000);
}

/** The assignee answered, or the handoff left them: nothing is owed. */
export function stopReplyClock(core: TenantCore, handoffId: string): void {
  core.timers.clear("noreply", handoffId);
}

/** Timer: the assignee stayed silent. Back to the queue, and auto-routing passes them over. */
export function noReply(core: TenantCore, handoffId: string, now: number): void {
  const minutes = core.settings.settings.reply_timeout_minutes;
  const row = core.handoffRow(handoffId);
  if (minutes === 0 || !row || row.status !== "active") return;
  unassign(core, row, "no_reply", minutes * 60, now);
}

/** An agent's last socket closed: their handoffs wait for them for the grace period. */
export function agentWentOffline(core: TenantCore, agentId: string, now: number): void {
  const seconds = core.settings.settings.offline_grace_seconds;
  if (seconds > 0) core.timers.set("offline", agentId, now + seconds * 1000);
  core.due.roster = true;
}

/** Back within the grace period: they keep everything. */
export function agentCameOnline(core: TenantCore, agentId: string): void {
  core.timers.clear("offline", agentId);
  core.due.roster = true;
  core.due.route = true;
}

/** Timer: the grace ended. Unless the agent is back, their active handoffs return to the queue. */
export function offlineGraceEnded(core: TenantCore, agentId: string, now: number): void {
  const seconds = core.settings.settings.offline_grace_seconds;
  if (seconds === 0 || core.presence.agents().some((agent) => agent.id === agentId)) return;
  const held = core.sql.all<HandoffRow>(
    `SELECT * FROM handoffs WHERE status = 'active' AND assignee_id = ? ORDER BY created_at, id`,
    agentId,
  );
  for (const row of held) unassign(core, row, "offline", seconds, now);
}

function unassign(
  core: TenantCore,
  row: HandoffRow,
  reason: UnassignReason,
  afterSeconds: number,
  now: number,
): void {
  const previous = { id: row.assignee_id ?? "", name: row.assignee_name ?? "" };
  backToQueue(core, row, {
    change: "unassigned",
    actor: null,
    audit: { reason, previous_assignee: previous, after_seconds: afterSeconds },
    // Silent with this one: auto-routing gives it to someone else. Offline: they may have it again.
    passOver: reason === "no_reply" ? previous.id : null,
    now,
  });
}
