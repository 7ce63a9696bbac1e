// Expiry lateness: handoffs escalated with a 10 s max wait; how long after expires_at the
// "expired" frame reaches a socket (the object's one alarm fires it).

export async function expiryRound(target, socket, { count, seconds = 10, staggerMs = 150 }) {
  const pending = new Map();
  const lateness = [];
  let done;
  const allArrived = new Promise((resolve) => (done = resolve));
  socket.onFrame = (data, at) => {
    if (!data.includes('"expired"')) return;
    const frame = JSON.parse(data);
    if (frame.type !== "handoff.updated" || frame.data?.handoff?.status !== "expired") return;
    const expiresAt = pending.get(frame.data.handoff.id);
    if (expiresAt === undefined) return;
    pending.delete(frame.data.handoff.id);
    lateness.push(performance.timeOrigin + at - expiresAt);
    if (lateness.length === count) done();
  };
  for (let i = 0; i < count; i++) {
    const { id, expiresAt } = await target.expiring(seconds);
    pending.set(id, expiresAt);
    await new Promise((r) => setTimeout(r, staggerMs));
  }
  const timeout = new Promise((_, reject) =>
    setTimeout(
      () => reject(new Error(`${target.name}: ${pending.size} handoffs never reported expired`)),
      (seconds + 20) * 1000,
    ).unref(),
  );
  await Promise.race([allArrived, timeout]);
  socket.onFrame = null;
  return lateness;
}
