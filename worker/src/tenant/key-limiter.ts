// Each API key's request budget, counted by the tenant object that serves every request made
// with the key: exact (one counter, not one per location) and with no call to a separate
// limiter on the hot path. Fixed windows aligned to the clock; an object that was evicted
// starts its windows afresh, which only ever lets a key through, never refuses it wrongly.
const MAX_TRACKED_KEYS = 10_000;

export class KeyLimiter {
  private readonly windows = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly periodMs: number,
  ) {}

  /** Counts one request of the key; false when it is over its budget for this window. */
  take(key: string, now: number): boolean {
    const window = Math.floor(now / this.periodMs);
    const entry = this.windows.get(key);
    if (entry && entry.window === window) {
      entry.count += 1;
      return entry.count <= this.limit;
    }
    if (this.windows.size >= MAX_TRACKED_KEYS) this.windows.clear();
    this.windows.set(key, { window, count: 1 });
    return this.limit >= 1;
  }
}

/** `"1000"` → 1,000 requests per 10 s; anything unreadable falls back to that default. */
export function botLimitFrom(value: string | undefined): number {
  const limit = Number(value);
  return Number.isInteger(limit) && limit > 0 ? limit : 1000;
}
