// What came of one send to a provider, in the shape the outbox acts on: done (with the id the
// provider gave the message, which its later status reports carry), worth another try (429, 5xx,
// network trouble; after at least retryAfterSeconds when the provider said so), or final (any
// other refusal, with the provider's reason in words for the agent who sent it).

export type SendOutcome =
  | { ok: true; providerMessageId: string | null }
  | { ok: false; retry: boolean; retryAfterSeconds: number | null; error: string };

/** The longest wait we take from a provider; anything longer is treated as this. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

/** Whether an HTTP status is worth another try: rate limits and the provider's own troubles. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** A provider's wait in seconds (a number or a string of digits), clamped to a sane range. */
export function retryAfterFromValue(value: unknown): number | null {
  const seconds =
    typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : NaN;
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return Math.min(Math.ceil(seconds), MAX_RETRY_AFTER_SECONDS);
}

/**
 * HTTP `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3), in seconds from `now`.
 * Missing or unreadable → null.
 */
export function retryAfterFromHeaders(headers?: Headers, now = Date.now()): number | null {
  const value = headers?.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return retryAfterFromValue(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return retryAfterFromValue(Math.max(0, (date - now) / 1000));
}

/** A send that never got an answer (DNS, connection reset, timeout): always worth another try. */
export function networkFailure(error: unknown): SendOutcome {
  const detail = error instanceof Error && error.message ? `: ${error.message}` : "";
  return {
    ok: false,
    retry: true,
    retryAfterSeconds: null,
    error: `The provider could not be reached${detail}`,
  };
}

/** A refusal or failure answered with `status`, retried when the status says it is temporary. */
export function failure(
  status: number,
  error: string,
  retryAfterSeconds: number | null = null,
): SendOutcome {
  const retry = isRetryableStatus(status);
  return { ok: false, retry, retryAfterSeconds: retry ? retryAfterSeconds : null, error };
}
