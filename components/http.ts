/**
 * The one HTTP layer both vendor clients use: timeouts, bounded retries with backoff that honour `Retry-After` and
 * Okta's `X-Rate-Limit-Reset`, a per-origin concurrency bound and rate-limit pacing shared by every client of the
 * process, and turning failures into one error type rendered once.
 *
 * Everything here is serialized into Pulumi state with the dynamic providers, so nothing at module level may hold
 * state, schemas or secrets: headers (credentials) come from a function called per request.
 */
import axios from "axios";
import { processMap } from "./settings";
import { envConcurrency } from "./settings-table";

export type Side = "Cerby" | "Okta";

export interface RequestSpec {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** Path relative to the client's base URL, e.g. `/api/v1/apps/0oa…`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Form-encoded body (OAuth token endpoint); a function is called per attempt, so each retry can sign afresh. */
  form?: Record<string, string> | (() => Promise<Record<string, string>>);
  /** Absolute URL, e.g. an Okta `Link: rel="next"` target; overrides `path` and `query`. */
  url?: string;
  /** What the user was doing, for error messages ("read the Universal Logout setting"). */
  action: string;
  /** Skip the auth headers (token endpoint). */
  noAuth?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  data: unknown;
  /** Vendor request id (`X-Request-Id`, `X-Okta-Request-Id`) when sent. */
  requestId?: string;
}

/** What a vendor module needs to know about a failed call to turn it into advice. */
export interface FailureInfo {
  side: Side;
  action: string;
  method: string;
  path: string;
  status?: number;
  data?: unknown;
  headers: Record<string, string>;
  requestId?: string;
  /** Transport failure (timeout, reset, refused, body over the size limit) when there was no usable HTTP answer. */
  transport?: string;
  attempts: number;
  /** The full URL requested (no credentials: URLs never carry any here). */
  url?: string;
  /**
   * Why no further attempt was made: `final` (an answer a retry would not change: 4xx, 501, a redirect, an oversized
   * body), `budget` (retried until the retry budget ran out), `server-wait` (the server asked for a longer wait than
   * this run waits; `serverWaitMs` says how long).
   */
  stop?: "final" | "budget" | "server-wait";
  serverWaitMs?: number;
}

export interface VendorErrorFields {
  side: Side;
  action: string;
  method: string;
  path: string;
  /** The full URL requested; shown instead of `path` when known. */
  url?: string;
  /** Where a 3xx answer pointed (never followed). */
  redirect?: string;
  status?: number;
  /** Vendor error code: Cerby `code`, Okta `errorCode` (E0000006) or OAuth `error`. */
  code?: string;
  title?: string;
  detail?: string;
  /** Cerby `X-Request-Id`, Okta `errorId` / `X-Okta-Request-Id`. */
  requestId?: string;
  /** What the user should do about it. */
  hint: string;
  attempts?: number;
}

/**
 * An error whose message is complete advice for the user. Its stack is the message alone: Pulumi and its plugin print
 * `stack`, and a user fixing config should see what to do, not our call frames.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    // Pulumi's serializer turns `super(message)` into `Error.call(this, message)`, which sets nothing on `this`.
    this.message = message;
    this.name = "UserError";
    this.stack = message;
  }
}

/** The single error type both clients raise. Its message is complete: side, step, request, vendor code, advice. */
export class VendorError extends UserError {
  readonly fields: VendorErrorFields;
  /** Vendor text is sanitized here, once for every caller: credentials redacted, control characters gone, capped. */
  constructor(fields: VendorErrorFields, secrets: string[] = []) {
    const clean = sanitizeFields(fields, secrets);
    super(renderVendorError(clean));
    this.name = "VendorError";
    this.fields = clean;
  }
  /** The same error with the credentials this call sent redacted too (a server may echo them in any field). */
  redacting(secrets: string[]): VendorError {
    return new VendorError(this.fields, secrets);
  }
  get status(): number | undefined {
    return this.fields.status;
  }
  get code(): string | undefined {
    return this.fields.code;
  }
}

/** The fields of a VendorError that come from the failed call itself; each vendor adds its code, detail and hint. */
export function failureFields(
  info: FailureInfo,
): Pick<
  VendorErrorFields,
  "side" | "action" | "method" | "path" | "url" | "redirect" | "status" | "requestId" | "attempts"
> {
  const { side, action, method, path, url, status, requestId, attempts } = info;
  const redirect = status !== undefined && status >= 300 && status < 400 ? info.headers["location"] : undefined;
  return { side, action, method, path, url, status, requestId, attempts, ...(redirect ? { redirect } : {}) };
}

export function renderVendorError(f: VendorErrorFields): string {
  const answer = f.status !== undefined ? `HTTP ${f.status}` : "no answer";
  const redirect = f.redirect ? ` (a redirect to ${f.redirect}, not followed)` : "";
  // Vendors often repeat themselves ("Forbidden" as code and title): say each thing once, without a doubled period.
  const parts: string[] = [];
  for (const x of [f.code, f.title, f.detail]) {
    const t = (x ?? "").trim().replace(/[.\s]+$/, "");
    if (t && !parts.some((p) => p.toLowerCase().includes(t.toLowerCase()))) parts.push(t);
  }
  const vendor = parts.join(": ");
  const tries = f.attempts && f.attempts > 1 ? ` after ${f.attempts} attempts` : "";
  const id = f.requestId ? ` (${f.side} request id: ${f.requestId})` : "";
  return `${f.side}: could not ${f.action}: ${f.method} ${f.url ?? f.path} → ${answer}${redirect}${tries}${vendor ? ` — ${vendor}` : ""}. ${f.hint}${id}`;
}

/** Longest piece of vendor text kept in a message (code, title, detail, redirect target). */
export const VENDOR_FIELD_CAP = 300;

/**
 * Makes text from a server safe to show: control characters and ANSI escapes (forged log lines, terminal tricks) and
 * bidi overrides removed, every credential form redacted (the given secrets, `SSWS …`, `Bearer …`, JWTs such as a
 * client_assertion, `key=…`-style pairs, PEM blocks), then capped at `cap` characters.
 */
export function sanitizeText(raw: unknown, secrets: string[] = [], cap = VENDOR_FIELD_CAP): string {
  let t = typeof raw === "string" ? raw : String(raw);
  // Long input is cut early (before the regexes), keeping enough to find a credential that straddles the cap.
  if (t.length > cap * 8) t = t.slice(0, cap * 8);
  const known = secrets.filter((x) => typeof x === "string" && x.length >= 8).sort((a, b) => b.length - a.length);
  const redactKnown = (x: string) => known.reduce((acc, sec) => acc.split(sec).join("[redacted]"), x);
  t = redactKnown(t);
  t = t
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, "")
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, "")
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, " ");
  t = redactKnown(t);
  t = t
    .replace(/-----BEGIN[^-]*-----[\s\S]*?(?:-----END[^-]*-----|$)/g, "[redacted key]")
    .replace(/\beyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,2}/g, "[redacted JWT]")
    // Only a credential-like value (a digit, or 12+ characters): "a Bearer token" in our own advice stays readable.
    .replace(/\b(SSWS|Bearer|DPoP|Basic)\s+(?=[^\s"',;]*\d|[^\s"',;]{12})[^\s"',;]+/gi, "$1 [redacted]")
    .replace(
      /\b(client_assertion|access_token|refresh_token|id_token|api[_-]?key|x-api-key|api[_-]?token|token|secret|password|private[_-]?key)(\\?["']?\s*[:=]\s*\\?["']?)(?!\[redacted)[^\s"'&,;}\\]+/gi,
      "$1$2[redacted]",
    )
    .replace(/\s{2,}/g, " ")
    .trim();
  return t.length > cap ? `${t.slice(0, cap - 1)}…` : t;
}

function sanitizeFields(f: VendorErrorFields, secrets: string[]): VendorErrorFields {
  const clean = (v: string | undefined, cap = VENDOR_FIELD_CAP) =>
    v === undefined ? undefined : sanitizeText(v, secrets, cap);
  const out: VendorErrorFields = { ...f, hint: sanitizeText(f.hint, secrets, 4000) };
  for (const k of ["code", "title", "detail", "requestId", "redirect", "url", "path", "action"] as const) {
    if (f[k] !== undefined)
      (out as unknown as Record<string, unknown>)[k] = clean(f[k], k === "requestId" ? 100 : VENDOR_FIELD_CAP);
  }
  return out;
}

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking us to wait longer than this is reported instead of waited for. */
  maxWaitMs: number;
}

export interface HttpClientOptions {
  side: Side;
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Most requests in flight at once against this base URL. */
  concurrency: number;
  /** Auth headers, resolved per request so tokens can be refreshed and are never stored here. */
  authHeaders: () => Promise<Record<string, string>>;
  /** Turn a failed call into a VendorError with advice. */
  describeFailure: (info: FailureInfo) => VendorError;
  /**
   * Called when a 401 arrives on an authenticated call, with the auth headers that call sent (so only that credential
   * is dropped); return true to retry once with fresh credentials.
   */
  onUnauthorized?: (sent: Record<string, string>) => Promise<boolean>;
  /** Largest response body read, in bytes, after decompression (default 4 MiB). */
  maxBodyBytes?: number;
  /** Observability for tests and the benchmark: every attempt, with its outcome. */
  onAttempt?: (e: { method: string; path: string; status?: number; waitMs: number }) => void;
}

/** Default cap on a response body, after decompression: a page of 200 Okta apps is well under 1 MiB. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function defaultRetryPolicy(): RetryPolicy {
  return { retries: 4, baseDelayMs: 250, maxDelayMs: 8000, maxWaitMs: 65000 };
}

/** HTTP statuses worth another attempt: throttling and transient server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * How long the server asked us to wait, in ms: `Retry-After` (seconds or HTTP date), else Okta's
 * `X-Rate-Limit-Reset` (epoch seconds) when the call was throttled or the bucket is empty.
 */
export function serverWaitMs(headers: Record<string, string>, status: number, now = Date.now()): number | undefined {
  const ra = headers["retry-after"];
  if (ra !== undefined && ra.trim() !== "") {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = Number(headers["x-rate-limit-reset"]);
  const remaining = Number(headers["x-rate-limit-remaining"]);
  if (Number.isFinite(reset) && (status === 429 || remaining === 0)) {
    // The reset is whole seconds; add a little so we do not land just before it.
    return Math.max(0, reset * 1000 - now) + 100;
  }
  return undefined;
}

/** Exponential backoff with full jitter, for failures that carry no server hint. */
export function backoffMs(attempt: number, p: RetryPolicy): number {
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/**
 * What every HttpClient in this process shares about one origin: its concurrency bound, the pause a throttled answer
 * imposes, and the server's rate-limit bucket (Okta's `X-Rate-Limit-*`). The providers build a client per resource
 * operation, so this state cannot live on a client: with 200 bindings it would bound nothing and forget every 429.
 *
 * It lives in a process-global slot (like ./settings), never in a module-level variable: this module is serialized
 * into Pulumi state by value, and a module-level Map would become an empty copy per provider (and state must hold no
 * run-time data). The slot name is versioned because one plugin process can load providers serialized by different
 * versions of this module.
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
  /** Best estimate of the server's rate-limit bucket: calls left before `resetAt` (epoch ms), as of attempt `asOf`. */
  bucket?: { remaining: number; resetAt: number; asOf: number };
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

/**
 * One attempt: an HTTP answer (and whether its body was unreadable), or a transport failure (`final` when a retry
 * cannot help, e.g. a body over the size limit). `secrets` are the credentials the attempt sent, to redact from errors.
 */
type Outcome = {
  response?: HttpResponse;
  transport?: string;
  badBody?: boolean;
  final?: boolean;
  sentAuth: Record<string, string>;
  secrets: string[];
};

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

export class HttpClient {
  /** Bound on requests in flight against this client's origin, across every client of the process. */
  readonly concurrency: number;

  constructor(readonly opts: HttpClientOptions) {
    this.concurrency = Math.max(1, Math.floor(effectiveConcurrency(opts.side, opts.concurrency)));
  }

  /**
   * The shared limiter for a request. Unauthenticated calls (the token endpoint) get their own pool: an API call
   * holding a slot may need a token first, and must not wait for its own slot; Okta gives that endpoint its own bucket.
   */
  limiter(spec: Pick<RequestSpec, "noAuth"> = {}): OriginLimiter {
    let origin = this.opts.baseUrl;
    try {
      origin = new URL(this.opts.baseUrl).origin;
    } catch {
      // keep the raw base URL as the key
    }
    return originLimiter(`${this.opts.side} ${origin} ${spec.noAuth ? "unauthenticated" : "api"}`);
  }

  /** The URL a request goes to. */
  urlOf(spec: Pick<RequestSpec, "url" | "path" | "query">): string {
    if (spec.url) return spec.url;
    const u = joinUrl(this.opts.baseUrl, spec.path);
    const q = cleanQuery(spec.query);
    return q && Object.keys(q).length > 0 ? `${u}?${new URLSearchParams(q).toString()}` : u;
  }

  async send(spec: RequestSpec): Promise<HttpResponse> {
    // Every request passes here, whichever path built it (program, check, read, delete, a Link header): a credential
    // never leaves over plain http to a non-loopback host, nor to another origin than the client's.
    const problem = requestUrlProblem(this.urlOf(spec), this.opts.baseUrl);
    if (problem) {
      throw new UserError(
        `${this.opts.side}: refused to ${spec.action}: ${spec.method} ${sanitizeText(this.urlOf(spec))} — ${problem}. ` +
          `No request was sent, so no credential left this machine. Fix the ${this.opts.side} URL setting.`,
      );
    }
    const l = this.limiter(spec);
    await this.acquire(l);
    try {
      return await this.sendWithRetries(spec, l);
    } finally {
      this.release(l);
    }
  }

  private async acquire(l: OriginLimiter): Promise<void> {
    if (l.inFlight < this.concurrency && l.waiters.length === 0) {
      l.inFlight++;
    } else {
      // The releaser counts us in before waking us, so no one can slip in between.
      await new Promise<void>((wake) => l.waiters.push({ bound: this.concurrency, wake }));
    }
    l.stats.maxInFlight = Math.max(l.stats.maxInFlight, l.inFlight);
  }

  private release(l: OriginLimiter): void {
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
   * are used up by what is already on the wire, wait for the reset instead of spending a 429 to learn it.
   */
  private async awaitTurn(l: OriginLimiter): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (l.pausedUntil > now) {
        await sleep(l.pausedUntil - now);
        continue;
      }
      const b = l.bucket;
      if (b && now >= b.resetAt) l.bucket = undefined;
      else if (b && b.remaining <= 0 && b.resetAt - now <= this.opts.retry.maxWaitMs) {
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
  private noteBucket(l: OriginLimiter, seq: number, headers: Record<string, string>, status: number): void {
    const remaining = Number(headers["x-rate-limit-remaining"]);
    const reset = Number(headers["x-rate-limit-reset"]);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset) || headers["x-rate-limit-reset"]?.trim() === "") return;
    const resetAt = reset * 1000;
    if (resetAt <= Date.now()) return;
    // Attempts sent after this one were most likely not yet counted in `remaining`: they will be.
    const later = l.sending.filter((s) => s > seq).length;
    const left = status === 429 ? 0 : Math.max(0, remaining - later);
    const b = l.bucket;
    if (!b || resetAt > b.resetAt) l.bucket = { remaining: left, resetAt, asOf: seq };
    else if (resetAt === b.resetAt && (seq > b.asOf || status === 429)) {
      l.bucket = { remaining: Math.min(left, b.remaining), resetAt, asOf: Math.max(seq, b.asOf) };
    }
  }

  private async sendWithRetries(spec: RequestSpec, l: OriginLimiter): Promise<HttpResponse> {
    const { retry } = this.opts;
    const path = spec.url ? safePath(spec.url) : spec.path;
    const url = this.urlOf(spec);
    let refreshedAuth = false;
    let attempt = 0;
    for (;;) {
      await this.awaitTurn(l);
      attempt++;
      const seq = ++l.seq;
      l.sending.push(seq);
      l.stats.sent++;
      l.stats.maxSending = Math.max(l.stats.maxSending, l.sending.length);
      let outcome: Outcome;
      try {
        outcome = await this.once(spec);
      } finally {
        l.sending.splice(l.sending.indexOf(seq), 1);
      }
      if (outcome.response) this.noteBucket(l, seq, outcome.response.headers, outcome.response.status);
      const info: FailureInfo = {
        side: this.opts.side,
        action: spec.action,
        method: spec.method,
        path,
        url,
        status: outcome.response?.status,
        data: outcome.response?.data,
        headers: outcome.response?.headers ?? {},
        requestId: outcome.response?.requestId,
        transport: outcome.transport,
        attempts: attempt,
      };
      const fail = (stop: FailureInfo["stop"], serverWaitMs?: number): VendorError =>
        this.opts.describeFailure({ ...info, stop, serverWaitMs }).redacting(outcome.secrets);
      const status = outcome.response?.status;
      // Only 2xx is success: a 3xx is a redirect this client never follows (the credential would go along), so
      // nothing it says can be taken as done.
      if (outcome.response && status !== undefined && status >= 200 && status < 300 && !outcome.badBody) {
        this.notePause(l, outcome.response.headers, status);
        this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
        return outcome.response;
      }
      if (status === 429) l.stats.throttled++;
      if (status === 401 && !spec.noAuth && !refreshedAuth && this.opts.onUnauthorized) {
        refreshedAuth = true;
        if (await this.opts.onUnauthorized(outcome.sentAuth)) {
          this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
          continue;
        }
      }
      const retryable =
        !outcome.final && (outcome.transport !== undefined || outcome.badBody || isRetryableStatus(status ?? 0));
      if (!retryable || attempt > retry.retries) {
        this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
        throw fail(retryable ? "budget" : "final");
      }
      const hinted = status !== undefined ? serverWaitMs(info.headers, status) : undefined;
      if (hinted !== undefined && hinted > retry.maxWaitMs) {
        this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
        throw fail("server-wait", hinted);
      }
      const wait = hinted ?? backoffMs(attempt - 1, retry);
      // A 429 holds every request to this origin in the process, not just this one.
      if (status === 429) l.pausedUntil = Math.max(l.pausedUntil, Date.now() + wait);
      this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: wait });
      await sleep(wait);
    }
  }

  /** When a successful answer says the bucket is empty, hold the next requests until it resets. */
  private notePause(l: OriginLimiter, headers: Record<string, string>, status: number): void {
    if (headers["x-rate-limit-remaining"] === "0") {
      const wait = serverWaitMs(headers, status);
      if (wait !== undefined && wait <= this.opts.retry.maxWaitMs) {
        l.pausedUntil = Math.max(l.pausedUntil, Date.now() + wait);
      }
    }
  }

  private async once(spec: RequestSpec): Promise<Outcome> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const sentAuth = spec.noAuth ? {} : await this.opts.authHeaders();
    Object.assign(headers, sentAuth);
    // Everything secret this attempt sends, so an error can redact it wherever the server echoes it.
    const secrets: string[] = [];
    for (const v of Object.values(sentAuth)) secrets.push(v, v.replace(/^\S+\s+/, ""));
    let data: string | undefined;
    if (spec.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      const form = typeof spec.form === "function" ? await spec.form() : spec.form;
      for (const k of ["client_assertion", "client_secret"]) if (form[k]) secrets.push(form[k]);
      data = new URLSearchParams(form).toString();
    } else if (spec.body !== undefined) {
      headers["Content-Type"] = "application/json";
      data = JSON.stringify(spec.body);
    }
    const maxBytes = this.opts.maxBodyBytes ?? MAX_BODY_BYTES;
    // A wall-clock deadline for the whole attempt: axios' own timeout is reset by every byte, so a server dripping
    // one byte at a time would never time out.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.opts.timeoutMs);
    try {
      const res = await axios.request<string>({
        method: spec.method,
        url: spec.url ?? joinUrl(this.opts.baseUrl, spec.path),
        params: spec.url ? undefined : cleanQuery(spec.query),
        headers,
        data,
        timeout: this.opts.timeoutMs,
        signal: deadline.signal,
        // Counted after decompression, so a gzip bomb stops at the cap too.
        maxContentLength: maxBytes,
        maxBodyLength: maxBytes,
        // We parse ourselves so a malformed body is an error, not a silent string.
        responseType: "text",
        transformResponse: [(x: string) => x],
        validateStatus: () => true,
        maxRedirects: 0,
        proxy: false,
      });
      const h = lowerHeaders(res.headers as Record<string, unknown>);
      const requestId = h["x-request-id"] ?? h["x-okta-request-id"];
      const text = typeof res.data === "string" ? res.data : "";
      let parsed: unknown = undefined;
      let badBody = false;
      if (text.trim() !== "") {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text.slice(0, VENDOR_FIELD_CAP);
          badBody = res.status >= 200 && res.status < 300;
        }
      }
      return { response: { status: res.status, headers: h, data: parsed, requestId }, badBody, sentAuth, secrets };
    } catch (e) {
      if (deadline.signal.aborted) {
        return {
          transport: `timed out (no complete answer within the ${this.opts.timeoutMs} ms deadline per attempt)`,
          sentAuth,
          secrets,
        };
      }
      if (/maxContentLength|maxBodyLength/.test((e as Error).message ?? "")) {
        return {
          transport: `body too large (over the ${formatBytes(maxBytes)} limit on an answer, after decompression)`,
          final: true,
          sentAuth,
          secrets,
        };
      }
      return { transport: describeTransport(e), sentAuth, secrets };
    } finally {
      clearTimeout(timer);
    }
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

function describeTransport(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err.code === "ECONNABORTED" || err.code === "ETIMEDOUT") return "timed out";
  if (err.code === "ECONNRESET" || /socket hang up|aborted/i.test(err.message ?? "")) return "connection reset";
  if (err.code === "ECONNREFUSED") return "connection refused";
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return "host not found";
  return err.code ?? "network error";
}

function lowerHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

function cleanQuery(q?: RequestSpec["query"]): Record<string, string> | undefined {
  if (!q) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined) out[k] = String(v);
  return out;
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}

/** Path and query of an absolute URL, for messages (never the host's credentials, there are none in URLs). */
function safePath(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/** A transport failure in the user's words. */
/** A request that may change state: a write whose outcome is unknown must say so, never claim nothing changed. */
export function isWrite(method: string): boolean {
  return method !== "GET" && method !== "HEAD";
}

export function transportHint(side: Side, transport: string, baseUrl: string, method = "GET"): string {
  // A write that got no answer may still have been applied: never claim it was not.
  const write = isWrite(method)
    ? ` The ${method} may still have been applied; the next run reads before it writes, so rerunning is safe.`
    : "";
  if (transport.startsWith("timed out"))
    return `${side} did not answer in time: ${transport}; check the network path to ${baseUrl} and retry.${write}`;
  if (transport.startsWith("body too large"))
    return (
      `${side}'s answer was not read to the end: its ${transport}. Check that ${baseUrl} is the ${side} URL itself ` +
      `(not a proxy or a download page); not retried, as the same answer would come back.${write}`
    );
  if (transport === "host not found") return `The host of ${baseUrl} does not resolve; check the ${side} URL settings.`;
  return `The connection to ${baseUrl} failed (${transport}); check the network path and retry — the run is safe to repeat.${write}`;
}

/** A 2xx whose body is not JSON. `who` names the sender ("Cerby (or a proxy in between)"); `check` what to look at. */
export function malformedAnswerHint(who: string, method: string, check: string): string {
  return (
    `${who} sent a malformed answer` +
    (isWrite(method)
      ? `, so whether the ${method} was applied is unknown; the next run reads before it writes. Rerun`
      : "; this step only read. Rerun") +
    `; if it persists, ${check}.`
  );
}

/** A 3xx: never followed (`credential` would go along) and never success. `fix` says which URL to give. */
export function redirectHint(
  side: Side,
  location: string | undefined,
  credential: string,
  method: string,
  fix: string,
) {
  return (
    `${side} answered with a redirect${location ? "" : " without a Location"}; this module never follows one ` +
    `(${credential} would go along) and a redirect is not a success` +
    (isWrite(method) ? `: the ${method} was not confirmed, and the next run reads before it writes` : "") +
    `. ${fix}`
  );
}

/** A 5xx that a retry would not change (501, …), so it was not retried; `then` is the advice that follows. */
export function notRetriedHint(side: Side, status: number, method: string, then: string): string {
  return (
    `${side} answered ${status}, which a retry would not change, so it was not retried` +
    (isWrite(method) ? `; whether the ${method} was applied is unknown` : "") +
    `. ${then}`
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Loopback hosts may use plain http (emulators, local proxies); everything else must be https. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why a request to `url` must not be sent, or undefined: https unless the host is loopback, no credentials in the URL,
 * and the same origin as the client's base URL (a Link header or a redirect must not carry the credential elsewhere).
 */
export function requestUrlProblem(url: string, baseUrl: string): string | undefined {
  let u: URL;
  let base: URL;
  try {
    u = new URL(url);
    base = new URL(baseUrl);
  } catch {
    return "it is not a valid URL";
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
    return "plain http is only allowed to loopback hosts (127.0.0.1, ::1, localhost); use https://";
  }
  if (u.username || u.password) return "the URL carries credentials";
  if (u.origin !== base.origin) return `it is not on ${base.origin}`;
  return undefined;
}

/**
 * Validates an explicit base URL. Returns a problem sentence, or undefined when fine. Credentials in the URL, a
 * query or a fragment are refused: the URL ends up in state and error messages.
 */
export function baseUrlProblem(raw: string): string | undefined {
  const shown = JSON.stringify(raw.length > 100 ? `${raw.slice(0, 100)}…` : raw);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `${shown} is not a URL; give a full URL such as https://acme.example.com`;
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
    return `${shown} must use https:// (plain http is only allowed for loopback hosts such as 127.0.0.1)`;
  }
  if (u.username || u.password) return `"${u.host}" URL must not carry credentials; use the API key setting`;
  // An empty "?" or "#" leaves search/hash empty but would still swallow the API path appended to the URL.
  if (u.search || u.hash || /[?#]/.test(raw)) {
    return `${shown} must not have a query or fragment; remove everything from the first "?" or "#"`;
  }
  // The URL parser quietly rewrites some input (a backslash becomes "/", a TAB or newline is dropped, the host is
  // lower-cased, a default port removed): what would be called and stored must be exactly what was typed.
  const normal = u.href.replace(/\/+$/, "");
  if (normal !== raw.replace(/\/+$/, "")) {
    return `${shown} is not in normal form: it would be read as ${JSON.stringify(normal)}; write the URL exactly like that (or fix it)`;
  }
  return undefined;
}
