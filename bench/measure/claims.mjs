// Claims with 20 agents racing for each handoff, over HTTP and as socket frames. Every race must
// have exactly one winner and 19 told it was already claimed, or the figures mean nothing.

function checkRace(target, id, statuses) {
  const won = statuses.filter((s) => s === "won").length;
  const lost = statuses.filter((s) => s === "lost").length;
  if (won !== 1 || lost !== statuses.length - 1)
    throw new Error(`${target.name}: race for ${id} ended ${JSON.stringify(statuses)}`);
}

export async function httpClaimRound(target, handoffs) {
  const ids = await target.claimables(handoffs);
  const samples = [];
  for (const id of ids) {
    const results = await Promise.all(
      Array.from({ length: target.racers }, (_, agent) => target.claimHttp(agent, id)),
    );
    checkRace(
      target,
      id,
      results.map((r) =>
        r.status === 200 ? "won" : r.status === 409 ? "lost" : `HTTP ${r.status}`,
      ),
    );
    samples.push(...results.map((r) => r.ms));
  }
  return samples;
}

let refs = 0;
export async function socketClaimRound(target, sockets, handoffs) {
  const ids = await target.claimables(handoffs);
  const samples = [];
  for (const id of ids) {
    const acks = await Promise.all(
      sockets.map(async (socket, agent) => {
        const started = performance.now();
        const { frame, at } = await socket.command(target.claimFrame(agent, id, `c${++refs}`));
        return { ms: at - started, frame };
      }),
    );
    checkRace(
      target,
      id,
      acks.map(({ frame }) =>
        frame.ok ? "won" : frame.error?.code === "already_claimed" ? "lost" : frame.error?.code,
      ),
    );
    samples.push(...acks.map((a) => a.ms));
  }
  return samples;
}
