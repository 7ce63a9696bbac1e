// How the notifications page shows the reminder emails and the rows D1 kept refusing.
import type { Notification } from "#schema/notifications";
import type { SyncFailure, SyncKind } from "#schema/sync-failures";

export interface NotificationRow {
  id: string;
  at: string;
  to: string;
  subject: string;
  /** The handoff the email was about, in the inbox. */
  href: string;
  handoffId: string;
  status: "Sent" | "Failed";
  failed: boolean;
  /** Why it failed, in the server's words. */
  reason: string | null;
}

export function notificationRow(n: Notification): NotificationRow {
  const failed = n.status === "failed";
  return {
    id: n.id,
    at: n.at,
    to: n.to,
    subject: n.subject,
    href: `/handoffs/${encodeURIComponent(n.handoff_id)}`,
    handoffId: n.handoff_id,
    status: failed ? "Failed" : "Sent",
    failed,
    reason: failed ? (n.error ?? "No reason given.") : null,
  };
}

/** "12 emails, 2 failed" — the count the page's heading line gives. */
export function notificationSummary(notifications: Notification[]): string {
  const total = notifications.length;
  const failed = notifications.filter((n) => n.status === "failed").length;
  const emails = `${total} ${total === 1 ? "email" : "emails"}`;
  return failed === 0 ? emails : `${emails}, ${failed} failed`;
}

const KIND_LABELS: Record<SyncKind, string> = {
  handoff: "Handoff",
  message: "Message",
  audit: "Audit event",
};

/** A set-aside row: what it is, where it leads (handoffs only), and how often it was tried. */
export function syncFailureRow(f: SyncFailure) {
  return {
    key: `${f.kind}:${f.id}`,
    what: `${KIND_LABELS[f.kind]} ${f.id}`,
    href: f.kind === "handoff" ? `/handoffs/${encodeURIComponent(f.id)}` : null,
    attempts: `${f.attempts} ${f.attempts === 1 ? "attempt" : "attempts"}`,
    error: f.last_error,
    at: f.at,
  };
}
