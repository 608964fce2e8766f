/**
 * The HTTP client defaults, in one place: every client (Cerby, Okta's Management API, Okta's token endpoint) starts
 * from these and overrides only what its caller set. Plain numbers, so this module is safe to serialize.
 */
export const HTTP_DEFAULTS = Object.freeze({
  /** Wall-clock deadline per attempt, in ms. */
  timeoutMs: 15000,
  /** Attempts after the first. */
  retries: 4,
  /** First backoff step, doubled per attempt (with jitter) up to `maxDelayMs`. */
  baseDelayMs: 250,
  maxDelayMs: 8000,
  /** A server asking us to wait longer than this (Retry-After, X-Rate-Limit-Reset) is reported instead. */
  maxWaitMs: 65000,
  /** Requests in flight per origin, per side (overridable by *_HTTP_CONCURRENCY, see ./limiter). */
  concurrency: Object.freeze({ Cerby: 8, Okta: 4 }),
  /** Okta's token endpoint: one request at a time (tokens are shared by the process; one fetch serves all). */
  tokenConcurrency: 1,
  /** Largest response body read, after decompression: a page of 200 Okta apps is well under 1 MiB. */
  maxBodyBytes: 4 * 1024 * 1024,
});
