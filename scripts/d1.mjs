// What the scripts need to write to D1 by hand: SQL quoting, the password hash format, the
// bots' default texts (the Worker's own), and running SQL with `wrangler d1 execute`.
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./run.mjs";
import {
  DEFAULT_MAX_WAIT_MINUTES,
  DEFAULT_MESSAGES,
  DEFAULT_REMINDER_DELAY_SECONDS,
} from "../worker/src/tenant/templates.ts";

export { DEFAULT_MAX_WAIT_MINUTES, DEFAULT_MESSAGES, DEFAULT_REMINDER_DELAY_SECONDS };

/** A SQL literal. */
export const q = (v) =>
  v === null || v === undefined ? "NULL" : `'${String(v).replace(/'/g, "''")}'`;

/** Same format as worker/src/auth/crypto.ts hashPassword. */
export function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, 100_000, 32, "sha256");
  return `pbkdf2-sha256$100000$${salt.toString("hex")}$${hash.toString("hex")}`;
}

/**
 * Runs SQL against the local database (or, with `remote`, the deployed one).
 * @param {string} sql
 * @param {{ remote?: boolean, persistTo?: string }} [options]
 */
export async function executeSql(sql, { remote = false, persistTo } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "handoff-sql-"));
  const file = join(dir, "statements.sql");
  writeFileSync(file, sql);
  try {
    const persist = persistTo ? ["--persist-to", persistTo] : [];
    await run(
      "wrangler",
      ["d1", "execute", "DB", remote ? "--remote" : "--local", ...persist, `--file=${file}`],
      { quiet: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
