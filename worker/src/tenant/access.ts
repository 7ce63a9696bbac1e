// The tenant object is the authority for its own sessions and API keys: every agent and bot
// request is checked here, in the object's SQLite, with no D1 round trip. Logout, disabling an
// agent and revoking a key change these rows, so they take effect on the very next request.
// A key (or an old session) the object has not seen yet is looked up in D1 once and remembered.
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { tenants } from "../../../schema/tables";
import { ROLES } from "../../../schema/vocabulary";
import type { User } from "../../../schema/shapes";
import type { Credential } from "../auth/credentials";
import { botByKeyHash, findBot } from "../db/bots";
import { legacySession } from "../db/accounts";
import type { Sql } from "./sql";
import type { BotSettings, TenantInfo } from "./types";

export interface SessionInfo {
  user: User;
  tenant: TenantInfo;
  /** The stored session's id (the token's hash) and when it ends. */
  session: { id: string; expires_at: number };
}

const userColumn = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
});

interface SessionRow extends Record<string, SqlStorageValue> {
  id: string;
  user: string;
  expires_at: number;
}

interface KeyRow extends Record<string, SqlStorageValue> {
  key_id: string;
  bot_id: string;
  revoked_at: number | null;
}

export interface BotKey {
  keyId: string;
  botId: string;
}

export class Access {
  constructor(
    private readonly sql: Sql,
    private readonly d1: D1Database,
  ) {}

  // --- sessions ----------------------------------------------------------------------------

  createSession(hash: string, user: User, expiresAt: number, now: number): void {
    this.sql.run(
      `INSERT INTO sessions (id, user_id, user, expires_at, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET user = excluded.user, expires_at = excluded.expires_at`,
      hash,
      user.id,
      JSON.stringify(user),
      expiresAt,
      now,
    );
  }

  /** The live session for a credential, or null (unknown, expired or ended). */
  async session(
    credential: Credential,
    tenant: TenantInfo,
    now: number,
  ): Promise<SessionInfo | null> {
    let row = this.sql.first<SessionRow>(
      `SELECT id, user, expires_at FROM sessions WHERE id = ?`,
      credential.hash,
    );
    if (!row && credential.legacy) {
      const found = await legacySession(this.d1, credential.hash, now);
      if (found && found.tenant.id === credential.tenantId) {
        this.createSession(credential.hash, found.user, found.expiresAt, now);
        row = {
          id: credential.hash,
          user: JSON.stringify(found.user),
          expires_at: found.expiresAt,
        };
      }
    }
    if (!row) return null;
    if (row.expires_at <= now) {
      this.sql.run(`DELETE FROM sessions WHERE id = ?`, row.id);
      return null;
    }
    return {
      user: userColumn.parse(JSON.parse(row.user)),
      tenant,
      session: { id: row.id, expires_at: row.expires_at },
    };
  }

  endSession(hash: string): void {
    this.sql.run(`DELETE FROM sessions WHERE id = ?`, hash);
  }

  endUserSessions(userId: string): void {
    this.sql.run(`DELETE FROM sessions WHERE user_id = ?`, userId);
  }

  /** An agent's new name reaches their open sessions (role changes end them instead). */
  renameUser(userId: string, name: string): void {
    this.sql.run(
      `UPDATE sessions SET user = json_set(user, '$.name', ?) WHERE user_id = ?`,
      name,
      userId,
    );
  }

  sweepSessions(now: number): number {
    return this.sql.run(`DELETE FROM sessions WHERE expires_at <= ?`, now);
  }

  // --- API keys ------------------------------------------------------------------------------

  addKey(hash: string, keyId: string, botId: string): void {
    this.sql.run(
      `INSERT OR IGNORE INTO api_keys (hash, key_id, bot_id, revoked_at) VALUES (?, ?, ?, NULL)`,
      hash,
      keyId,
      botId,
    );
  }

  revokeKey(keyId: string, hash: string | null, botId: string, now: number): void {
    if (hash) this.addKey(hash, keyId, botId);
    this.sql.run(`UPDATE api_keys SET revoked_at = ? WHERE key_id = ?`, now, keyId);
  }

  /** The bot a key speaks for, with its settings stored beside the object's other state. */
  async botKey(credential: Credential, tenantId: string): Promise<BotKey | null> {
    let row = this.sql.first<KeyRow>(
      `SELECT key_id, bot_id, revoked_at FROM api_keys WHERE hash = ?`,
      credential.hash,
    );
    if (!row) {
      const found = await botByKeyHash(this.d1, credential.hash);
      if (!found || found.tenantId !== tenantId) return null;
      this.sql.run(
        `INSERT OR IGNORE INTO api_keys (hash, key_id, bot_id, revoked_at) VALUES (?, ?, ?, ?)`,
        credential.hash,
        found.keyId,
        found.botId,
        found.revokedAt,
      );
      row = { key_id: found.keyId, bot_id: found.botId, revoked_at: found.revokedAt };
    }
    return row.revoked_at === null ? { keyId: row.key_id, botId: row.bot_id } : null;
  }

  async fetchTenant(tenantId: string): Promise<TenantInfo | null> {
    const [row] = await drizzle(this.d1)
      .select({ id: tenants.id, name: tenants.name })
      .from(tenants)
      .where(eq(tenants.id, tenantId))
      .limit(1);
    return row ?? null;
  }

  /** A bot's settings from D1, for a bot the object has not been told about yet. */
  async fetchBot(tenantId: string, botId: string): Promise<BotSettings | null> {
    return findBot(this.d1, tenantId, botId);
  }
}
