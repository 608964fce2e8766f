/**
 * Bounded retries: which answers are worth another attempt, how long the server asked us to wait (`Retry-After`,
 * Okta's `X-Rate-Limit-Reset`), and backoff with jitter when it said nothing.
 */
import { HTTP_DEFAULTS } from "./defaults";

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking us to wait longer than this is reported instead of waited for. */
  maxWaitMs: number;
}

export function defaultRetryPolicy(): RetryPolicy {
  const { retries, baseDelayMs, maxDelayMs, maxWaitMs } = HTTP_DEFAULTS;
  return { retries, baseDelayMs, maxDelayMs, maxWaitMs };
}

/** HTTP statuses worth another attempt: throttling and transient server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * The server's "now" when it answered, in epoch ms on its clock: its `Date` header. That header has whole seconds, so
 * the local clock (`localNow`) picks the point within that second when it agrees, and is ignored when it does not —
 * a local clock minutes off must not turn the server's reset into no wait or a wait of minutes. Without a readable
 * `Date`, the local clock.
 */
export function serverNowMs(headers: Record<string, string>, localNow = Date.now()): number {
  const date = Date.parse(headers["date"] ?? "");
  if (!Number.isFinite(date)) return localNow;
  return Math.min(Math.max(localNow, date), date + 999);
}

/**
 * How long the server asked us to wait, in ms: `Retry-After` (seconds or HTTP date), else Okta's
 * `X-Rate-Limit-Reset` (epoch seconds) when the call was throttled or the bucket is empty. Dates and the reset are
 * on the server's clock, so they are measured from its `Date` header (serverNowMs), not from `now`, the local clock.
 */
export function serverWaitMs(headers: Record<string, string>, status: number, now = Date.now()): number | undefined {
  const serverNow = serverNowMs(headers, now);
  const ra = headers["retry-after"];
  if (ra !== undefined && ra.trim() !== "") {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - serverNow);
  }
  const reset = Number(headers["x-rate-limit-reset"]);
  const remaining = Number(headers["x-rate-limit-remaining"]);
  if (Number.isFinite(reset) && (status === 429 || remaining === 0)) {
    // The reset is whole seconds; add a little so we do not land just before it.
    return Math.max(0, reset * 1000 - serverNow) + 100;
  }
  return undefined;
}

/** Exponential backoff with full jitter, for failures that carry no server hint. */
export function backoffMs(attempt: number, p: RetryPolicy): number {
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/** Waits `ms`, or less when `signal` fires first (the caller then checks why). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
