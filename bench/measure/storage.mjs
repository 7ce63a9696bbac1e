// The tenant object's storage, read from its SQLite file under wrangler's local state
// (v3/do/<script>-TenantHub/<id>.sqlite plus its write-ahead log). The files are copied and the
// copy opened with node:sqlite, so the figures are the pages each table really uses (dbstat),
// not how far the file happens to have grown.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

function objectFile(state, className) {
  const root = join(state, "v3", "do");
  const dir = readdirSync(root).find((d) => d.endsWith(`-${className}`));
  if (!dir) throw new Error(`no ${className} storage under ${root}`);
  const files = readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
    .map((f) => join(root, dir, f));
  if (files.length !== 1)
    throw new Error(`expected one ${className} object, found ${files.length}`);
  return files[0];
}

/** Bytes used per table (with its indexes), row counts, and the raw file sizes. */
export function storageSnapshot(state, className = "TenantHub") {
  const file = objectFile(state, className);
  const dir = mkdtempSync(join(tmpdir(), "handoff-bench-db-"));
  try {
    const fileBytes =
      statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    copyFileSync(file, join(dir, "copy.sqlite"));
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, join(dir, "copy.sqlite-wal"));
    const db = new DatabaseSync(join(dir, "copy.sqlite"));
    try {
      const tables = db
        .prepare(
          `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`,
        )
        .all()
        .map((r) => String(r.name));
      const owner = new Map(
        db
          .prepare(`SELECT name, tbl_name FROM sqlite_schema`)
          .all()
          .map((r) => [String(r.name), String(r.tbl_name)]),
      );
      const bytes = {};
      for (const row of db
        .prepare(`SELECT name, SUM(pgsize) AS size FROM dbstat GROUP BY name`)
        .all()) {
        const table = owner.get(String(row.name)) ?? String(row.name);
        bytes[table] = (bytes[table] ?? 0) + Number(row.size);
      }
      const rows = Object.fromEntries(
        tables.map((t) => [t, Number(db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get().n)]),
      );
      const used = Object.values(bytes).reduce((a, b) => a + b, 0);
      return { used, bytes, rows, fileBytes };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What one batch of closed handoffs added: per table and in all. */
export function storageDelta(before, after) {
  const tables = new Set([...Object.keys(before.bytes), ...Object.keys(after.bytes)]);
  const bytes = {};
  const rows = {};
  for (const t of tables) {
    bytes[t] = (after.bytes[t] ?? 0) - (before.bytes[t] ?? 0);
    rows[t] = (after.rows[t] ?? 0) - (before.rows[t] ?? 0);
  }
  return {
    used: after.used - before.used,
    fileBytes: after.fileBytes - before.fileBytes,
    bytes,
    rows,
  };
}

/** Claims and closes every handoff through the agents' sockets, 20 at a time. */
export async function closeAll(target, sockets, ids) {
  let next = 0;
  let ref = 0;
  await Promise.all(
    sockets.map(async (socket, agent) => {
      while (next < ids.length) {
        const id = ids[next++];
        for (const frame of [
          target.claimFrame(agent, id, `k${++ref}`),
          target.resolveFrame(id, `k${++ref}`),
        ]) {
          const { frame: ack } = await socket.command(frame);
          if (!ack.ok) throw new Error(`${frame.type} ${id}: ${JSON.stringify(ack.error)}`);
        }
      }
    }),
  );
}
