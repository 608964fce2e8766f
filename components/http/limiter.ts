/**
 * The per-origin limiter shared by every HttpClient of the process: the concurrency bound, pauses after a throttled
 * answer, and pacing against the server's rate-limit bucket (Okta's `X-Rate-Limit-*`).
 */
import { processMap } from "../settings";
import { envConcurrency } from "../settings-table";
import type { Side } from "./errors";
import { serverNowMs, serverWaitMs, sleep } from "./retry";

/**
 * What every HttpClient in this process shares about one origin: its concurrency bound, the pause a throttled answer
 * imposes, and the server's rate-limit bucket (Okta's `X-Rate-Limit-*`). The providers build a client per resource
 * operation, so this state cannot live on a client: with 200 bindings it would bound nothing and forget every 429.
 *
 * It lives in a process-global slot (like ./settings), never in a module-level variable: one process can hold several
 * copies of this module (the program's, the one a provider reference loads, one that state written by an earlier
 * version serialized inline), and they must share one limiter per origin. The slot name is versioned for the same
 * reason: copies of different versions must not read each other's shape.
 */
export interface OriginLimiter {
  /** Requests holding a slot (sending, waiting for a pause, or backing off between attempts). */
  inFlight: number;
  /** FIFO of requests waiting for a slot, each with the bound of the client that sent it. */
  waiters: Array<{ bound: number; wake: () => void }>;
  /** Epoch ms before which no request is sent: set when the bucket is empty or the server said wait. */
  pausedUntil: number;
  /** Sequence numbers of attempts on the wire (sent, not yet answered), in sending order. */
  sending: number[];
  seq: number;
  /**
   * Best estimate of the server's rate-limit bucket: calls left before `resetAt` (local epoch ms), as of attempt
   * `asOf`; `window` is the server's `X-Rate-Limit-Reset` (epoch seconds, server clock) naming the window.
   */
  bucket?: { remaining: number; resetAt: number; asOf: number; window: number };
  stats: LimiterStats;
}

export interface LimiterStats {
  /** Attempts sent. */
  sent: number;
  /** Most requests holding a slot at once. */
  maxInFlight: number;
  /** Most attempts on the wire at once. */
  maxSending: number;
  /** Times a request waited for a bucket reset it saw coming (no 429 needed), and the total wait. */
  pacedWaits: number;
  pacedMs: number;
  /** 429 answers received. */
  throttled: number;
}

/** Extra wait after a bucket's reset time: Okta's reset is whole seconds, clocks differ a little. */
const RESET_MARGIN_MS = 100;

/** All limiters of this process, keyed by `side origin pool`. */
export function httpLimiters(): Map<string, OriginLimiter> {
  return processMap<OriginLimiter>("http-limiters:v1");
}

/** Forget every limiter of this process (tests, benchmarks). */
export function resetHttpLimiters(): void {
  httpLimiters().clear();
}

export function originLimiter(key: string): OriginLimiter {
  const all = httpLimiters();
  let l = all.get(key);
  if (!l) {
    l = {
      inFlight: 0,
      waiters: [],
      pausedUntil: 0,
      sending: [],
      seq: 0,
      stats: { sent: 0, maxInFlight: 0, maxSending: 0, pacedWaits: 0, pacedMs: 0, throttled: 0 },
    };
    all.set(key, l);
  }
  return l;
}

/**
 * Requests in flight per origin: `OKTA_HTTP_CONCURRENCY` / `CERBY_HTTP_CONCURRENCY` for one side, else
 * `CERBY_OKTA_HTTP_CONCURRENCY` for both, else the client's default (Cerby 8, Okta 4). A positive integer.
 */
export function effectiveConcurrency(
  side: Side,
  fallback: number,
  env: Record<string, string | undefined> = process.env,
): number {
  return envConcurrency(side === "Cerby" ? "cerby" : "okta", env) ?? fallback;
}

/**
 * Takes a slot of `l` for a client whose bound is `bound`, waiting in FIFO order when there is none. Returns false,
 * holding no slot, when `signal` fires first.
 */
export async function acquireSlot(l: OriginLimiter, bound: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  if (l.inFlight < bound && l.waiters.length === 0) {
    l.inFlight++;
  } else {
    // The releaser counts us in before waking us, so no one can slip in between.
    const got = await new Promise<boolean>((resolve) => {
      const waiter = {
        bound,
        wake: () => {
          signal?.removeEventListener("abort", leave);
          resolve(true);
        },
      };
      // Leaving the queue is only possible before being woken (and counted in): then the slot is never ours.
      const leave = () => {
        const i = l.waiters.indexOf(waiter);
        if (i >= 0) {
          l.waiters.splice(i, 1);
          resolve(false);
        }
      };
      signal?.addEventListener("abort", leave, { once: true });
      l.waiters.push(waiter);
    });
    if (!got) return false;
  }
  l.stats.maxInFlight = Math.max(l.stats.maxInFlight, l.inFlight);
  return true;
}

export function releaseSlot(l: OriginLimiter): void {
  l.inFlight--;
  for (let i = 0; i < l.waiters.length;) {
    if (l.inFlight >= l.waiters[i].bound) break; // FIFO: the head waits for room under its own bound
    const [w] = l.waiters.splice(i, 1);
    l.inFlight++;
    w.wake();
  }
}

/**
 * Waits out a pause, and paces against the server's rate-limit bucket: when the calls left in the current window
 * are used up by what is already on the wire, wait for the reset instead of spending a 429 to learn it. A reset
 * further away than `maxWaitMs` is not waited for here. Returns early when `signal` fires (the caller checks why).
 */
export async function awaitTurn(l: OriginLimiter, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const now = Date.now();
    if (signal?.aborted) return;
    if (l.pausedUntil > now) {
      await sleep(l.pausedUntil - now, signal);
      continue;
    }
    const b = l.bucket;
    if (b && now >= b.resetAt) l.bucket = undefined;
    else if (b && b.remaining <= 0 && b.resetAt - now <= maxWaitMs) {
      const wait = b.resetAt + RESET_MARGIN_MS - now;
      l.pausedUntil = Math.max(l.pausedUntil, now + wait);
      l.stats.pacedWaits++;
      l.stats.pacedMs += wait;
      continue;
    } else if (b) b.remaining--;
    return;
  }
}

/** Updates the bucket estimate from an answer's `X-Rate-Limit-Remaining` / `X-Rate-Limit-Reset`. */
export function noteBucket(l: OriginLimiter, seq: number, headers: Record<string, string>, status: number): void {
  const remaining = Number(headers["x-rate-limit-remaining"]);
  const reset = Number(headers["x-rate-limit-reset"]);
  if (!Number.isFinite(remaining) || !Number.isFinite(reset) || headers["x-rate-limit-reset"]?.trim() === "") return;
  // The reset is on the server's clock: when it comes, in local time, is measured from the answer's Date header.
  const now = Date.now();
  const resetAt = now + (reset * 1000 - serverNowMs(headers, now));
  if (resetAt <= now) return;
  // Attempts sent after this one were most likely not yet counted in `remaining`: they will be.
  const later = l.sending.filter((s) => s > seq).length;
  const left = status === 429 ? 0 : Math.max(0, remaining - later);
  // A window is named by its reset second (server clock): answers of one window may place it a little differently
  // in local time when the clocks differ, so the latest placement wins (never waking before the reset).
  const b = l.bucket;
  if (!b || reset > b.window) l.bucket = { remaining: left, resetAt, asOf: seq, window: reset };
  else if (reset === b.window && (seq > b.asOf || status === 429)) {
    l.bucket = {
      remaining: Math.min(left, b.remaining),
      resetAt: Math.max(resetAt, b.resetAt),
      asOf: Math.max(seq, b.asOf),
      window: reset,
    };
  }
}

/** When a successful answer says the bucket is empty, hold the next requests until it resets. */
export function notePause(l: OriginLimiter, headers: Record<string, string>, status: number, maxWaitMs: number): void {
  if (headers["x-rate-limit-remaining"] === "0") {
    const wait = serverWaitMs(headers, status);
    if (wait !== undefined && wait <= maxWaitMs) {
      l.pausedUntil = Math.max(l.pausedUntil, Date.now() + wait);
    }
  }
}
