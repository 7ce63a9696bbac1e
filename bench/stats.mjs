// Percentiles (nearest rank) and the median of per-round figures.

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values) => percentile(values, 50);

/** p50 and p99 of one round's samples. */
export const summarize = (samples) => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  n: samples.length,
});

/** Median across rounds of each figure, keeping the rounds for the JSON output. */
export function acrossRounds(rounds) {
  const keys = Object.keys(rounds[0] ?? {}).filter(
    (k) => typeof rounds[0][k] === "number" && k !== "n",
  );
  const out = { rounds };
  for (const k of keys) out[k] = median(rounds.map((r) => r[k]).filter((v) => v !== null));
  return out;
}
