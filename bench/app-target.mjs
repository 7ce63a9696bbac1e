// The app as the bench drives it: the demo tenant, 24 more agents created through the admin API
// (so 20 distinct agents can race and 500 sockets fit in 20 per session), one API key per
// concurrent sender (the per-key rate limit is 1,000 requests per 10 s), each agent logged in once.
import { expect, openSocket, openSockets, request } from "./client.mjs";

const PASSWORD = "handoff-demo";
const BENCH_PASSWORD = "bench-password-1";
const BOT_ID = "bot_demo";
export const SOCKETS_PER_SESSION = 20;

export async function appTarget(base, { agents = 24, keys = 16, log }) {
  const wsUrl = base.replace(/^http/, "ws") + "/api/ws";
  const login = async (email, password) => {
    const res = await expect(200, `${base}/api/auth/login`, {
      method: "POST",
      body: { email, password },
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("hi_session="));
    if (!cookie) throw new Error(`no session cookie for ${email}`);
    return { email, cookie: cookie.split(";")[0] };
  };

  log(`Creating ${agents} agents and ${keys} API keys, logging everyone in once…`);
  const admin = await login("admin@demo.test", PASSWORD);
  const adminHeaders = { cookie: admin.cookie };
  for (let i = 1; i <= agents; i++) {
    const email = `bench-${String(i).padStart(2, "0")}@demo.test`;
    await expect(201, `${base}/api/admin/agents`, {
      method: "POST",
      headers: adminHeaders,
      body: { email, name: `Bench ${i}`, password: BENCH_PASSWORD },
    });
  }
  const apiKeys = [];
  for (let i = 0; i < keys; i++) {
    const res = await expect(201, `${base}/api/admin/api-keys`, {
      method: "POST",
      headers: adminHeaders,
      body: { bot_id: BOT_ID, name: `bench sender ${i}` },
    });
    apiKeys.push(res.json.key);
  }
  const sessions = [
    await login("alice@demo.test", PASSWORD),
    await login("bob@demo.test", PASSWORD),
  ];
  for (let i = 1; i <= agents; i++)
    sessions.push(await login(`bench-${String(i).padStart(2, "0")}@demo.test`, BENCH_PASSWORD));

  const bot = (sender) => ({ authorization: `Bearer ${apiKeys[sender % apiKeys.length]}` });
  let escalations = 0;
  const escalate = async (sender, extra = {}) => {
    const n = ++escalations;
    const res = await expect(201, `${base}/api/v1/handoffs`, {
      method: "POST",
      headers: bot(sender),
      body: {
        conversation_id: `bench-conv-${n}`,
        channel: "web",
        contact: { id: `bench-contact-${n}`, name: `Contact ${n}` },
        reason: "asked for a human",
        summary: "Wants to change the delivery address of an order",
        tags: ["bench"],
        history: [
          { id: `h-${n}-1`, from: "contact", text: "I need to change my address" },
          { id: `h-${n}-2`, from: "bot", text: "Let me get you a person." },
        ],
        ...extra,
      },
    });
    return res.json.handoff;
  };

  return {
    name: "app",
    maxSockets: sessions.length * SOCKETS_PER_SESSION,
    racers: 20,
    sessions,

    /** Sockets spread over the sessions, at most 20 on each. */
    openSockets: (n) =>
      openSockets(n, (i) => ({
        url: wsUrl,
        headers: { cookie: sessions[i % sessions.length].cookie },
      })),
    openRacerSocket: (agent) => openSocket(wsUrl, { cookie: sessions[agent].cookie }),

    /** An open handoff per sender, so contact messages are routed to agents. */
    async conversations(count) {
      const ids = [];
      for (let i = 0; i < count; i++) ids.push((await escalate(i)).conversation_id);
      return ids;
    },
    contactMessage: (sender, conversation_id, id, text) =>
      request(`${base}/api/v1/messages`, {
        method: "POST",
        headers: bot(sender),
        body: { conversation_id, id, text },
      }),
    contactBatch: (sender, messages) =>
      request(`${base}/api/v1/messages`, {
        method: "POST",
        headers: bot(sender),
        body: { messages },
      }),
    acceptedStatus: 202,

    async claimables(count) {
      const ids = [];
      for (let i = 0; i < count; i++) ids.push((await escalate(i)).id);
      return ids;
    },
    claimHttp: (agent, id) =>
      request(`${base}/api/handoffs/${id}/claim`, {
        method: "POST",
        headers: { cookie: sessions[agent].cookie },
      }),
    claimFrame: (agent, id, ref) => ({ type: "claim", ref, handoff_id: id }),
    resolveFrame: (id, ref) => ({ type: "resolve", ref, handoff_id: id, outcome: "close" }),

    /** Escalates one handoff that expires after `seconds`; answers its id and expires_at. */
    async expiring(seconds) {
      const handoff = await escalate(0, { max_wait_seconds: seconds });
      return { id: handoff.id, expiresAt: Date.parse(handoff.expires_at) };
    },

    /** Opens `count` handoffs from 16 concurrent senders; answers their ids. */
    async fill(count, senders = 16) {
      const ids = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: senders }, async (_, sender) => {
          while (next < count) {
            next++;
            ids.push((await escalate(sender)).id);
          }
        }),
      );
      return ids;
    },
    botHeaders: bot,
    /** A request that only looks the session up (in D1) and answers: the per-request toll. */
    whoami: () => request(`${base}/api/me`, { headers: { cookie: sessions[0].cookie } }),
    list: (limit) =>
      request(`${base}/api/handoffs?limit=${limit}`, { headers: { cookie: sessions[0].cookie } }),
  };
}
