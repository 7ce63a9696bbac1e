// GET /api/admin/sync-failures: rows the tenant's object could not write to D1 and set aside
// after repeated refusals (they stay in the object; nothing acknowledged is lost).
export const SYNC_KINDS = ["handoff", "message", "audit"] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

export interface SyncFailure {
  kind: SyncKind;
  /** The handoff, message or audit event id. */
  id: string;
  attempts: number;
  last_error: string;
  /** When it was set aside. */
  at: string;
}
