// The floor as the bench drives it: the same acts as the app, against the bare object.
import { openSocket, openSockets, request } from "./client.mjs";

/**
 * With `work`, messages and claims also do the app's SQL and frames per act (floor/app-work.json),
 * on an object of their own.
 */
export function floorTarget(base, { work = false } = {}) {
  const tenant = work ? "?tenant=work" : "";
  const wsUrl = base.replace(/^http/, "ws") + "/ws" + tenant;
  let items = 0;
  const post = (path, body) =>
    request(`${base}${path}${tenant}`, { method: "POST", body: work ? { ...body, work } : body });
  return {
    name: work ? "work" : "floor",
    maxSockets: Infinity,
    racers: 20,
    openSockets: (n) => openSockets(n, () => ({ url: wsUrl, headers: {} })),
    openRacerSocket: () => openSocket(wsUrl),
    async conversations(count) {
      return Array.from({ length: count }, (_, i) => `floor-conv-${i}`);
    },
    contactMessage: (sender, conversation_id, id, text) =>
      post("/messages", { conversation_id, id, text }),
    acceptedStatus: 202,
    async claimables(count) {
      const prefix = `claim-${++items}`;
      await post("/seed", { prefix, count, body_bytes: 0 });
      return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    },
    claimHttp: (agent, id) => post("/claim", { id, agent: `agent-${agent}` }),
    claimFrame: (agent, id, ref) => ({
      type: "claim",
      ref,
      handoff_id: id,
      agent: `agent-${agent}`,
      work,
    }),
    async expiring(seconds) {
      const res = await post("/expiring", { id: `exp-${++items}`, wait_ms: seconds * 1000 });
      return { id: res.json.id, expiresAt: Date.parse(res.json.expires_at) };
    },
    /** Rows as big as the app's serialized handoffs, so both lists carry the same bytes. */
    async fill(count, bodyBytes) {
      await post("/seed", { prefix: `list-${++items}`, count, body_bytes: bodyBytes });
    },
    whoami: () => request(`${base}/health`),
    list: (limit) => request(`${base}/list?limit=${limit}`),
  };
}
