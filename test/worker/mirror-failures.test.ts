// A row D1 keeps refusing does not hold back the rows after it: it is found in its batch,
// retried on its own, and after five refusals set aside where admins (and viewers) can see it.
// D1 refuses it for real: a trigger created here aborts the insert of one message text.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { escalate, expectError, call, fastForward, hubRows, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { runAlarmFully } from "./outbox";
import type {
  ContactMessageResult,
  HandoffDetail,
  RoutedToAgent,
  SyncFailureList,
} from "./answers";

const triggers: string[] = [];

afterEach(async () => {
  for (const name of triggers.splice(0))
    await env.DB.prepare(`DROP TRIGGER IF EXISTS ${name}`).run();
});

/** D1 refuses, from now on, every message with this text. */
async function refuseInD1(t: TestTenant, text: string): Promise<void> {
  const name = `refuse_${t.id.replace(/\W/g, "_")}`;
  triggers.push(name);
  await env.DB.prepare(
    `CREATE TRIGGER ${name} BEFORE INSERT ON messages WHEN NEW.text = '${text}'
     BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END`,
  ).run();
}

async function d1Messages(handoffId: string): Promise<{ id: string; text: string }[]> {
  return (
    await env.DB.prepare(`SELECT id, text FROM messages WHERE handoff_id = ? ORDER BY at, rowid`)
      .bind(handoffId)
      .all<{ id: string; text: string }>()
  ).results;
}

async function contactSays(
  t: TestTenant,
  conversation: string,
  id: string,
  text: string,
): Promise<string> {
  const res = await json<RoutedToAgent>("/api/v1/messages", {
    key: t.apiKey,
    body: { conversation_id: conversation, id, text },
    status: 202,
  });
  return res.message.id as string;
}

/** Makes the refused row's retry (and the mirror's timer) due now, then runs the alarm. */
async function retryRefusedNow(t: TestTenant): Promise<void> {
  await hubRows(t, `UPDATE mirror SET retry_at = 0`);
  await fastForward(t, ["mirror"]);
  await runAlarmFully(t);
}

describe("a D1 row that keeps failing", () => {
  it("is set aside after five attempts while later rows keep arriving in D1, and is listed for admins and viewers", async () => {
    const t = await makeTenant();
    const conversation = "conv-refused";
    const { handoff } = await escalate(t, { conversation_id: conversation, history: [] });
    await runAlarmFully(t);
    const refused = `never in D1 ${t.id}`;
    await refuseInD1(t, refused);

    const before = await contactSays(t, conversation, "c-1", "before");
    const bad = await contactSays(t, conversation, "c-2", refused);
    const after = await contactSays(t, conversation, "c-3", "after");
    await runAlarmFully(t);
    expect((await d1Messages(handoff.id)).map((m) => m.text)).toEqual(
      expect.arrayContaining(["before", "after"]),
    );
    let pending = await hubRows<{ kind: string; id: string; attempts: number; last_error: string }>(
      t,
      `SELECT kind, id, attempts, last_error FROM mirror`,
    );
    expect(pending).toEqual([
      {
        kind: "message",
        id: bad,
        attempts: 1,
        last_error: expect.stringContaining("refused by the test trigger"),
      },
    ]);

    // Each retry refuses it again; what came after it is written all the same.
    const later: string[] = [];
    for (let attempt = 2; attempt <= 5; attempt++) {
      later.push(await contactSays(t, conversation, `later-${attempt}`, `later ${attempt}`));
      await retryRefusedNow(t);
      expect((await d1Messages(handoff.id)).map((m) => m.id)).toEqual(
        expect.arrayContaining(later),
      );
      pending = await hubRows<{ kind: string; id: string; attempts: number; last_error: string }>(
        t,
        `SELECT kind, id, attempts, last_error FROM mirror`,
      );
      expect(pending.map((m) => [m.id, m.attempts])).toEqual(attempt < 5 ? [[bad, attempt]] : []);
    }
    expect(await hubRows(t, `SELECT kind, ref FROM timers WHERE kind = 'mirror'`)).toEqual([]);

    // Set aside and listed, for admins and viewers; not for agents, nor for another tenant.
    const expected = {
      failures: [
        {
          kind: "message",
          id: bad,
          attempts: 5,
          last_error: expect.stringContaining("refused by the test trigger"),
          at: expect.any(String),
        },
      ],
    };
    const listed = await json<SyncFailureList>("/api/admin/sync-failures", {
      cookie: await login(t.admin),
      status: 200,
    });
    expect(listed).toEqual(expected);
    expect(Date.parse(listed.failures[0]!.at)).not.toBeNaN();
    expect(
      await json<SyncFailureList>("/api/admin/sync-failures", {
        cookie: await login(t.viewer),
        status: 200,
      }),
    ).toEqual(expected);
    await expectError(
      call("/api/admin/sync-failures", { cookie: await login(t.alice) }),
      403,
      "forbidden",
    );
    await expectError(call("/api/admin/sync-failures"), 401, "unauthorized");
    const other = await makeTenant();
    expect(
      await json<SyncFailureList>("/api/admin/sync-failures", {
        cookie: await login(other.admin),
        status: 200,
      }),
    ).toEqual({ failures: [] });

    // Nothing acknowledged is lost: the object still has the refused message, D1 every other one, once.
    const transcript = (
      await json<HandoffDetail>(`/api/handoffs/${handoff.id}`, {
        cookie: await login(t.alice),
        status: 200,
      })
    ).messages;
    const ids = transcript.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining([before, bad, after, ...later]));
    const inD1 = (await d1Messages(handoff.id)).map((m) => m.id);
    expect([...inD1].sort()).toEqual(ids.filter((id: string) => id !== bad).sort());
    const [row] = (
      await env.DB.prepare(`SELECT message_count FROM handoffs WHERE id = ?`)
        .bind(handoff.id)
        .all<{ message_count: number }>()
    ).results;
    expect(row?.message_count).toBe(7);
  });

  it("is not counted while D1 itself is down: an outage sets nothing aside, and the rows arrive after it", async () => {
    const t = await makeTenant();
    const conversation = "conv-outage";
    const { handoff } = await escalate(t, { conversation_id: conversation, history: [] });
    await runAlarmFully(t);
    let during = "";
    try {
      await env.DB.prepare(`ALTER TABLE messages RENAME TO messages_offline`).run();
      during = await contactSays(t, conversation, "o-1", "during the outage");
      for (let i = 0; i < 6; i++) {
        await fastForward(t, ["mirror"]);
        await runAlarmFully(t);
      }
      expect(await hubRows(t, `SELECT kind, id, attempts FROM mirror ORDER BY kind`)).toEqual([
        { kind: "handoff", id: handoff.id, attempts: 0 },
        { kind: "message", id: during, attempts: 0 },
      ]);
      expect(await hubRows(t, `SELECT kind, id FROM mirror_failures`)).toEqual([]);
    } finally {
      await env.DB.prepare(`ALTER TABLE messages_offline RENAME TO messages`).run();
    }
    await fastForward(t, ["mirror"]);
    await runAlarmFully(t);
    expect((await d1Messages(handoff.id)).map((m) => m.id)).toContain(during);
    expect(await hubRows(t, `SELECT kind, id FROM mirror`)).toEqual([]);
  });
});
