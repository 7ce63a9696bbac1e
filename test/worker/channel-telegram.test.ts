// Telegram through the Worker: the secret token checked on every update, the three routing
// branches (open handoff, handoff keyword or no bot, the bot's message.received), redeliveries
// and bursts, every text going out through sendMessage in order, retries on 429 with
// retry_after, the bot's webhooks marked delivered_by "channel", and another tenant's channel.
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  call,
  claim,
  detail,
  expectError,
  fastForward,
  hubRows,
  json,
  login,
  resolve,
  runAlarm,
  settle,
  timerDue,
  verifiedWebhooks,
  waitUntil,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { settled, sink, sinkState } from "./outbox";
import {
  connectTelegram,
  postTelegram,
  providerAnswers,
  providerRequests,
  telegramSendPath,
  telegramText,
  type ConnectedChannel,
} from "./channel-helpers";
import type { Handoff } from "../../schema/shapes";
import type { HandoffDetail } from "./answers";

afterEach(() => AgentSocket.closeAll());

let chats = 7_000_000;
const nextChat = () => ++chats;

/** The texts the Worker sent to one Telegram chat, in order. */
async function sentTo(chatId: number, atLeast = 0): Promise<string[]> {
  await waitUntil(`${atLeast} texts to chat ${chatId}`, async () => {
    const all = await providerRequests(telegramSendPath);
    return all.filter((r) => JSON.parse(r.body).chat_id === String(chatId)).length >= atLeast;
  });
  return (await providerRequests(telegramSendPath))
    .map((r) => JSON.parse(r.body) as { chat_id: string; text: string })
    .filter((m) => m.chat_id === String(chatId))
    .map((m) => m.text);
}

async function openHandoffs(cookie: string): Promise<Handoff[]> {
  return (
    await json<{ handoffs: Handoff[] }>("/api/handoffs?status=queued,active", {
      cookie,
      status: 200,
    })
  ).handoffs;
}

async function setUp(options: { withBot: boolean }) {
  const t = await makeTenant();
  const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
  const channel = await connectTelegram(admin, options.withBot ? { bot_id: t.botId } : {});
  return { t, admin, alice, channel };
}

const handoffOf = async (cookie: string, channel: ConnectedChannel, chatId: number) =>
  (await openHandoffs(cookie)).find((h) => h.conversation_id === `${channel.channel.id}:${chatId}`);

describe("Telegram inbound", () => {
  it("refuses an update without the channel's secret token, and changes nothing", async () => {
    const { alice, channel } = await setUp({ withBot: false });
    const chat = nextChat();
    for (const secret of [undefined, "wrong-secret", `${channel.secret_token}x`]) {
      const res = await postTelegram(channel, telegramText(chat, "human"), secret ?? "");
      expect(res.status).toBe(401);
    }
    expect(await handoffOf(alice, channel, chat)).toBeUndefined();
    await expectError(
      postTelegram({ ...channel, channel: { ...channel.channel, id: "ch_nope" } }, {}),
      404,
      "not_found",
    );
  });

  it("a channel without a bot opens a handoff for the first message; later ones join it", async () => {
    const { t, alice, channel } = await setUp({ withBot: false });
    const chat = nextChat();
    expect((await postTelegram(channel, telegramText(chat, "Hola, my order is late"))).status).toBe(
      200,
    );
    const handoff = await handoffOf(alice, channel, chat);
    expect(handoff).toMatchObject({
      status: "queued",
      channel: "telegram",
      contact: { id: String(chat), name: "Maria Lopez" },
      reason: "asked for a human",
    });
    await postTelegram(channel, telegramText(chat, "Order 1042"));
    const full = await detail(alice, handoff!.id);
    expect(full.messages.filter((m) => m.from === "contact").map((m) => m.text)).toEqual([
      "Hola, my order is late",
      "Order 1042",
    ]);
    // The contact was told, through Telegram, that a person is coming.
    await settle(t);
    expect(await sentTo(chat, 1)).toEqual([full.messages.find((m) => m.from === "system")!.text]);
  });

  it("with a bot: plain messages go to the bot as message.received; a handoff keyword opens a handoff with the conversation so far", async () => {
    const { t, alice, channel } = await setUp({ withBot: true });
    const chat = nextChat();
    await postTelegram(channel, telegramText(chat, "Where is my parcel?"));
    expect(await handoffOf(alice, channel, chat)).toBeUndefined();
    await settle(t);
    const received = (await verifiedWebhooks(t)).filter(
      (w) => w.event.type === ("message.received" as string),
    );
    expect(received).toHaveLength(1);
    const conversationId = `${channel.channel.id}:${chat}`;
    expect(received[0]!.event.data).toMatchObject({
      conversation_id: conversationId,
      channel: "telegram",
      contact: { id: String(chat) },
      message: { text: "Where is my parcel?" },
    });
    // The bot answers through the conversations API; it goes out through Telegram.
    await json(`/api/v1/conversations/${encodeURIComponent(conversationId)}/messages`, {
      key: t.apiKey,
      body: { text: "It left the warehouse today." },
      status: 201,
    });
    await settle(t);
    expect(await sentTo(chat, 1)).toEqual(["It left the warehouse today."]);

    await postTelegram(channel, telegramText(chat, "I want to talk to a HUMAN please"));
    const handoff = await handoffOf(alice, channel, chat);
    expect(handoff).toBeDefined();
    const full = await detail(alice, handoff!.id);
    expect(full.messages.filter((m) => m.from !== "system").map((m) => [m.from, m.text])).toEqual([
      ["contact", "Where is my parcel?"],
      ["bot", "It left the warehouse today."],
      ["contact", "I want to talk to a HUMAN please"],
    ]);
    // The history was already said: the chat gets the handoff message, not the bot's answer again.
    await settle(t);
    const handoffMessage = full.messages.find((m) => m.from === "system")!.text;
    expect(await sentTo(chat, 2)).toEqual(["It left the warehouse today.", handoffMessage]);
  });

  it("a keyword only counts as a whole word", async () => {
    const { alice, channel } = await setUp({ withBot: true });
    const chat = nextChat();
    await postTelegram(channel, telegramText(chat, "Are you humane? My agency says no"));
    expect(await handoffOf(alice, channel, chat)).toBeUndefined();
  });

  it("a redelivered update is taken once; a burst from one contact opens one handoff", async () => {
    const { alice, channel } = await setUp({ withBot: false });
    const chat = nextChat();
    const first = telegramText(chat, "hello?");
    await Promise.all([
      postTelegram(channel, first),
      postTelegram(channel, first),
      postTelegram(channel, telegramText(chat, "anyone?")),
      postTelegram(channel, telegramText(chat, "please")),
    ]);
    await postTelegram(channel, first);
    const open = (await openHandoffs(alice)).filter((h) =>
      h.conversation_id.startsWith(`${channel.channel.id}:${chat}`),
    );
    expect(open).toHaveLength(1);
    const full = await detail(alice, open[0]!.id);
    expect(
      full.messages
        .filter((m) => m.from === "contact")
        .map((m) => m.text)
        .sort(),
    ).toEqual(["anyone?", "hello?", "please"].sort());
  });
});

describe("Telegram outbound", () => {
  it("the accept message, agent replies and the resolve message reach the chat in order, each marked delivered", async () => {
    const { t, alice, channel } = await setUp({ withBot: false });
    const chat = nextChat();
    await postTelegram(channel, telegramText(chat, "help"));
    const handoff = (await handoffOf(alice, channel, chat))!;
    await claim(alice, handoff.id);
    await json(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Hi Maria, I am on it." },
      status: 201,
    });
    await resolve(alice, handoff.id);
    await settle(t);
    const texts = await sentTo(chat, 4);
    expect(texts).toHaveLength(4);
    expect(texts[1]).toContain("Alice");
    expect(texts[2]).toBe("Hi Maria, I am on it.");
    const full = await detail(alice, handoff.id);
    const reply = full.messages.find((m) => m.from === "agent")!;
    expect(reply.delivery).toBe("delivered");
  });

  it("a text queued while another is in flight: the alarm runs again, yet each goes out once, in order", async () => {
    const { t, alice, channel } = await setUp({ withBot: false });
    const chat = nextChat();
    await sink(telegramSendPath, { hang: 1 }); // Telegram takes its time with the first text
    await postTelegram(channel, telegramText(chat, "help"));
    const handoff = (await handoffOf(alice, channel, chat))!;
    await runAlarm(t);
    await waitUntil("the handoff message in flight", async () => {
      return (await sinkState(telegramSendPath)).held === 1;
    });
    await claim(alice, handoff.id); // the accept message is queued: the alarm is due again
    await runAlarm(t);
    await sink(telegramSendPath, { release: 1 });
    await settled(t); // the held send included
    await settle(t);
    const full = await detail(alice, handoff.id);
    const told = full.messages.filter((m) => m.from === "system").map((m) => m.text);
    expect(told).toHaveLength(2);
    expect(await sentTo(chat, 2)).toEqual(told);
  });

  it("a 429 is retried after retry_after, in order; a refusal fails the message with the reason", async () => {
    const { t, alice, channel } = await setUp({ withBot: false });
    const chat = nextChat();
    await postTelegram(channel, telegramText(chat, "help"));
    const handoff = (await handoffOf(alice, channel, chat))!;
    await settle(t);
    await sentTo(chat, 1);
    await providerAnswers(telegramSendPath, {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 7",
        parameters: { retry_after: 7 },
      },
    });
    await claim(alice, handoff.id);
    const before = Date.now();
    await runAlarm(t);
    await waitUntil("the 429 answered", async () => (await sentTo(chat)).length >= 2);
    // Held for at least retry_after, with the accept message still first in line.
    const due = await timerDue(t, "send", `${channel.channel.id}:${chat}`);
    expect(due).toBeGreaterThanOrEqual(before + 7_000);
    // Time passes: the wait is over.
    await hubRows(t, `UPDATE channel_sends SET next_at = 0 WHERE status = 'pending'`);
    await fastForward(t, ["send"]);
    await runAlarm(t);
    await settle(t);
    const texts = await sentTo(chat, 3);
    expect(texts[1]).toBe(texts[2]); // the same accept message, sent again

    await providerAnswers(telegramSendPath, {
      status: 403,
      body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" },
    });
    const sent = await json<{ message: { id: string } }>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Are you there?" },
      status: 201,
    });
    await settle(t);
    const full: HandoffDetail = await detail(alice, handoff.id);
    const failed = full.messages.find((m) => m.id === sent.message.id)!;
    expect(failed.delivery).toBe("failed");
    expect(failed.delivery_error).toContain("blocked");
  });

  it("the expiry message reaches the chat when nobody claims in time", async () => {
    const { t, alice, channel } = await setUp({ withBot: false });
    const chat = nextChat();
    await postTelegram(channel, telegramText(chat, "anyone there?"));
    const handoff = (await handoffOf(alice, channel, chat))!;
    await fastForward(t, ["expire"]);
    await runAlarm(t);
    await settle(t);
    const full = await detail(alice, handoff.id);
    expect(full.handoff.status).toBe("expired");
    const expiry = full.messages.filter((m) => m.from === "system").at(-1)!;
    expect(await sentTo(chat, 2)).toEqual([full.messages[1]!.text, expiry.text]);
    expect(expiry.delivery).toBe("delivered");
  });

  it("a conversation held back by a 429 does not hold back another", async () => {
    const { t, alice, channel } = await setUp({ withBot: false });
    const [slow, fast] = [nextChat(), nextChat()];
    await postTelegram(channel, telegramText(slow, "first"));
    await settle(t);
    await providerAnswers(telegramSendPath, {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: "Too Many Requests",
        parameters: { retry_after: 30 },
      },
    });
    const held = (await handoffOf(alice, channel, slow))!;
    await claim(alice, held.id); // its accept message meets the 429
    await runAlarm(t);
    await waitUntil("the 429 answered", async () => (await sentTo(slow)).length >= 2);
    await postTelegram(channel, telegramText(fast, "second"));
    await runAlarm(t);
    expect(await sentTo(fast, 1)).toHaveLength(1);
    const slowDetail = await detail(alice, held.id);
    expect(slowDetail.messages.filter((m) => m.delivery === "pending")).toHaveLength(1);
  });

  it("the bot's webhooks about a channel conversation say delivered_by channel", async () => {
    const { t, alice, channel } = await setUp({ withBot: true });
    const chat = nextChat();
    await postTelegram(channel, telegramText(chat, "agent"));
    const handoff = (await handoffOf(alice, channel, chat))!;
    await claim(alice, handoff.id);
    await settle(t);
    const claimed = (await verifiedWebhooks(t)).find((w) => w.event.type === "handoff.claimed");
    expect(claimed?.event.data).toMatchObject({ delivered_by: "channel" });
  });
});

describe("isolation", () => {
  it("a bot cannot write to another tenant's channel conversation", async () => {
    const { channel } = await setUp({ withBot: true });
    const other: TestTenant = await makeTenant();
    await expectError(
      call(`/api/v1/conversations/${encodeURIComponent(`${channel.channel.id}:1`)}/messages`, {
        key: other.apiKey,
        body: { text: "hi" },
      }),
      404,
      "not_found",
    );
  });
});
