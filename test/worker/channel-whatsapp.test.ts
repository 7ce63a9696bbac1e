// WhatsApp through the Worker: the verification handshake, signed deliveries only, contact
// messages routed like Telegram's, replies sent through the Cloud API, and delivery following
// the provider's statuses (sent, delivered, read; failed with the reason in words).
import { afterEach, describe, expect, it } from "vitest";
import { AgentSocket, call, claim, detail, hubRows, json, login, settle } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import {
  connectWhatsApp,
  postWhatsApp,
  providerRequests,
  signWhatsApp,
  VERIFY_TOKEN,
  whatsAppDelivery,
  whatsAppSendPath,
  whatsAppText,
  type ConnectedChannel,
} from "./channel-helpers";
import type { Handoff, Message } from "../../schema/shapes";
import type { Channel } from "../../schema/channels";

afterEach(() => AgentSocket.closeAll());

let contacts = 34_600_000_000;
const nextContact = () => String(++contacts);

async function handoffOf(cookie: string, channel: ConnectedChannel, waId: string) {
  const { handoffs } = await json<{ handoffs: Handoff[] }>("/api/handoffs?status=queued,active", {
    cookie,
    status: 200,
  });
  return handoffs.find((h) => h.conversation_id === `${channel.channel.id}:${waId}`);
}

async function setUp() {
  const t = await makeTenant();
  const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
  return { t, admin, alice, channel: await connectWhatsApp(admin) };
}

describe("WhatsApp verification", () => {
  it("answers the challenge only to the right verify token", async () => {
    const { channel } = await setUp();
    const path = `/api/channels/whatsapp/${channel.channel.id}`;
    const ok = await call(
      `${path}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    for (const query of [
      `hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`,
      `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`,
      `hub.challenge=1`,
    ])
      expect((await call(`${path}?${query}`)).status).toBe(403);
  });

  it("refuses a delivery with a bad or missing signature, and stores nothing", async () => {
    const { alice, channel } = await setUp();
    const waId = nextContact();
    const delivery = whatsAppText(waId, "human");
    const body = JSON.stringify(delivery);
    for (const signature of [
      null,
      "sha256=00",
      await signWhatsApp(body, "another secret"),
      (await signWhatsApp(body)).replace("sha256=", ""),
    ])
      expect((await postWhatsApp(channel, body, signature)).status).toBe(401);
    expect(await handoffOf(alice, channel, waId)).toBeUndefined();
  });
});

describe("WhatsApp conversations", () => {
  it("opens a handoff (no bot), sends replies through the Cloud API, and follows the statuses", async () => {
    const { t, alice, channel } = await setUp();
    const waId = nextContact();
    expect((await postWhatsApp(channel, whatsAppText(waId, "Hi, I need help"))).status).toBe(200);
    const handoff = (await handoffOf(alice, channel, waId))!;
    expect(handoff).toMatchObject({
      channel: "whatsapp",
      contact: { id: waId, name: "Kenji", phone: `+${waId}` },
    });
    await claim(alice, handoff.id);
    const { message } = await json<{ message: Message }>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Hello Kenji" },
      status: 201,
    });
    await settle(t);
    const requests = await providerRequests(whatsAppSendPath);
    const toContact = requests.filter((r) => JSON.parse(r.body).to === waId);
    expect(toContact.map((r) => JSON.parse(r.body).text.body)).toContain("Hello Kenji");
    const sentReply = toContact.find((r) => JSON.parse(r.body).text.body === "Hello Kenji")!;
    expect(JSON.parse(sentReply.body)).toMatchObject({
      messaging_product: "whatsapp",
      to: waId,
      type: "text",
    });
    expect(sentReply.headers.authorization).toBe("Bearer EAAG-test-access-token");
    const replyState = async () =>
      (await detail(alice, handoff.id)).messages.find((m) => m.id === message.id)!;
    expect((await replyState()).delivery).toBe("sent");

    // The provider's id for it, as the sink answered.
    const wamid = await wamidOf(t, message.id);
    const status = (s: string, extra: Record<string, unknown> = {}) =>
      whatsAppDelivery({
        statuses: [
          {
            id: wamid,
            status: s,
            timestamp: String(Math.floor(Date.now() / 1000)),
            recipient_id: waId,
            ...extra,
          },
        ],
      });
    await postWhatsApp(channel, status("delivered"));
    expect((await replyState()).delivery).toBe("delivered");
    await postWhatsApp(channel, status("read"));
    await postWhatsApp(channel, status("delivered")); // late: never moves it back
    expect((await replyState()).delivery).toBe("read");
  });

  it("a failed status carries the provider's reason in words", async () => {
    const { t, alice, channel } = await setUp();
    const waId = nextContact();
    await postWhatsApp(channel, whatsAppText(waId, "help"));
    const handoff = (await handoffOf(alice, channel, waId))!;
    await claim(alice, handoff.id);
    const { message } = await json<{ message: Message }>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Sorry for the wait" },
      status: 201,
    });
    await settle(t);
    const wamid = await wamidOf(t, message.id);
    await postWhatsApp(
      channel,
      whatsAppDelivery({
        statuses: [
          {
            id: wamid,
            status: "failed",
            timestamp: String(Math.floor(Date.now() / 1000)),
            recipient_id: waId,
            errors: [
              {
                code: 131047,
                title: "Re-engagement message",
                message: "Re-engagement message",
                error_data: {
                  details:
                    "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
                },
              },
            ],
          },
        ],
      }),
    );
    const failed = (await detail(alice, handoff.id)).messages.find((m) => m.id === message.id)!;
    expect(failed.delivery).toBe("failed");
    expect(failed.delivery_error).toMatch(/24.hour/);
  });

  it("malformed deliveries, once signed, are answered 200, change nothing and show as the channel's last error", async () => {
    const { admin, alice, channel } = await setUp();
    for (const body of [
      "not json at all",
      "null",
      "[]",
      JSON.stringify({ entry: "nope" }),
      JSON.stringify({ entry: [{ changes: [{ value: { messages: [{ from: 5, id: null }] } }] }] }),
      JSON.stringify(whatsAppDelivery({ messages: [{ type: "text" }] })),
    ]) {
      const res = await postWhatsApp(channel, body, await signWhatsApp(body));
      expect(res.status, body).toBe(200);
    }
    const { handoffs } = await json<{ handoffs: Handoff[] }>("/api/handoffs?status=queued,active", {
      cookie: alice,
      status: 200,
    });
    expect(handoffs.filter((h) => h.conversation_id.startsWith(channel.channel.id))).toEqual([]);
    const shown = await json<{ channel: Channel }>(`/api/admin/channels/${channel.channel.id}`, {
      cookie: admin,
      status: 200,
    });
    expect(shown.channel.last_error).toEqual(expect.any(String));
    expect(shown.channel.last_error_at).toEqual(expect.any(String));
  });
});

/** The provider's id for a sent message, as the sink answered (the object's record of sends). */
async function wamidOf(t: TestTenant, messageId: string): Promise<string> {
  const rows = await hubRows<{ provider_id: string | null }>(
    t,
    `SELECT provider_id FROM channel_sends WHERE message_id = ?`,
    messageId,
  );
  expect(rows[0]?.provider_id).toMatch(/^wamid\./);
  return rows[0]!.provider_id!;
}
