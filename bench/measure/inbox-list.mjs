// The inbox list with many open handoffs: sequential GETs of the first page.

export async function listRound(target, { requests, limit = 200 }) {
  const samples = [];
  let bytes = 0;
  for (let i = 0; i < requests; i++) {
    const res = await target.list(limit);
    if (res.status !== 200)
      throw new Error(`${target.name}: list answered ${res.status}: ${res.text.slice(0, 200)}`);
    samples.push(res.ms);
    bytes = res.text.length;
  }
  return { samples, bytes };
}
