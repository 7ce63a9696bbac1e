// Ingest: contact messages per second from 16 concurrent senders, each on its own conversation
// (with an open handoff, so every message is stored and routed to agents) and its own API key.

let batchNo = 0;

/** Messages accepted per second over `durationMs`; `batch` > 1 sends {"messages": [...]}. */
export async function ingestRound(target, conversations, { durationMs, batch = 1 }) {
  let accepted = 0;
  let failed = 0;
  const errors = new Set();
  const started = performance.now();
  const until = started + durationMs;
  let finished = started;
  await Promise.all(
    conversations.map(async (conversation, sender) => {
      let n = 0;
      while (performance.now() < until) {
        const tag = `${target.name}-${++batchNo}-${sender}`;
        if (batch === 1) {
          const res = await target.contactMessage(
            sender,
            conversation,
            `in-${tag}-${n++}`,
            "Any news on my order?",
          );
          if (res.status === target.acceptedStatus) accepted++;
          else (failed++, errors.add(`${res.status} ${res.text.slice(0, 120)}`));
        } else {
          const messages = Array.from({ length: batch }, (_, i) => ({
            conversation_id: conversation,
            id: `in-${tag}-${i}`,
            text: "Any news on my order?",
          }));
          const res = await target.contactBatch(sender, messages);
          if (res.status === 200 && res.json?.results?.length === batch) accepted += batch;
          else (failed++, errors.add(`${res.status} ${res.text.slice(0, 120)}`));
        }
        finished = performance.now();
      }
    }),
  );
  if (failed > 0)
    throw new Error(`${target.name}: ${failed} ingest requests failed: ${[...errors].join("; ")}`);
  return { rate: (accepted / (finished - started)) * 1000, messages: accepted };
}

/** Whether the server takes the batched form yet (another change adds it): 400 means not. */
export async function batchSupported(target, conversation) {
  const tag = `probe-${++batchNo}`;
  const res = await target.contactBatch(0, [
    { conversation_id: conversation, id: `${tag}-a`, text: "probe" },
    { conversation_id: conversation, id: `${tag}-b`, text: "probe" },
  ]);
  if (res.status === 200 && Array.isArray(res.json?.results)) return true;
  if (res.status === 400) return false;
  throw new Error(`batched contact messages answered ${res.status}: ${res.text.slice(0, 200)}`);
}
