// A bot's webhooks for its admins: the recent deliveries (with each one's last HTTP status), sending
// one again under the same webhook-id, and a signed test event, which holds no conversation back.
// Admins act, viewers read, agents and other tenants get nothing.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { WebhookDelivery } from "../../schema/webhook-deliveries";
import { call, claim, detail, escalate, expectError, hubRows, json, login, settle } from "./client";
import { makeTenant, WEBHOOK_SECRET, type TestTenant } from "./fixtures";
import { answeredTypes, failNext, retryWebhooksNow, runAlarmFully, sinkState } from "./outbox";
import type { MessageAnswer, OpenApiDocument } from "./answers";

interface DeliveryList {
  deliveries: WebhookDelivery[];
}
interface DeliveryAnswer {
  delivery: WebhookDelivery;
}

const path = (t: TestTenant, rest = "") => `/api/admin/bots/${t.botId}${rest}`;

async function deliveries(t: TestTenant, cookie: string): Promise<WebhookDelivery[]> {
  return (await json<DeliveryList>(path(t, "/deliveries"), { cookie, status: 200 })).deliveries;
}

function ofType(list: WebhookDelivery[], type: string): WebhookDelivery {
  const matching = list.filter((d) => d.type === type);
  expect(matching, type).toHaveLength(1);
  return matching[0]!;
}

async function redeliver(t: TestTenant, cookie: string, id: string): Promise<WebhookDelivery> {
  return (
    await json<DeliveryAnswer>(path(t, `/deliveries/${id}/redeliver`), {
      method: "POST",
      cookie,
      status: 202,
    })
  ).delivery;
}

/** The requests the bot's endpoint answered for one webhook-id, as "type:status". */
async function attemptsOf(t: TestTenant, id: string): Promise<string[]> {
  return (await sinkState(t.webhookPath)).answered
    .filter((d) => d.headers["webhook-id"] === id)
    .map((d) => `${d.event.type}:${d.status}`);
}

/** A claimed handoff whose greeting the bot took; returns the cookie and the handoff id. */
async function claimedAndDelivered(t: TestTenant): Promise<{ cookie: string; handoffId: string }> {
  const cookie = await login(t.alice);
  const { handoff } = await escalate(t);
  await claim(cookie, handoff.id);
  await settle(t);
  return { cookie, handoffId: handoff.id };
}

describe("who may see and act on a bot's deliveries", () => {
  it("admins and viewers read them; only admins send again or test; agents get nothing", async () => {
    const t = await makeTenant();
    const [admin, viewer, agent] = await Promise.all([
      login(t.admin),
      login(t.viewer),
      login(t.alice),
    ]);
    const { delivery } = await json<DeliveryAnswer>(path(t, "/test-event"), {
      method: "POST",
      cookie: admin,
      status: 202,
    });
    expect((await deliveries(t, viewer)).map((d) => d.id)).toEqual([delivery.id]);

    await expectError(call(path(t, "/deliveries"), { cookie: agent }), 403, "forbidden");
    await expectError(call(path(t, "/deliveries")), 401, "unauthorized");
    for (const cookie of [viewer, agent]) {
      await expectError(call(path(t, "/test-event"), { method: "POST", cookie }), 403, "forbidden");
      await expectError(
        call(path(t, `/deliveries/${delivery.id}/redeliver`), { method: "POST", cookie }),
        403,
        "forbidden",
      );
    }
    await settle(t);
    expect((await sinkState(t.webhookPath)).answered).toHaveLength(1);
  });

  it("another tenant's bot and another bot's delivery are not found, and nothing is sent", async () => {
    const t = await makeTenant();
    const other = await makeTenant();
    const [admin, otherAdmin] = await Promise.all([login(t.admin), login(other.admin)]);
    const { delivery } = await json<DeliveryAnswer>(path(t, "/test-event"), {
      method: "POST",
      cookie: admin,
      status: 202,
    });
    await settle(t);

    await expectError(call(path(t, "/deliveries"), { cookie: otherAdmin }), 404, "not_found");
    await expectError(
      call(path(t, "/test-event"), { method: "POST", cookie: otherAdmin }),
      404,
      "not_found",
    );
    await expectError(
      call(path(t, `/deliveries/${delivery.id}/redeliver`), { method: "POST", cookie: otherAdmin }),
      404,
      "not_found",
    );
    // Their own bot, with this tenant's delivery id: no such delivery of theirs.
    await expectError(
      call(path(other, `/deliveries/${delivery.id}/redeliver`), {
        method: "POST",
        cookie: otherAdmin,
      }),
      404,
      "not_found",
    );
    await settle(t);
    expect(await attemptsOf(t, delivery.id)).toEqual(["webhook.test:200"]);
    expect(await deliveries(other, otherAdmin)).toEqual([]);
  });
});

describe("the test event", () => {
  it("is a signed webhook.test naming the bot, listed with the code the bot answered", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { delivery } = await json<DeliveryAnswer>(path(t, "/test-event"), {
      method: "POST",
      cookie: admin,
      status: 202,
    });
    expect(delivery).toMatchObject({
      type: "webhook.test",
      handoff_id: null,
      status: "pending",
      attempts: 0,
      last_status_code: null,
      delivered_at: null,
    });

    await settle(t);
    const [received] = (await sinkState(t.webhookPath)).answered;
    new Webhook(WEBHOOK_SECRET).verify(received!.body, received!.headers);
    expect(received!.headers["webhook-id"]).toBe(delivery.id);
    expect(JSON.parse(received!.body)).toEqual({
      type: "webhook.test",
      timestamp: delivery.created_at,
      data: { bot: { id: t.botId, name: "Test bot" } },
    });
    expect(await deliveries(t, admin)).toEqual([
      {
        ...delivery,
        status: "delivered",
        attempts: 1,
        last_status_code: 200,
        delivered_at: expect.any(String),
        next_attempt_at: null,
      },
    ]);
  });

  it("failing, it holds back no conversation's webhooks, and shows the code and when it is retried", async () => {
    const t = await makeTenant();
    const [admin, cookie] = await Promise.all([login(t.admin), login(t.alice)]);
    const { handoff } = await escalate(t);
    await failNext(t, 1);
    const test = (
      await json<DeliveryAnswer>(path(t, "/test-event"), {
        method: "POST",
        cookie: admin,
        status: 202,
      })
    ).delivery;
    await runAlarmFully(t);
    const failed = ofType(await deliveries(t, admin), "webhook.test");
    expect(failed).toMatchObject({
      status: "pending",
      attempts: 1,
      last_status_code: 503,
      last_error: "HTTP 503",
    });
    expect(Date.parse(failed.next_attempt_at!)).toBeGreaterThan(Date.now());

    await claim(cookie, handoff.id);
    await runAlarmFully(t);
    // The claim's greeting went out at once; the test event is retried (now, as the bot is back).
    expect((await answeredTypes(t)).slice(0, 2)).toEqual([
      "webhook.test:503",
      "handoff.claimed:200",
    ]);
    expect(ofType(await deliveries(t, admin), "handoff.claimed")).toMatchObject({
      status: "delivered",
      handoff_id: handoff.id,
      last_status_code: 200,
    });
    await settle(t);
    expect(await attemptsOf(t, test.id)).toEqual(["webhook.test:503", "webhook.test:200"]);
  });

  it("a bot without a webhook URL is refused, naming the field", async () => {
    const t = await makeTenant({ webhook: false });
    const admin = await login(t.admin);
    const error = await expectError(
      call(path(t, "/test-event"), { method: "POST", cookie: admin }),
      400,
      "invalid_request",
    );
    expect(error.issues?.map((i) => i.path)).toEqual(["webhook_url"]);
    expect(await deliveries(t, admin)).toEqual([]);
  });

  it("the list shows the newest 50, newest first", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const made: string[] = [];
    for (let i = 0; i < 51; i++) {
      const answer = await json<DeliveryAnswer>(path(t, "/test-event"), {
        method: "POST",
        cookie: admin,
        status: 202,
      });
      made.push(answer.delivery.id);
    }
    const listed = await deliveries(t, admin);
    expect(listed.map((d) => d.id)).toEqual(made.slice(1).reverse());
    await settle(t);
  });
});

describe("delivering again", () => {
  it("sends a delivered webhook again with the same webhook-id and body, as one more attempt", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { handoffId } = await claimedAndDelivered(t);
    const greeting = ofType(await deliveries(t, admin), "handoff.claimed");
    expect(greeting).toMatchObject({ status: "delivered", attempts: 1, handoff_id: handoffId });

    const queued = await redeliver(t, admin, greeting.id);
    expect(queued).toMatchObject({ id: greeting.id, status: "pending", attempts: 1 });
    await settle(t);

    const sent = (await sinkState(t.webhookPath)).answered.filter(
      (d) => d.headers["webhook-id"] === greeting.id,
    );
    expect(sent.map((d) => d.status)).toEqual([200, 200]);
    expect(sent[1]!.body).toBe(sent[0]!.body);
    new Webhook(WEBHOOK_SECRET).verify(sent[1]!.body, sent[1]!.headers);
    expect(ofType(await deliveries(t, admin), "handoff.claimed")).toMatchObject({
      status: "delivered",
      attempts: 2,
      last_status_code: 200,
    });
  });

  it("puts a failed one back to pending with its attempts reset, and its reply shows delivered once taken", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { cookie, handoffId } = await claimedAndDelivered(t);
    await failNext(t, 100);
    const { message } = await json<MessageAnswer>(`/api/handoffs/${handoffId}/messages`, {
      cookie,
      body: { text: "Your address is changed." },
      status: 201,
    });
    await runAlarmFully(t);
    // Three days without an answer: the next failure gives it up.
    await hubRows(
      t,
      `UPDATE webhooks SET created_at = created_at - ? WHERE type = 'message.created'`,
      3 * 24 * 3_600_000,
    );
    await retryWebhooksNow(t);
    const failed = ofType(await deliveries(t, admin), "message.created");
    expect(failed).toMatchObject({ status: "failed", attempts: 2, next_attempt_at: null });
    expect(
      (await detail(cookie, handoffId)).messages.find((m) => m.id === message.id)?.delivery,
    ).toBe("failed");

    const queued = await redeliver(t, admin, failed.id);
    expect(queued).toMatchObject({ status: "pending", attempts: 0, last_status_code: 503 });
    expect(
      (await detail(cookie, handoffId)).messages.find((m) => m.id === message.id)?.delivery,
    ).toBe("pending");
    // Still down: sent again by hand, it has three days of retries again, not one attempt.
    await runAlarmFully(t);
    expect(ofType(await deliveries(t, admin), "message.created")).toMatchObject({
      status: "pending",
      attempts: 1,
    });
    await failNext(t, 0);
    await retryWebhooksNow(t);
    await settle(t);

    expect(ofType(await deliveries(t, admin), "message.created")).toMatchObject({
      status: "delivered",
      attempts: 2,
      last_status_code: 200,
    });
    expect(await attemptsOf(t, failed.id)).toEqual([
      "message.created:503",
      "message.created:503",
      "message.created:503",
      "message.created:200",
    ]);
    expect(
      (await detail(cookie, handoffId)).messages.find((m) => m.id === message.id)?.delivery,
    ).toBe("delivered");
  });

  it("waits behind its conversation's webhooks still pending: the order they reach the bot holds", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { cookie, handoffId } = await claimedAndDelivered(t);
    const greeting = ofType(await deliveries(t, admin), "handoff.claimed");
    await failNext(t, 100);
    await json<MessageAnswer>(`/api/handoffs/${handoffId}/messages`, {
      cookie,
      body: { text: "One more thing." },
      status: 201,
    });
    await runAlarmFully(t);

    await redeliver(t, admin, greeting.id);
    await runAlarmFully(t);
    // The reply made before it is still failing: the greeting sent again waits behind it.
    expect(await attemptsOf(t, greeting.id)).toEqual(["handoff.claimed:200"]);

    await failNext(t, 0);
    await retryWebhooksNow(t);
    await settle(t);
    expect((await answeredTypes(t)).slice(-2)).toEqual([
      "message.created:200",
      "handoff.claimed:200",
    ]);
    expect(await attemptsOf(t, greeting.id)).toEqual([
      "handoff.claimed:200",
      "handoff.claimed:200",
    ]);
  });

  it("an unknown delivery is not found", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    await expectError(
      call(path(t, "/deliveries/msg_nope/redeliver"), { method: "POST", cookie: admin }),
      404,
      "not_found",
    );
  });
});

describe("the OpenAPI document", () => {
  it("describes the three endpoints with their path parameters and answers", async () => {
    const doc = await json<OpenApiDocument>("/api/openapi.json", { status: 200 });
    const operations = [
      doc.paths["/api/admin/bots/{id}/deliveries"]?.get,
      doc.paths["/api/admin/bots/{id}/deliveries/{delivery_id}/redeliver"]?.post,
      doc.paths["/api/admin/bots/{id}/test-event"]?.post,
    ];
    expect(operations.map((op) => Object.keys(op?.responses ?? {}).sort())).toEqual([
      ["200", "401", "403", "404"],
      ["202", "400", "401", "403", "404"],
      ["202", "400", "401", "403", "404"],
    ]);
  });
});
