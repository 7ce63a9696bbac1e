// Reminder emails through the real local send_email binding (which, in these tests, delivers
// only to the addresses vitest.config.ts allows): one email per agent and admin per reminder,
// none to viewers or disabled users, none when the setting is off, a refused one recorded as
// failed and never sent again; and GET /api/admin/notifications, who may read it and its bounds.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { Notification } from "../../schema/notifications";
import { mailSettings } from "../../worker/src/tenant/reminder-emails";
import { reminderText } from "../../worker/src/tenant/reminder-text";
import {
  call,
  escalate,
  expectError,
  fastForward,
  hub,
  hubRows,
  json,
  login,
  runAlarm,
} from "./client";
import { makeTenant, type TestTenant, type TestUser } from "./fixtures";
import type { OpenApiDocument, SettingsAnswer } from "./answers";
import { makeTeam } from "./team-helpers";

const NOTIFICATIONS = "/api/admin/notifications";

/** Tenants whose users were given the allowed addresses; given back after each test (emails are unique). */
const renamed: TestTenant[] = [];

/** Gives the tenant's users the addresses the test binding delivers to (`local` names one). */
async function useDeliverableEmails(
  t: TestTenant,
  overrides: Partial<Record<"admin" | "alice" | "bob" | "viewer", string>> = {},
): Promise<void> {
  for (const key of ["admin", "alice", "bob", "viewer"] as const) {
    const user: TestUser = t[key];
    user.email = overrides[key] ?? `${key}@reminders.test`;
    await env.DB.prepare(`UPDATE users SET email = ? WHERE id = ?`).bind(user.email, user.id).run();
  }
  renamed.push(t);
}

afterEach(async () => {
  for (const t of renamed.splice(0)) {
    for (const key of ["admin", "alice", "bob", "viewer"] as const) {
      await env.DB.prepare(`UPDATE users SET email = ? WHERE id = ?`)
        .bind(`${key}@${t.id}.test`, t[key].id)
        .run();
    }
  }
});

/**
 * Makes the reminder due and runs the alarm; the reminder queues its emails, due at once, so the
 * alarm is armed again for them: that run starts the sending, which is awaited.
 */
async function remindNow(t: TestTenant): Promise<void> {
  await fastForward(t, ["remind"]);
  await runAlarm(t);
  await runAlarm(t);
  await runInDurableObject(hub(t), (instance) => instance.alarms.settled());
}

async function notificationsOf(t: TestTenant): Promise<Notification[]> {
  const admin = await login(t.admin);
  return (
    await json<{ notifications: Notification[] }>(NOTIFICATIONS, { cookie: admin, status: 200 })
  ).notifications;
}

describe("email reminders", () => {
  it("each agent and admin gets one email per reminder; viewers and disabled users none", async () => {
    const t = await makeTenant({ reminderSeconds: 60 });
    await useDeliverableEmails(t);
    const admin = await login(t.admin);
    await json(`/api/admin/agents/${t.bob.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { disabled: true },
      status: 200,
    });
    const { handoff } = await escalate(t, { contact: { id: "c-1", name: "Jane Roe" } });

    await remindNow(t);
    const sent = await notificationsOf(t);
    expect(sent.map((n) => n.to).sort()).toEqual(["admin@reminders.test", "alice@reminders.test"]);
    for (const n of sent) {
      expect(n).toMatchObject({
        kind: "reminder_email",
        handoff_id: handoff.id,
        status: "sent",
        error: null,
      });
      expect(n.subject).toMatch(/^Jane Roe has waited \d+ s for an agent$/);
      expect(Date.parse(n.at)).not.toBeNaN();
    }
    // The binding answered each call with its own message id: one call per recipient.
    const ids = await hubRows<{ message_id: string }>(t, `SELECT message_id FROM notifications`);
    expect(new Set(ids.map((r) => r.message_id)).size).toBe(2);
    expect(ids.every((r) => /^<.+@.+>$/.test(r.message_id))).toBe(true);

    // Nothing is left to send, and the reminder is once per wait: another alarm sends nothing.
    expect(await hubRows(t, `SELECT * FROM timers WHERE kind = 'email'`)).toEqual([]);
    expect(await hubRows(t, `SELECT * FROM reminder_emails`)).toEqual([]);
    await remindNow(t);
    expect(await notificationsOf(t)).toHaveLength(2);
  });

  it("a team's handoff is emailed to that team's members only", async () => {
    const t = await makeTenant({ reminderSeconds: 60 });
    await useDeliverableEmails(t);
    const admin = await login(t.admin);
    await makeTeam(admin, "Billing", [t.bob.id]);
    const { handoff } = await escalate(t, { team: "Billing" });

    await remindNow(t);
    const sent = await notificationsOf(t);
    expect(sent.map((n) => [n.to, n.handoff_id])).toEqual([["bob@reminders.test", handoff.id]]);
  });

  it("a second waiting handoff is a second reminder: one more email each", async () => {
    const t = await makeTenant({ reminderSeconds: 60 });
    await useDeliverableEmails(t);
    const first = await escalate(t, { conversation_id: "conv-a" });
    const second = await escalate(t, { conversation_id: "conv-b" });
    await remindNow(t);
    const sent = await notificationsOf(t);
    expect(sent).toHaveLength(6); // admin, alice, bob for each
    expect(sent.filter((n) => n.handoff_id === first.handoff.id)).toHaveLength(3);
    expect(sent.filter((n) => n.handoff_id === second.handoff.id)).toHaveLength(3);
  });

  it("with email_reminders off, the reminder still reaches the inbox but nobody is emailed", async () => {
    const t = await makeTenant({ reminderSeconds: 60 });
    await useDeliverableEmails(t);
    const admin = await login(t.admin);
    const patched = await json<SettingsAnswer>("/api/admin/settings", {
      method: "PATCH",
      cookie: admin,
      body: { email_reminders: false },
      status: 200,
    });
    expect(patched.settings.email_reminders).toBe(false);
    const { handoff } = await escalate(t);

    await remindNow(t);
    expect(await notificationsOf(t)).toEqual([]);
    expect(await hubRows(t, `SELECT * FROM reminder_emails`)).toEqual([]);
    expect(
      await hubRows(
        t,
        `SELECT type FROM audit WHERE handoff_id = ? AND type = 'reminded'`,
        handoff.id,
      ),
    ).toHaveLength(1);
  });

  it("is on by default and only a boolean turns it off", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    expect(
      (await json<SettingsAnswer>("/api/admin/settings", { cookie: admin, status: 200 })).settings
        .email_reminders,
    ).toBe(true);
    for (const bad of ["no", 0, null]) {
      const error = await expectError(
        call("/api/admin/settings", {
          method: "PATCH",
          cookie: admin,
          body: { email_reminders: bad },
        }),
        400,
        "invalid_request",
      );
      expect(error.issues!.map((i) => i.path)).toContain("email_reminders");
    }
    expect(
      (await json<SettingsAnswer>("/api/admin/settings", { cookie: admin, status: 200 })).settings
        .email_reminders,
    ).toBe(true);
  });

  it("a refused send is recorded as failed with the reason and never sent again", async () => {
    const t = await makeTenant({ reminderSeconds: 60 });
    await useDeliverableEmails(t, { alice: "refused@reminders.test" });
    await escalate(t);

    await remindNow(t);
    const log = await notificationsOf(t);
    const byAddress = Object.fromEntries(log.map((n) => [n.to, n]));
    expect(Object.keys(byAddress).sort()).toEqual([
      "admin@reminders.test",
      "bob@reminders.test",
      "refused@reminders.test",
    ]);
    expect(byAddress["refused@reminders.test"]).toMatchObject({
      status: "failed",
      error: expect.stringContaining("not allowed"),
    });
    expect(byAddress["admin@reminders.test"]!.status).toBe("sent");

    // No retry is left armed, and running the alarm again (even with every timer due) sends nothing.
    expect(await hubRows(t, `SELECT * FROM timers WHERE kind = 'email'`)).toEqual([]);
    await fastForward(t, ["remind", "email"]);
    await runAlarm(t);
    await runInDurableObject(hub(t), (instance) => instance.alarms.settled());
    expect(await notificationsOf(t)).toHaveLength(3);
  });

  it("a send interrupted by a restart is recorded as failed, not sent twice; the others still go", async () => {
    const t = await makeTenant();
    await useDeliverableEmails(t);
    const { handoff } = await escalate(t);
    // As the object leaves it when it dies mid-send: the job still leased, alice's attempt begun.
    await runInDurableObject(hub(t), (_instance, state) => {
      const now = Date.now();
      state.storage.sql.exec(
        `INSERT INTO reminder_emails (id, handoff_id, contact, waiting_seconds, created_at) VALUES ('rem_x', ?, 'Jane', 200, ?)`,
        handoff.id,
        now,
      );
      state.storage.sql.exec(
        `INSERT INTO notifications (id, kind, job_id, handoff_id, recipient, subject, status, at) VALUES ('ntf_x', 'reminder_email', 'rem_x', ?, 'alice@reminders.test', 's', 'pending', ?)`,
        handoff.id,
        now,
      );
      state.storage.sql.exec(
        `INSERT INTO timers (kind, ref, due_at) VALUES ('email', 'rem_x', ?)`,
        now - 1,
      );
    });
    await runAlarm(t);
    await runInDurableObject(hub(t), (instance) => instance.alarms.settled());

    const log = await notificationsOf(t);
    expect(log.map((n) => [n.to, n.status]).sort()).toEqual([
      ["admin@reminders.test", "sent"],
      ["alice@reminders.test", "failed"],
      ["bob@reminders.test", "sent"],
    ]);
    expect(log.find((n) => n.to === "alice@reminders.test")!.error).toMatch(/not sent again/);
  });

  it("the email names the contact, how long they waited, and links to the handoff", () => {
    const { appOrigin } = mailSettings(env);
    expect(appOrigin).toBe("http://localhost:8787");
    expect(mailSettings({ PUBLIC_URL: "https://inbox.example.com/" }).appOrigin).toBe(
      "https://inbox.example.com",
    );
    expect(mailSettings({ PUBLIC_URL: "javascript:alert(1)" }).appOrigin).toBe(
      "http://localhost:8787",
    );
    const { subject, text } = reminderText({
      contact: "Jane\r\nBcc: evil@x.test",
      waitingSeconds: 3 * 3600 + 5 * 60,
      link: `${appOrigin}/handoffs/h_1`,
      orgName: "Acme",
    });
    expect(subject).toBe("Jane Bcc: evil@x.test has waited 3 h 5 min for an agent");
    expect(text).toContain("http://localhost:8787/handoffs/h_1");
    expect(text).toContain("waiting 3 h 5 min for an agent at Acme");
  });
});

describe("GET /api/admin/notifications", () => {
  it("admins and viewers read it; agents and strangers get nothing; another tenant sees none of it", async () => {
    const t = await makeTenant({ reminderSeconds: 60 });
    const other = await makeTenant();
    await useDeliverableEmails(t);
    await escalate(t);
    await remindNow(t);
    const [viewer, agent, otherAdmin] = await Promise.all([
      login(t.viewer),
      login(t.alice),
      login(other.admin),
    ]);
    expect(
      (
        await json<{ notifications: Notification[] }>(NOTIFICATIONS, {
          cookie: viewer,
          status: 200,
        })
      ).notifications,
    ).toHaveLength(3);
    await expectError(call(NOTIFICATIONS, { cookie: agent }), 403, "forbidden");
    await expectError(call(NOTIFICATIONS), 401, "unauthorized");
    expect(await json(NOTIFICATIONS, { cookie: otherAdmin, status: 200 })).toEqual({
      notifications: [],
    });
  });

  it("is in the OpenAPI document, and so is the setting", async () => {
    const doc = await json<OpenApiDocument>("/api/openapi.json", { status: 200 });
    expect(Object.keys(doc.paths[NOTIFICATIONS]!)).toEqual(["get"]);
    const patch =
      doc.paths["/api/admin/settings"]!.patch!.requestBody!.content["application/json"]!.schema;
    expect(patch.properties!.email_reminders).toMatchObject({ type: "boolean" });
  });

  it("is newest first and bounded: none older than 30 days, then the last 1,000", async () => {
    const t = await makeTenant({ reminderSeconds: 60 });
    await useDeliverableEmails(t);
    const first = await escalate(t, { conversation_id: "conv-a" });
    const now = Date.now();
    const insertSent = (id: string, at: number) =>
      runInDurableObject(hub(t), (_instance, state) => {
        state.storage.sql.exec(
          `INSERT INTO notifications (id, kind, job_id, handoff_id, recipient, subject, status, at) VALUES (?, 'reminder_email', ?, ?, 'old@reminders.test', 'old', 'sent', ?)`,
          id,
          `rem_${id}`,
          first.handoff.id,
          at,
        );
      });
    await insertSent("ntf_31days", now - 31 * 86_400_000);
    await insertSent("ntf_29days", now - 29 * 86_400_000);
    await remindNow(t);
    let log = await notificationsOf(t);
    expect(log.map((n) => (n.subject === "old" ? n.id : n.to))).toEqual([
      ...log.slice(0, 3).map((n) => n.to),
      "ntf_29days",
    ]);
    expect(
      log
        .slice(0, 3)
        .map((n) => n.to)
        .sort(),
    ).toEqual(["admin@reminders.test", "alice@reminders.test", "bob@reminders.test"]);

    // 1,000 more rows within the month, a minute apart (older than the first reminder's 3): with the
    // next reminder's 3 that is 1,007, so the 7 oldest leave (the 29-day row and the last 6 minutes).
    await runInDurableObject(hub(t), (_instance, state) => {
      for (let i = 1; i <= 1_000; i++) {
        state.storage.sql.exec(
          `INSERT INTO notifications (id, kind, job_id, handoff_id, recipient, subject, status, at) VALUES (?, 'reminder_email', ?, ?, 'old@reminders.test', 'old', 'sent', ?)`,
          `ntf_min${i}`,
          `rem_min${i}`,
          first.handoff.id,
          now - i * 60_000,
        );
      }
    });
    const second = await escalate(t, { conversation_id: "conv-b" });
    await remindNow(t);
    log = await notificationsOf(t);
    expect(log).toHaveLength(1_000);
    expect(log.slice(0, 3).map((n) => n.handoff_id)).toEqual([
      second.handoff.id,
      second.handoff.id,
      second.handoff.id,
    ]);
    const at = log.map((n) => Date.parse(n.at));
    expect(at).toEqual([...at].sort((a, b) => b - a));
    expect(log.at(-1)!.id).toBe("ntf_min994");
  });
});
