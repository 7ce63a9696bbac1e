// The tenant object's own SQLite schema: forward-only steps, applied once at start-up.
import type { Sql } from "./sql";

export const STEPS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE bots (id TEXT PRIMARY KEY, settings TEXT NOT NULL, synced_at INTEGER NOT NULL)`,
    `CREATE TABLE handoffs (
      id TEXT PRIMARY KEY, bot_id TEXT NOT NULL, conversation_id TEXT NOT NULL, status TEXT NOT NULL,
      channel TEXT NOT NULL, contact_id TEXT NOT NULL, contact_name TEXT, contact_phone TEXT, contact_email TEXT,
      reason TEXT, summary TEXT, tags TEXT NOT NULL, priority TEXT NOT NULL, metadata TEXT NOT NULL,
      assignee_id TEXT, assignee_name TEXT, outcome TEXT, note TEXT,
      message_count INTEGER NOT NULL DEFAULT 0, last_text TEXT, last_from TEXT, last_at INTEGER,
      created_at INTEGER NOT NULL, claimed_at INTEGER, resolved_at INTEGER, expires_at INTEGER,
      updated_at INTEGER NOT NULL)`,
    // At most one open handoff per bot conversation: the database enforces what escalate checks.
    `CREATE UNIQUE INDEX handoffs_open_conversation ON handoffs (bot_id, conversation_id)
      WHERE status IN ('queued', 'active')`,
    `CREATE INDEX handoffs_status_created ON handoffs (status, created_at)`,
    `CREATE TABLE messages (
      id TEXT PRIMARY KEY, handoff_id TEXT NOT NULL, external_id TEXT, sender TEXT NOT NULL, text TEXT NOT NULL,
      agent_id TEXT, agent_name TEXT, delivery TEXT, at INTEGER NOT NULL)`,
    `CREATE INDEX messages_handoff ON messages (handoff_id, at)`,
    // Contact message ids already answered, with the answer, so a resend gets the same one.
    `CREATE TABLE inbound (bot_id TEXT NOT NULL, external_id TEXT NOT NULL, route TEXT NOT NULL,
      handoff_id TEXT, message_id TEXT, at INTEGER NOT NULL, PRIMARY KEY (bot_id, external_id))`,
    `CREATE TABLE events (id TEXT PRIMARY KEY, handoff_id TEXT NOT NULL, type TEXT NOT NULL,
      actor_id TEXT, actor_name TEXT, data TEXT NOT NULL, at INTEGER NOT NULL)`,
    `CREATE INDEX events_handoff ON events (handoff_id, at)`,
    `CREATE TABLE feed (seq INTEGER PRIMARY KEY, frame TEXT NOT NULL, at INTEGER NOT NULL)`,
    `CREATE TABLE timers (kind TEXT NOT NULL, ref TEXT NOT NULL, due_at INTEGER NOT NULL, PRIMARY KEY (kind, ref))`,
    `CREATE INDEX timers_due ON timers (due_at)`,
    `CREATE TABLE webhooks (id TEXT PRIMARY KEY, bot_id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
      message_id TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
      created_at INTEGER NOT NULL, delivered_at INTEGER)`,
    `CREATE INDEX webhooks_message ON webhooks (message_id)`,
    // Entities changed here but not yet written to D1 (gen guards against a change made mid-flush).
    `CREATE TABLE mirror (kind TEXT NOT NULL, id TEXT NOT NULL, gen INTEGER NOT NULL, PRIMARY KEY (kind, id))`,
  ],
  [
    // A handoff keeps its own max wait (release re-arms with it); webhooks know their conversation
    // so one conversation's go out in order.
    `ALTER TABLE handoffs ADD COLUMN max_wait_ms INTEGER NOT NULL DEFAULT 1800000`,
    `ALTER TABLE webhooks ADD COLUMN handoff_id TEXT NOT NULL DEFAULT ''`,
    `CREATE INDEX webhooks_handoff_pending ON webhooks (handoff_id, status)`,
  ],
  [
    // Webhooks are ordered per bot conversation, across the handoffs it has had.
    `CREATE INDEX handoffs_conversation ON handoffs (bot_id, conversation_id)`,
    `ALTER TABLE bots ADD COLUMN version INTEGER NOT NULL DEFAULT 0`,
    // Replies sent again with the same client id (after a lost answer) are stored once.
    `ALTER TABLE messages ADD COLUMN client_id TEXT`,
    `CREATE UNIQUE INDEX messages_client ON messages (handoff_id, client_id) WHERE client_id IS NOT NULL`,
  ],
  [
    // The object is the authority for its tenant's sessions and API keys (ids are SHA-256 hashes).
    `CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, user TEXT NOT NULL,
      expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
    `CREATE INDEX sessions_user ON sessions (user_id)`,
    `CREATE TABLE api_keys (hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, bot_id TEXT NOT NULL, revoked_at INTEGER)`,
    `CREATE INDEX api_keys_key ON api_keys (key_id)`,
  ],
  [
    // The stats bar as counters (see counters.ts), started from what the object holds now.
    `CREATE TABLE status_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL)`,
    `CREATE TABLE daily_counts (day TEXT PRIMARY KEY, escalated INTEGER NOT NULL DEFAULT 0, resolved INTEGER NOT NULL DEFAULT 0)`,
    `INSERT INTO status_counts (status, n) SELECT status, COUNT(*) FROM handoffs WHERE status IN ('queued', 'active') GROUP BY status`,
    `INSERT INTO daily_counts (day, escalated, resolved)
      SELECT day, SUM(escalated), SUM(resolved) FROM (
        SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, 1 AS escalated, 0 AS resolved FROM handoffs
        UNION ALL
        SELECT strftime('%Y-%m-%d', resolved_at / 1000, 'unixepoch'), 0, 1 FROM handoffs WHERE status = 'resolved' AND resolved_at IS NOT NULL)
      GROUP BY day`,
    // The retention sweep (retention.ts) runs from the alarm, first an hour after this step.
    `INSERT OR IGNORE INTO timers (kind, ref, due_at) VALUES ('retention', '', CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 3600000)`,
  ],
  [
    // A D1 row that keeps failing is retried on its own backoff, then set aside (with its error,
    // for admins) instead of holding back every later row.
    `ALTER TABLE mirror ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0`,
    `ALTER TABLE mirror ADD COLUMN last_error TEXT`,
    `ALTER TABLE mirror ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0`,
    `CREATE TABLE mirror_failures (kind TEXT NOT NULL, id TEXT NOT NULL, attempts INTEGER NOT NULL,
      last_error TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (kind, id))`,
    // A bot that takes a webhook again gets its other pending ones at once.
    `CREATE INDEX webhooks_bot_pending ON webhooks (bot_id, status)`,
  ],
  [
    // A client id is the sending agent's own: another agent on the same handoff may use it too.
    `DROP INDEX messages_client`,
    `CREATE UNIQUE INDEX messages_client ON messages (handoff_id, agent_id, client_id) WHERE client_id IS NOT NULL`,
  ],
  [
    // Housekeeping finds closed handoffs by when they last changed, and old inbound ids by age;
    // a contact's earlier handoffs are read newest first.
    `CREATE INDEX handoffs_closed ON handoffs (status, updated_at)`,
    `CREATE INDEX inbound_at ON inbound (at)`,
    `CREATE INDEX handoffs_contact ON handoffs (contact_id, created_at)`,
  ],
  [
    // One word per concept: the handoffs' audit trail is "audit"; "event" is a realtime frame.
    `ALTER TABLE events RENAME TO audit`,
    `DROP INDEX events_handoff`,
    `CREATE INDEX audit_handoff ON audit (handoff_id, at)`,
    `UPDATE mirror SET kind = 'audit' WHERE kind = 'event'`,
    `UPDATE mirror_failures SET kind = 'audit' WHERE kind = 'event'`,
  ],
  [
    // Reminder emails waiting to go out (one per reminder), and the notifications log: one row per
    // recipient and reminder, kept for admins (bounded, see reminder-emails.ts).
    `CREATE TABLE reminder_emails (id TEXT PRIMARY KEY, handoff_id TEXT NOT NULL, contact TEXT NOT NULL,
      waiting_seconds INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
    `CREATE TABLE notifications (id TEXT PRIMARY KEY, kind TEXT NOT NULL, job_id TEXT NOT NULL, handoff_id TEXT NOT NULL,
      recipient TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL, error TEXT, message_id TEXT, at INTEGER NOT NULL)`,
    `CREATE INDEX notifications_at ON notifications (at)`,
    `CREATE UNIQUE INDEX notifications_job_recipient ON notifications (job_id, recipient)`,
  ],
  [
    // Routing: a handoff may be for a team; the object keeps a copy of the tenant's teams and of
    // each agent's capacity (routing-copy.ts), versioned like the bots' settings. A deleted team
    // stays as a tombstone so an older copy arriving late cannot bring it back.
    `ALTER TABLE handoffs ADD COLUMN team_id TEXT`,
    `ALTER TABLE handoffs ADD COLUMN team_name TEXT`,
    `CREATE INDEX handoffs_team ON handoffs (team_id, created_at)`,
    `CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL, member_ids TEXT NOT NULL,
      version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)`,
    `CREATE INDEX teams_name ON teams (name_key)`,
    `CREATE TABLE agents (id TEXT PRIMARY KEY, capacity INTEGER NOT NULL, version INTEGER NOT NULL)`,
  ],
  [
    // Availability and auto-assignment: each agent's own online/away switch and when they were
    // last given a handoff (ties go to whoever waited longest); the agent a handoff was taken
    // from by a release or the no-reply timer, whom auto-routing passes over for it. Active
    // handoffs are counted per assignee, and the queue is read in its serving order.
    `ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT 'online'`,
    `ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER`,
    `ALTER TABLE handoffs ADD COLUMN passed_over_by TEXT`,
    `CREATE INDEX handoffs_claimed ON handoffs (claimed_at)`,
  ],
  [
    // Channels (the Worker as the gateway): the object's copy of each channel, provider message
    // ids already taken (dedupe), each channel conversation's recent lines (the history a handoff
    // opens with), the outbound sends in order per conversation, and each channel's last trouble.
    `CREATE TABLE channels (id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, bot_id TEXT,
      keywords TEXT NOT NULL, config TEXT NOT NULL, secrets TEXT NOT NULL, version INTEGER NOT NULL,
      deleted INTEGER NOT NULL DEFAULT 0)`,
    `CREATE TABLE channel_inbound (channel_id TEXT NOT NULL, provider_id TEXT NOT NULL, at INTEGER NOT NULL,
      PRIMARY KEY (channel_id, provider_id))`,
    `CREATE INDEX channel_inbound_at ON channel_inbound (at)`,
    `CREATE TABLE conversation_log (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, sender TEXT NOT NULL,
      text TEXT NOT NULL, at INTEGER NOT NULL, contact TEXT)`,
    `CREATE INDEX conversation_log_conversation ON conversation_log (conversation_id, at)`,
    `CREATE INDEX conversation_log_at ON conversation_log (at)`,
    `CREATE TABLE channel_sends (id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
      chat_id TEXT NOT NULL, message_id TEXT, text TEXT NOT NULL, status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, provider_id TEXT, last_error TEXT, created_at INTEGER NOT NULL,
      next_at INTEGER NOT NULL)`,
    `CREATE INDEX channel_sends_conversation ON channel_sends (conversation_id, status, created_at)`,
    `CREATE INDEX channel_sends_provider ON channel_sends (provider_id)`,
    `CREATE TABLE channel_state (channel_id TEXT PRIMARY KEY, last_inbound_at INTEGER, last_error TEXT,
      last_error_at INTEGER)`,
    `ALTER TABLE handoffs ADD COLUMN channel_id TEXT`,
    `ALTER TABLE messages ADD COLUMN delivery_error TEXT`,
  ],
  [
    // The website widget: visitors' tokens (SHA-256 hashes), each bound to one conversation; the
    // numbered frames of each visitor conversation (kept for resume); the queue place a visitor
    // was last told; agents' and system lines join the conversation's lines (with the agent's
    // name), and a handoff keeps the visitor's rating.
    `CREATE TABLE visitors (hash TEXT PRIMARY KEY, visitor_id TEXT NOT NULL, channel_id TEXT NOT NULL,
      conversation_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
    `CREATE INDEX visitors_expires ON visitors (expires_at)`,
    `CREATE TABLE visitor_frames (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, frame TEXT NOT NULL,
      at INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq))`,
    `CREATE INDEX visitor_frames_at ON visitor_frames (at)`,
    `CREATE TABLE visitor_places (handoff_id TEXT PRIMARY KEY, place TEXT NOT NULL)`,
    `ALTER TABLE conversation_log ADD COLUMN agent_name TEXT`,
    `ALTER TABLE handoffs ADD COLUMN rating TEXT`,
  ],
  [
    // Admins see each bot's recent webhooks (webhook-deliveries.ts): the HTTP status of the last
    // attempt, and when one was sent again by hand (its three days to give up start over then).
    `ALTER TABLE webhooks ADD COLUMN last_status_code INTEGER`,
    `ALTER TABLE webhooks ADD COLUMN requeued_at INTEGER`,
    `CREATE INDEX webhooks_bot_created ON webhooks (bot_id, created_at)`,
  ],
];

export function migrate(sql: Sql): void {
  sql.run(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`);
  const current =
    sql.first<{ version: number }>(`SELECT version FROM schema_version`)?.version ?? 0;
  if (current === 0) sql.run(`INSERT INTO schema_version (version) VALUES (0)`);
  for (let v = current; v < STEPS.length; v++) {
    for (const statement of STEPS[v]!) sql.run(statement);
    sql.run(`UPDATE schema_version SET version = ?`, v + 1);
  }
}
