// History through the list: keyset paging by cursor (no row repeated or skipped while handoffs
// arrive), reaching back into D1 for closed handoffs that left the tenant object, with the same
// filters on both; and a contact's handoffs across both.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  escalate,
  expectError,
  hubRows,
  json,
  login,
  newApiKey,
  runAlarm,
  claim,
  resolve,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { DAY_MS, drain, housekeepAt, objectRowsFor } from "./history-helpers";
import type {
  BotAnswer,
  ContactMessageResult,
  EscalateResult,
  HandoffAnswer,
  HandoffDetail,
  HandoffList,
  ListPage,
  OpenApiDocument,
  RoutedToAgent,
} from "./answers";

interface Listed {
  id: string;
  created_at: string;
  status: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

/** The view's order: created_at then id, newest first (history) or oldest first (the queue). */
function ordered<T extends Listed>(rows: T[], order: "asc" | "desc"): T[] {
  const sign = order === "asc" ? 1 : -1;
  return [...rows].sort(
    (a, b) =>
      sign * (Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1)),
  );
}

/** Follows next_cursor from the first page to the last; `between` runs after each page. */
async function allPages(
  path: string,
  cookie: string,
  between?: (page: number) => Promise<void>,
): Promise<{ rows: Listed[]; pages: number }> {
  const rows: Listed[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page: { handoffs: Listed[]; has_more: boolean; next_cursor: string | null } = await json(
      cursor ? `${path}${sep}cursor=${cursor}` : path,
      { cookie, status: 200 },
    );
    expect(page.has_more).toBe(page.next_cursor !== null);
    rows.push(...page.handoffs);
    cursor = page.next_cursor;
    pages += 1;
    if (between) await between(pages);
    if (pages > 100) throw new Error("paging did not end");
  } while (cursor);
  return { rows, pages };
}

/**
 * Ten closed handoffs, half of them (every other one, by creation) already gone from the object
 * into D1: Alice resolves the even ones, Bob the odd ones but the last, which expire unclaimed.
 * Every third one has a contact message mentioning a parcel; the 5th and 6th contacts are Quinn.
 */
async function mixedHistory(t: TestTenant) {
  const alice = await login(t.alice);
  const bob = await login(t.bob);
  const made: Listed[] = [];
  for (let i = 0; i < 10; i++) {
    const conversation = `hist-${i}`;
    const expires = i >= 8;
    const contact = {
      id: `hist-contact-${i}`,
      name: i === 4 || i === 5 ? "Quinn Example" : "Maria Lopez",
    };
    const { handoff } = await escalate(t, {
      conversation_id: conversation,
      contact,
      ...(expires ? { max_wait_seconds: 10 } : {}),
    });
    if (i % 3 === 0)
      await json<RoutedToAgent>("/api/v1/messages", {
        key: t.apiKey,
        body: { conversation_id: conversation, id: `p-${i}`, text: `my parcel ${i} is lost` },
        status: 202,
      });
    made.push(handoff);
  }
  const close = async (i: number) => {
    if (i >= 8) return;
    const cookie = i % 2 === 0 ? alice : bob;
    await json<HandoffAnswer>(`/api/handoffs/${made[i]!.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    await json<HandoffAnswer>(`/api/handoffs/${made[i]!.id}/resolve`, {
      cookie,
      body: { outcome: "close" },
      status: 200,
    });
  };
  // The odd ones close first and leave the object; the even ones close later and stay.
  for (const i of [1, 3, 5, 7]) await close(i);
  await hubRows(
    t,
    `UPDATE timers SET due_at = ? WHERE kind = 'expire' AND ref IN (?, ?)`,
    Date.now() - 1,
    made[8]!.id,
    made[9]!.id,
  );
  expect(await runAlarm(t)).toBe(true);
  await drain(t);
  await sleep(5);
  const cutoff = Date.now();
  await sleep(5);
  for (const i of [0, 2, 4, 6]) await close(i);
  await drain(t);
  expect(await housekeepAt(t, cutoff + 3 * DAY_MS)).toMatchObject({ handoffs: 6 });
  for (const [i, h] of made.entries()) {
    expect((await objectRowsFor(t, h.id)).handoffs, `handoff ${i}`).toBe(
      i % 2 === 1 || i >= 8 ? 0 : 1,
    );
  }
  return { alice, bob, made };
}

describe("history paging", () => {
  it("pages through every closed handoff once, newest first, from the object and D1 together", async () => {
    const t = await makeTenant({ webhook: false });
    const { alice, made } = await mixedHistory(t);
    const expected = ordered(made, "desc");

    const { rows, pages } = await allPages("/api/handoffs?status=resolved,expired&limit=3", alice);
    expect(ids(rows)).toEqual(ids(expected));
    expect(pages).toBe(4);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["resolved", "expired"]));

    // One page holding everything says there is nothing more.
    const whole = await json<ListPage>("/api/handoffs?status=resolved,expired&limit=10", {
      cookie: alice,
      status: 200,
    });
    expect(ids(whole.handoffs)).toEqual(ids(expected));
    expect(whole).toMatchObject({ has_more: false, next_cursor: null });
  });

  it("new handoffs arriving while paging neither repeat nor push out a row", async () => {
    const t = await makeTenant({ webhook: false });
    const { alice, made } = await mixedHistory(t);
    const arrived: string[] = [];
    const { rows } = await allPages("/api/handoffs?status=all&limit=4", alice, async () => {
      const { handoff } = await escalate(t);
      await claim(alice, handoff.id);
      await resolve(alice, handoff.id);
      arrived.push(handoff.id);
    });
    expect(ids(rows)).toEqual(ids(ordered(made, "desc")));
    // They are at the top of a fresh first page.
    const first = await json<ListPage>("/api/handoffs?status=all&limit=3", {
      cookie: alice,
      status: 200,
    });
    expect(ids(first.handoffs)).toEqual([...arrived].reverse().slice(0, 3));
  });

  it("filters behave the same on both sources: status, assignee, q", async () => {
    const t = await makeTenant({ webhook: false });
    const { alice, bob, made } = await mixedHistory(t);
    const pick = (indexes: number[]) =>
      ids(
        ordered(
          indexes.map((i) => made[i]!),
          "desc",
        ),
      );

    expect(ids((await allPages("/api/handoffs?status=expired&limit=1", alice)).rows)).toEqual(
      pick([8, 9]),
    );
    expect(
      ids((await allPages("/api/handoffs?status=resolved&assignee=me&limit=2", alice)).rows),
    ).toEqual(pick([0, 2, 4, 6]));
    expect(
      ids((await allPages("/api/handoffs?status=resolved&assignee=me&limit=2", bob)).rows),
    ).toEqual(pick([1, 3, 5, 7]));
    expect(
      ids((await allPages("/api/handoffs?status=all&assignee=unassigned&limit=2", bob)).rows),
    ).toEqual(pick([8, 9]));
    expect(ids((await allPages("/api/handoffs?status=all&q=parcel&limit=2", alice)).rows)).toEqual(
      pick([0, 3, 6, 9]),
    );
    expect(
      ids((await allPages("/api/handoffs?status=all&q=PARCEL%203&limit=2", alice)).rows),
    ).toEqual(pick([3]));
    expect(ids((await allPages("/api/handoffs?status=all&q=quinn&limit=1", alice)).rows)).toEqual(
      pick([4, 5]),
    );
    expect((await allPages("/api/handoffs?status=all&q=nobody-says-this", alice)).rows).toEqual([]);
  });

  it("the object's copy wins over D1's for every handoff it still holds", async () => {
    const t = await makeTenant({ webhook: false });
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    const resolved = (
      await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/resolve`, {
        cookie: alice,
        body: { outcome: "close" },
        status: 200,
      })
    ).handoff;
    await drain(t);
    // D1 behind the object (as while a write is still on its way): another status, another name.
    await env.DB.prepare(
      `UPDATE handoffs SET status = 'active', assignee_name = 'Stale' WHERE id = ?`,
    )
      .bind(handoff.id)
      .run();

    expect(
      (await json<ListPage>("/api/handoffs?status=all", { cookie: alice, status: 200 })).handoffs,
    ).toEqual([resolved]);
    expect(
      (await json<ListPage>("/api/handoffs?status=active,resolved", { cookie: alice, status: 200 }))
        .handoffs,
    ).toEqual([resolved]);
    expect(
      (await json<ListPage>("/api/handoffs?status=active,expired", { cookie: alice, status: 200 }))
        .handoffs,
    ).toEqual([]);
  });

  it("reads on in D1 past rows whose copy in the object no longer matches the filter", async () => {
    const t = await makeTenant({ webhook: false });
    const alice = await login(t.alice);
    // Two expire and leave the object; three newer ones are resolved and stay in it.
    const old: Listed[] = [];
    for (let i = 0; i < 2; i++) old.push((await escalate(t, { max_wait_seconds: 10 })).handoff);
    await hubRows(t, `UPDATE timers SET due_at = ? WHERE kind = 'expire'`, Date.now() - 1);
    expect(await runAlarm(t)).toBe(true);
    await drain(t);
    expect(await housekeepAt(t, Date.now() + 4 * DAY_MS)).toMatchObject({ handoffs: 2 });
    const held: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { handoff } = await escalate(t);
      await claim(alice, handoff.id);
      await resolve(alice, handoff.id);
      held.push(handoff.id);
    }
    await drain(t);
    // D1 still says the held ones are active: newer than the expired ones, they fill its first reads.
    await env.DB.prepare(
      `UPDATE handoffs SET status = 'active' WHERE id IN (SELECT value FROM json_each(?))`,
    )
      .bind(JSON.stringify(held))
      .run();

    const { rows } = await allPages("/api/handoffs?status=active,expired&limit=1", alice);
    expect(ids(rows)).toEqual(ids(ordered(old, "desc")));
  });

  it("the queue pages oldest first; a handoff escalated meanwhile comes once, at the end", async () => {
    const t = await makeTenant({ webhook: false });
    const alice = await login(t.alice);
    const queued: Listed[] = [];
    for (let i = 0; i < 5; i++) queued.push((await escalate(t)).handoff);
    const late: string[] = [];
    const { rows, pages } = await allPages("/api/handoffs?limit=2", alice, async (page) => {
      if (page === 1) late.push((await escalate(t)).handoff.id);
    });
    expect(ids(rows)).toEqual([...ids(ordered(queued, "asc")), ...late]);
    expect(pages).toBe(3);
  });

  it("a cursor that this API did not hand out is 400 invalid_request naming it", async () => {
    const t = await makeTenant({ webhook: false });
    const alice = await login(t.alice);
    const forged = btoa(JSON.stringify(["yesterday", 7])).replace(/=+$/, "");
    for (const bad of ["not a cursor!", "abc", forged, "x".repeat(401), ""]) {
      const error = await expectError(
        call(`/api/handoffs?status=all&cursor=${encodeURIComponent(bad)}`, { cookie: alice }),
        400,
        "invalid_request",
      );
      expect(error.issues, bad).toEqual([expect.objectContaining({ path: "cursor" })]);
    }
  });
});

describe("a contact's handoffs", () => {
  it("lists the same contact's handoffs newest first, from the object and D1, narrowed by bot, for this tenant only", async () => {
    const t = await makeTenant({ webhook: false });
    const admin = await login(t.admin);
    const alice = await login(t.alice);
    const made = await json<BotAnswer>("/api/admin/bots", {
      cookie: admin,
      body: { name: "Second bot", webhook_url: null },
      status: 201,
    });
    const secondKey = (await newApiKey(admin, made.bot.id)).key;
    const contact = { id: "cust-7", name: "Pat Doe" };

    const { handoff: first } = await escalate(t, { conversation_id: "c7-a", contact });
    await claim(alice, first.id);
    await resolve(alice, first.id);
    await drain(t);
    expect(await housekeepAt(t, Date.now() + 4 * DAY_MS)).toMatchObject({ handoffs: 1 });
    const { handoff: second } = await escalate(t, { conversation_id: "c7-a", contact });
    const { handoff: elsewhere } = await json<EscalateResult>("/api/v1/handoffs", {
      key: secondKey,
      body: { conversation_id: "c7-b", channel: "telegram", contact },
      status: 201,
    });
    await escalate(t, { conversation_id: "c8", contact: { id: "cust-8", name: "Sam" } });
    await drain(t);
    const firstNow = (
      await json<HandoffDetail>(`/api/handoffs/${first.id}`, { cookie: alice, status: 200 })
    ).handoff;

    const all = await json<HandoffList>("/api/contacts/cust-7/handoffs", {
      cookie: alice,
      status: 200,
    });
    // Lists leave the bot's metadata out; everything else is the single reads'.
    const listed = ({ metadata: _metadata, ...rest }: Listed & { metadata: unknown }) => rest;
    expect(all).toEqual({ handoffs: ordered([elsewhere, second, firstNow], "desc").map(listed) });
    expect(all.handoffs.map((h: { status: string }) => h.status).sort()).toEqual([
      "queued",
      "queued",
      "resolved",
    ]);
    const ofBot = await json<HandoffList>(`/api/contacts/cust-7/handoffs?bot_id=${t.botId}`, {
      cookie: alice,
      status: 200,
    });
    expect(ids(ofBot.handoffs)).toEqual(ids(ordered([second, firstNow], "desc")));
    expect(
      ids(
        (
          await json<HandoffList>(`/api/contacts/cust-7/handoffs?bot_id=${made.bot.id}`, {
            cookie: alice,
            status: 200,
          })
        ).handoffs,
      ),
    ).toEqual([elsewhere.id]);
    expect(
      ids(
        (
          await json<HandoffList>("/api/contacts/cust-7/handoffs?limit=1", {
            cookie: alice,
            status: 200,
          })
        ).handoffs,
      ),
    ).toEqual(ids(all.handoffs).slice(0, 1));

    // Any signed-in role reads it; nobody else does.
    const viewer = await login(t.viewer);
    expect(
      await json<HandoffList>("/api/contacts/cust-7/handoffs", { cookie: viewer, status: 200 }),
    ).toEqual(all);
    await expectError(call("/api/contacts/cust-7/handoffs"), 401, "unauthorized");
    await expectError(
      call("/api/contacts/cust-7/handoffs?limit=0", { cookie: alice }),
      400,
      "invalid_request",
    );
    await expectError(
      call("/api/contacts/cust-7/handoffs?color=red", { cookie: alice }),
      400,
      "invalid_request",
    );
    expect(
      await json<HandoffList>("/api/contacts/nobody/handoffs", { cookie: alice, status: 200 }),
    ).toEqual({ handoffs: [] });

    // The same contact id in another tenant is another person.
    const other = await makeTenant({ webhook: false });
    const { handoff: theirs } = await escalate(other, { conversation_id: "c7-a", contact });
    const stranger = await login(other.alice);
    expect(
      ids(
        (
          await json<HandoffList>("/api/contacts/cust-7/handoffs", {
            cookie: stranger,
            status: 200,
          })
        ).handoffs,
      ),
    ).toEqual([theirs.id]);
    expect(
      ids(
        (await json<HandoffList>("/api/contacts/cust-7/handoffs", { cookie: alice, status: 200 }))
          .handoffs,
      ),
    ).toEqual(ids(all.handoffs));
  });
});

describe("the API reference", () => {
  it("documents the list's cursor and next_cursor, and the contact's handoffs", async () => {
    const doc = await json<OpenApiDocument>("/api/openapi.json", { status: 200 });
    const list = doc.paths["/api/handoffs"]!.get!;
    expect(list.parameters!.map((p: { name: string }) => p.name)).toEqual([
      "status",
      "assignee",
      "q",
      "limit",
      "cursor",
      "team",
    ]);
    expect(list.description).toContain("next_cursor");
    const contact = doc.paths["/api/contacts/{contact_id}/handoffs"]!.get!;
    expect(contact.parameters).toEqual([
      { name: "contact_id", in: "path", required: true, schema: { type: "string" } },
      expect.objectContaining({ name: "bot_id", in: "query" }),
      expect.objectContaining({ name: "limit", in: "query" }),
    ]);
  });
});
