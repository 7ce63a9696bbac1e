// `npm run standin` against a real `wrangler dev` whose provider API bases point at it: the
// whole conversation of README "Channels" for each provider, typed into the stand-in as the
// contact, with Alice working the handoff through the API. Contact → the stand-in's demo bot
// answers → "human" opens a handoff → Alice claims and replies → the contact reads the accept
// message and the reply → resolve → the resolve message and the bot again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ACCEPT_MESSAGE,
  api,
  BOT_ANSWER,
  HANDOFF_MESSAGE,
  login,
  openHandoffOf,
  RESOLVE_MESSAGE,
  StandIn,
  startApp,
  until,
  WELCOME_BACK,
  type App,
  type Detail,
} from "./standin-helpers";
import type { Handoff } from "../../schema/shapes";

let app: App;
let running: StandIn | null = null;

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});
afterEach(() => {
  running?.kill();
  running = null;
});

const REPLY = "Hi Maria, Alice here. What can I do for you?";

const detailOf = (cookie: string, handoff: Handoff) =>
  api<Detail>(app, "GET", `/api/handoffs/${handoff.id}`, { cookie });

/** Plays the whole conversation through a stand-in of `type`; answers what the checks need. */
async function wholeConversation(type: "telegram" | "whatsapp") {
  const standin = (running = new StandIn(app, [type]));
  const channelId = (await standin.printed(/Connected channel (ch_\w+) /))[1]!;
  await standin.printed(/Ready: type as Maria Lopez/);
  const [admin, alice] = [await login(app, "admin@demo.test"), await login(app, "alice@demo.test")];
  const { bot } = await api<{ bot: { webhook_url: string | null } }>(
    app,
    "GET",
    "/api/admin/bots/bot_demo",
    { cookie: admin },
  );
  expect(bot.webhook_url).toBe(`http://127.0.0.1:${app.standinPort}/hook`);

  // The bot owns the conversation: it gets message.received and answers.
  standin.say("hello");
  expect(await standin.receivedAtLeast(1)).toEqual([BOT_ANSWER]);

  // The handoff keyword opens a handoff with the conversation so far.
  standin.say("I want a human, please");
  expect(await standin.receivedAtLeast(2)).toEqual([BOT_ANSWER, HANDOFF_MESSAGE]);
  const handoff = await openHandoffOf(app, alice, channelId);
  expect(handoff).toMatchObject({
    status: "queued",
    channel: type,
    conversation_id: expect.stringMatching(new RegExp(`^${channelId}:`)),
    contact: { name: "Maria Lopez" },
  });
  const opened = await detailOf(alice, handoff);
  expect(opened.messages.filter((m) => m.from !== "system").map((m) => [m.from, m.text])).toEqual([
    ["contact", "hello"],
    ["bot", BOT_ANSWER],
    ["contact", "I want a human, please"],
  ]);

  // Alice claims and replies: the contact reads her name, then her reply.
  await api(app, "POST", `/api/handoffs/${handoff.id}/claim`, { cookie: alice });
  await api(app, "POST", `/api/handoffs/${handoff.id}/messages`, {
    cookie: alice,
    body: { text: REPLY },
    status: 201,
  });
  expect((await standin.receivedAtLeast(4)).slice(2)).toEqual([ACCEPT_MESSAGE, REPLY]);
  await standin.printed(/bot ⇠ handoff\.claimed by Alice \(delivered_by: channel/);

  // While the handoff is open, what the contact writes joins its transcript.
  standin.say("Thanks! My order is 1042.");
  await until("the contact's message in the transcript", async () =>
    (await detailOf(alice, handoff)).messages.some((m) => m.text === "Thanks! My order is 1042."),
  );

  // Resolved back to the bot: the resolve message, the bot's welcome, and the bot answers again.
  await api(app, "POST", `/api/handoffs/${handoff.id}/resolve`, {
    cookie: alice,
    body: { outcome: "return_to_bot" },
  });
  expect((await standin.receivedAtLeast(6)).slice(4)).toEqual([RESOLVE_MESSAGE, WELCOME_BACK]);
  standin.say("One more question");
  expect((await standin.receivedAtLeast(7)).slice(6)).toEqual([BOT_ANSWER]);
  const open = await api<{ handoffs: Handoff[] }>(
    app,
    "GET",
    "/api/handoffs?status=queued,active",
    {
      cookie: alice,
    },
  );
  expect(open.handoffs.filter((h) => h.conversation_id.startsWith(`${channelId}:`))).toEqual([]);

  // Ctrl+D: it waits for the last answers, gives the demo bot its webhook back and exits.
  expect(await standin.end()).toBe(0);
  expect(standin.received()).toEqual([
    BOT_ANSWER,
    HANDOFF_MESSAGE,
    ACCEPT_MESSAGE,
    REPLY,
    RESOLVE_MESSAGE,
    WELCOME_BACK,
    BOT_ANSWER,
  ]);
  expect(standin.output).toContain("Restored the demo bot's webhook_url to none.");
  const after = await api<{ bot: { webhook_url: string | null } }>(
    app,
    "GET",
    "/api/admin/bots/bot_demo",
    { cookie: admin },
  );
  expect(after.bot.webhook_url).toBeNull();
  return { standin, alice, handoff, detail: await detailOf(alice, handoff) };
}

describe("npm run standin", () => {
  it("telegram: registers the webhook through the stand-in and carries a whole conversation", async () => {
    const { standin, detail } = await wholeConversation("telegram");
    expect(standin.output).toMatch(
      /✓ setWebhook received: http:\/\/127\.0\.0\.1:\d+\/api\/channels\/telegram\/ch_\w+, with the secret token/,
    );
    // Telegram's answer to sendMessage is the delivery.
    expect(detail.messages.find((m) => m.text === REPLY)?.delivery).toBe("delivered");
  });

  it("whatsapp: answers the verification handshake, signs its deliveries and reports read receipts", async () => {
    const { standin, alice, handoff } = await wholeConversation("whatsapp");
    expect(standin.output).toMatch(
      /✓ verification handshake: the app echoed hub\.challenge \d+; a wrong verify token got HTTP 403/,
    );
    // The stand-in posted sent → delivered → read for Alice's reply, as WhatsApp does.
    const detail = await detailOf(alice, handoff);
    expect(detail.messages.find((m) => m.text === REPLY)?.delivery).toBe("read");
  });

  it("--no-bot --say: every message goes to the agents; it exits once the answers settle", async () => {
    const standin = (running = new StandIn(app, ["telegram", "--no-bot", "--say", "Hello there"]));
    expect(await standin.exitCode()).toBe(0);
    expect(standin.received()).toEqual([HANDOFF_MESSAGE]);
    const channelId = /Connected channel (ch_\w+) /.exec(standin.output)![1]!;
    const alice = await login(app, "alice@demo.test");
    const handoff = await openHandoffOf(app, alice, channelId);
    expect(handoff).toMatchObject({ channel: "telegram", contact: { name: "Maria Lopez" } });
    // The demo bot was left alone: no webhook pointed at the stand-in, none to restore.
    expect(standin.output).not.toContain("webhook_url");
  });
});
