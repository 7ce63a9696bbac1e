// The floor: one Durable Object per "tenant" that does the least each measured act needs — one
// SQL write and a broadcast to its hibernatable sockets for a contact message, a read-check-write
// of one row for a claim (over HTTP or as a socket frame answered by an ack), one alarm for expiry.
// No auth, no validation beyond JSON parsing: it is what the runtime costs on its own.
// Asked with `work=app`, a message and a claim also do as much SQL and send as many frames, of the
// same sizes, as the app's do (app-work.json, kept true by test/worker/act-work.test.ts): the
// difference left between the app and that is what the app's own code costs on top of its work.
import { DurableObject } from "cloudflare:workers";
import appWork from "./app-work.json";

export class Floor extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL)`,
    );
    sql.exec(`CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, status TEXT NOT NULL, assignee TEXT, body TEXT NOT NULL,
      created_at INTEGER NOT NULL, expires_at INTEGER)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS items_status_created ON items (status, created_at)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS work (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`);
    sql.exec(
      `CREATE INDEX IF NOT EXISTS items_expiring ON items (expires_at) WHERE status = 'open'`,
    );
  }

  /**
   * The app's SQL for an act beyond the one statement the floor already runs: point reads, and
   * writes of about 100-byte rows spread over as many statements as the app's.
   */
  extraWork({ reads, writes, rows_written }) {
    const sql = this.ctx.storage.sql;
    for (let i = 1; i < reads; i++) sql.exec(`SELECT body FROM work WHERE id = ?`, i).toArray();
    const statements = writes - 1;
    let rows = rows_written - 1;
    for (let i = 0; i < statements; i++) {
      const n = Math.max(1, Math.round(rows / (statements - i)));
      rows -= n;
      sql.exec(
        `INSERT INTO work (body) VALUES ${Array(n).fill("(?)").join(", ")}`,
        ...Array(n).fill("w".repeat(100)),
      );
    }
  }

  /** A frame padded to the app's frame of that act, carrying the token the bench waits for. */
  static padded(frame, bytes) {
    const text = JSON.stringify(frame);
    return text.length >= bytes
      ? text
      : JSON.stringify({ ...frame, pad: "p".repeat(bytes - text.length - 9) });
  }

  /** A contact message: one insert, one frame to every socket. */
  message({ conversation_id, id, text, work }) {
    const at = Date.now();
    this.ctx.storage.sql.exec(
      `INSERT OR IGNORE INTO messages (id, conversation_id, text, at) VALUES (?, ?, ?, ?)`,
      id,
      conversation_id,
      text,
      at,
    );
    const message = { id, conversation_id, text, at };
    const frame = { type: "message.created", data: { message } };
    if (work) {
      this.extraWork(appWork.message.work);
      for (const bytes of appWork.message.frame_bytes) this.broadcast(Floor.padded(frame, bytes));
    } else this.broadcast(JSON.stringify(frame));
    return { route: "agent", message };
  }

  /** A claim: read the row, check it, write it — no await in between. */
  claim(id, agent, work = false) {
    const row = this.ctx.storage.sql
      .exec(`SELECT status, assignee FROM items WHERE id = ?`, id)
      .toArray()[0];
    if (!row) return { status: 404, body: { error: { code: "not_found" } } };
    if (row.assignee)
      return { status: 409, body: { error: { code: "already_claimed", assignee: row.assignee } } };
    this.ctx.storage.sql.exec(
      `UPDATE items SET status = 'active', assignee = ? WHERE id = ?`,
      agent,
      id,
    );
    if (work) {
      this.extraWork(appWork.claim.work);
      const frame = { type: "handoff.updated", data: { handoff: { id, assignee: agent } } };
      for (const bytes of appWork.claim.frame_bytes) this.broadcast(Floor.padded(frame, bytes));
    }
    return { status: 200, body: { item: { id, status: "active", assignee: agent } } };
  }

  /** Fills the table with open rows carrying a body of the given size (for the list). */
  seed({ prefix, count, body_bytes }) {
    const body = "x".repeat(body_bytes);
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      this.ctx.storage.sql.exec(
        `INSERT INTO items (id, status, body, created_at) VALUES (?, 'open', ?, ?)`,
        `${prefix}-${i}`,
        body,
        now + i,
      );
    }
    return { count };
  }

  list(limit) {
    const rows = this.ctx.storage.sql
      .exec(`SELECT * FROM items WHERE status = 'open' ORDER BY created_at LIMIT ?`, limit)
      .toArray();
    return JSON.stringify({ items: rows });
  }

  /** An item that expires after wait_ms, through the object's one alarm. */
  async expiring({ id, wait_ms }) {
    const expiresAt = Date.now() + wait_ms;
    this.ctx.storage.sql.exec(
      `INSERT INTO items (id, status, body, created_at, expires_at) VALUES (?, 'open', '', ?, ?)`,
      id,
      Date.now(),
      expiresAt,
    );
    await this.arm();
    return { id, expires_at: new Date(expiresAt).toISOString() };
  }

  async alarm() {
    const now = Date.now();
    const due = this.ctx.storage.sql
      .exec(`SELECT id, expires_at FROM items WHERE status = 'open' AND expires_at <= ?`, now)
      .toArray();
    for (const row of due) {
      this.ctx.storage.sql.exec(`UPDATE items SET status = 'expired' WHERE id = ?`, row.id);
      this.broadcast(
        JSON.stringify({
          type: "handoff.updated",
          data: {
            change: "expired",
            handoff: {
              id: row.id,
              status: "expired",
              expires_at: new Date(row.expires_at).toISOString(),
            },
          },
        }),
      );
    }
    await this.arm();
  }

  async arm() {
    const next = this.ctx.storage.sql
      .exec(
        `SELECT MIN(expires_at) AS at FROM items WHERE status = 'open' AND expires_at IS NOT NULL`,
      )
      .toArray()[0];
    if (next?.at != null) await this.ctx.storage.setAlarm(Math.max(next.at, Date.now() + 1));
  }

  async fetch(request) {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.send(JSON.stringify({ type: "hello" }));
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws, raw) {
    const frame = JSON.parse(raw);
    if (frame.type !== "claim") return;
    const result = this.claim(frame.handoff_id, frame.agent ?? "socket", frame.work === true);
    ws.send(
      JSON.stringify(
        result.status === 200
          ? { type: "ack", ref: frame.ref, ok: true, data: result.body }
          : { type: "ack", ref: frame.ref, ok: false, error: result.body.error },
      ),
    );
  }

  broadcast(frame) {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(frame);
      } catch {
        // gone
      }
    }
  }
}

const json = (body, status = 200) =>
  new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const hub = env.FLOOR.get(env.FLOOR.idFromName(url.searchParams.get("tenant") ?? "floor"));
    if (url.pathname === "/ws") return hub.fetch(request);
    if (url.pathname === "/health") return json({ ok: true });
    if (request.method === "GET" && url.pathname === "/list")
      return json(await hub.list(Number(url.searchParams.get("limit") ?? 200)));
    if (request.method !== "POST") return json({ error: { code: "not_found" } }, 404);
    const body = await request.json();
    if (url.pathname === "/messages") return json(await hub.message(body), 202);
    if (url.pathname === "/claim") {
      const result = await hub.claim(body.id, body.agent, body.work === true);
      return json(result.body, result.status);
    }
    if (url.pathname === "/seed") return json(await hub.seed(body));
    if (url.pathname === "/expiring") return json(await hub.expiring(body), 201);
    return json({ error: { code: "not_found" } }, 404);
  },
};
