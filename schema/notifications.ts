// GET /api/admin/notifications: the emails the tenant's object sent (or failed to send) on its
// own, newest first. Each is one attempt to one recipient; a failed one is not sent again.
export const NOTIFICATION_KINDS = ["reminder_email"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Notification {
  id: string;
  kind: NotificationKind;
  handoff_id: string;
  /** The recipient's address. */
  to: string;
  subject: string;
  status: "sent" | "failed";
  /** Why it failed, for people (null when sent). */
  error: string | null;
  at: string;
}
