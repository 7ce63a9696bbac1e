// Reminder emails through the send_email binding. The reminder's own step only queues one job
// (synchronous, in its transaction); the alarm starts the sending in the background, as it does
// webhooks, so a slow mail service never holds the next expiry. One attempt per recipient per
// reminder, each written to the notifications log: a failure is recorded, never retried.
import { z } from "zod";
import type { Notification } from "../../../schema/notifications";
import { reminderRecipients, type Recipient } from "../db/recipients";
import { newId } from "../ids";
import type { TenantCore } from "./core";
import type { HandoffRow } from "./records";
import { reminderText } from "./reminder-text";

/** What sending needs from the Worker's environment. */
export interface MailSettings {
  /** The send_email binding; absent when the deployment has none configured. */
  binding: SendEmail | undefined;
  from: string;
  /** Where the inbox is served, for the link to the handoff. */
  appOrigin: string;
}

export interface MailHost {
  readonly core: TenantCore;
  readonly db: D1Database;
  readonly mail: MailSettings;
  schedule(): Promise<void>;
}

const DEFAULT_ORIGIN = "http://localhost:8787";
const DEFAULT_FROM = "inbox@localhost";
/** The log keeps the newest this many rows, none older than this. */
const KEEP_ROWS = 1_000;
const KEEP_MS = 30 * 86_400_000;
/** A job whose recipients D1 could not list for this long is dropped (and logged), not retried on. */
const GIVE_UP_MS = 3_600_000;
const INTERRUPTED = "The object restarted before the mail service answered; not sent again.";

interface JobRow extends Record<string, SqlStorageValue> {
  id: string;
  handoff_id: string;
  contact: string;
  waiting_seconds: number;
  created_at: number;
}

interface NotificationRow extends Record<string, SqlStorageValue> {
  id: string;
  kind: "reminder_email";
  handoff_id: string;
  recipient: string;
  subject: string;
  status: "sent" | "failed";
  error: string | null;
  at: number;
}

export function mailSettings(env: {
  SEND_EMAIL?: SendEmail;
  PUBLIC_URL?: string;
  EMAIL_FROM?: string;
}): MailSettings {
  const origin = z.url({ protocol: /^https?$/ }).safeParse(env.PUBLIC_URL);
  return {
    binding: env.SEND_EMAIL,
    from: env.EMAIL_FROM || DEFAULT_FROM,
    appOrigin: (origin.success ? origin.data : DEFAULT_ORIGIN).replace(/\/+$/, ""),
  };
}

/** Called from the reminder's step: queues its emails when the tenant wants them. */
export function queueReminderEmails(
  core: TenantCore,
  row: HandoffRow,
  waitingSeconds: number,
  now: number,
): void {
  if (!core.settings.settings.email_reminders) return;
  const id = newId("rem");
  core.sql.insert("reminder_emails", {
    id,
    handoff_id: row.id,
    contact: row.contact_name ?? row.contact_id,
    waiting_seconds: waitingSeconds,
    created_at: now,
  });
  core.timers.set("email", id, now);
}

/** Jobs being sent by this instance: a timer pulled forward meanwhile does not start them twice. */
const sending = new Set<string>();

/** Alarm work: sends the due jobs' emails, then re-arms the alarm. */
export async function sendReminderEmails(host: MailHost, ids: string[]): Promise<void> {
  const mine = ids.filter((id) => !sending.has(id));
  for (const id of mine) sending.add(id);
  try {
    await Promise.all(mine.map((id) => sendJob(host, id)));
  } finally {
    for (const id of mine) sending.delete(id);
    await host.schedule();
  }
}

async function sendJob(host: MailHost, id: string): Promise<void> {
  const { core } = host;
  const job = core.sql.first<JobRow>(`SELECT * FROM reminder_emails WHERE id = ?`, id);
  const tenant = core.tenant();
  if (!job || !tenant) return finish(core, id);
  if (Date.now() - job.created_at > GIVE_UP_MS) {
    console.error(
      `Tenant ${tenant.id}: reminder emails for ${job.handoff_id} dropped; their recipients could not be read for an hour`,
    );
    return finish(core, id);
  }
  // A team's handoff is for its members only.
  const teamId =
    core.sql.first<{
      team_id: string | null;
    }>`SELECT team_id FROM handoffs WHERE id = ${job.handoff_id}`?.team_id ?? null;
  const recipients = await reminderRecipients(host.db, tenant.id, teamId);
  // A row still pending was being sent when the object went away: whether it left is unknown.
  core.sql.run(
    `UPDATE notifications SET status = 'failed', error = ?, at = ? WHERE job_id = ? AND status = 'pending'`,
    INTERRUPTED,
    Date.now(),
    id,
  );
  const { subject, text } = reminderText({
    contact: job.contact,
    waitingSeconds: job.waiting_seconds,
    link: `${host.mail.appOrigin}/handoffs/${encodeURIComponent(job.handoff_id)}`,
    orgName: tenant.name,
  });
  const fresh = recipients.flatMap((to) => claimAttempt(core, job, to, subject) ?? []);
  await Promise.all(
    fresh.map(async ({ row, to }) =>
      settle(core, row, await attempt(host.mail, to, subject, text)),
    ),
  );
  finish(core, id);
}

/** One log row per recipient and reminder (the unique index makes a second attempt impossible). */
function claimAttempt(
  core: TenantCore,
  job: JobRow,
  to: Recipient,
  subject: string,
): { row: string; to: Recipient } | undefined {
  const row = newId("ntf");
  const written = core.sql.insert(
    "notifications",
    {
      id: row,
      kind: "reminder_email",
      job_id: job.id,
      handoff_id: job.handoff_id,
      recipient: to.email,
      subject,
      status: "pending",
      at: Date.now(),
    },
    "ON CONFLICT (job_id, recipient) DO NOTHING",
  );
  return written > 0 ? { row, to } : undefined;
}

type Attempt = { ok: true; messageId: string } | { ok: false; error: string };

async function attempt(
  mail: MailSettings,
  to: Recipient,
  subject: string,
  text: string,
): Promise<Attempt> {
  if (!mail.binding)
    return { ok: false, error: "No send_email binding (SEND_EMAIL) is configured." };
  try {
    const sent = await mail.binding.send({
      from: mail.from,
      to: { name: to.name, email: to.email },
      subject,
      text,
    });
    return { ok: true, messageId: sent.messageId };
  } catch (error) {
    return {
      ok: false,
      error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
    };
  }
}

function settle(core: TenantCore, row: string, result: Attempt): void {
  core.sql.run(
    `UPDATE notifications SET status = ?, error = ?, message_id = ?, at = ? WHERE id = ?`,
    result.ok ? "sent" : "failed",
    result.ok ? null : result.error,
    result.ok ? result.messageId : null,
    Date.now(),
    row,
  );
}

/** The job is done: it leaves, and so do log rows past the bounds. */
function finish(core: TenantCore, id: string): void {
  core.sql.run(`DELETE FROM reminder_emails WHERE id = ?`, id);
  core.timers.clear("email", id);
  core.sql.run(
    `DELETE FROM notifications WHERE status != 'pending' AND (at < ? OR id NOT IN (SELECT id FROM notifications ORDER BY at DESC LIMIT ?))`,
    Date.now() - KEEP_MS,
    KEEP_ROWS,
  );
}

/** The log, newest first. */
export function notifications(core: TenantCore): Notification[] {
  return core.sql
    .all<NotificationRow>(
      `SELECT id, kind, handoff_id, recipient, subject, status, error, at FROM notifications
       WHERE status != 'pending' ORDER BY at DESC, rowid DESC LIMIT ?`,
      KEEP_ROWS,
    )
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      handoff_id: r.handoff_id,
      to: r.recipient,
      subject: r.subject,
      status: r.status,
      error: r.error,
      at: new Date(r.at).toISOString(),
    }));
}
