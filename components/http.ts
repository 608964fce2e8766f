/**
 * The one HTTP layer both vendor clients use: timeouts, bounded retries with backoff that honour `Retry-After` and
 * Okta's `X-Rate-Limit-Reset`, a concurrency bound, and turning failures into one error type rendered once.
 *
 * Everything here is serialized into Pulumi state with the dynamic providers, so nothing at module level may hold
 * state, schemas or secrets: headers (credentials) come from a function called per request.
 */
import axios from "axios";

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
  /** Transport failure (timeout, reset, refused) when there was no HTTP answer. */
  transport?: string;
  attempts: number;
}

export interface VendorErrorFields {
  side: Side;
  action: string;
  method: string;
  path: string;
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
  constructor(fields: VendorErrorFields) {
    super(renderVendorError(fields));
    this.name = "VendorError";
    this.fields = fields;
  }
  get status(): number | undefined {
    return this.fields.status;
  }
  get code(): string | undefined {
    return this.fields.code;
  }
}

export function renderVendorError(f: VendorErrorFields): string {
  const answer = f.status !== undefined ? `HTTP ${f.status}` : "no answer";
  const vendor = [f.code, f.title, f.detail].filter((x) => x && x.length > 0).join(": ");
  const tries = f.attempts && f.attempts > 1 ? ` after ${f.attempts} attempts` : "";
  const id = f.requestId ? ` (${f.side} request id: ${f.requestId})` : "";
  return `${f.side}: could not ${f.action}: ${f.method} ${f.path} → ${answer}${tries}${vendor ? ` — ${vendor}` : ""}. ${f.hint}${id}`;
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
  /** Called when a 401 arrives on an authenticated call; return true to retry once with fresh credentials. */
  onUnauthorized?: () => Promise<boolean>;
  /** Observability for tests and the benchmark: every attempt, with its outcome. */
  onAttempt?: (e: { method: string; path: string; status?: number; waitMs: number }) => void;
}

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

export class HttpClient {
  private inFlight = 0;
  private queue: Array<() => void> = [];
  /** Epoch ms before which no request is sent: set when a bucket is empty or the server said wait. */
  private pausedUntil = 0;

  constructor(readonly opts: HttpClientOptions) {}

  async send(spec: RequestSpec): Promise<HttpResponse> {
    await this.acquire();
    try {
      return await this.sendWithRetries(spec);
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.opts.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    const next = this.queue.shift();
    if (next) next();
  }

  private async sendWithRetries(spec: RequestSpec): Promise<HttpResponse> {
    const { retry } = this.opts;
    const path = spec.url ? safePath(spec.url) : spec.path;
    let refreshedAuth = false;
    let attempt = 0;
    for (;;) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await sleep(pause);
      attempt++;
      const outcome = await this.once(spec);
      const info: FailureInfo = {
        side: this.opts.side,
        action: spec.action,
        method: spec.method,
        path,
        status: outcome.response?.status,
        data: outcome.response?.data,
        headers: outcome.response?.headers ?? {},
        requestId: outcome.response?.requestId,
        transport: outcome.transport,
        attempts: attempt,
      };
      const status = outcome.response?.status;
      if (outcome.response && status !== undefined && status < 400 && !outcome.badBody) {
        this.notePause(outcome.response.headers, status);
        this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
        return outcome.response;
      }
      if (status === 401 && !spec.noAuth && !refreshedAuth && this.opts.onUnauthorized) {
        refreshedAuth = true;
        if (await this.opts.onUnauthorized()) {
          this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
          continue;
        }
      }
      const retryable = outcome.transport !== undefined || outcome.badBody || isRetryableStatus(status ?? 0);
      if (!retryable || attempt > retry.retries) {
        this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
        throw this.opts.describeFailure(info);
      }
      const hinted = status !== undefined ? serverWaitMs(info.headers, status) : undefined;
      if (hinted !== undefined && hinted > retry.maxWaitMs) {
        this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
        throw this.opts.describeFailure(info);
      }
      const wait = hinted ?? backoffMs(attempt - 1, retry);
      if (status === 429) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
      this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: wait });
      await sleep(wait);
    }
  }

  /** When a successful answer says the bucket is empty, hold the next requests until it resets. */
  private notePause(headers: Record<string, string>, status: number): void {
    if (headers["x-rate-limit-remaining"] === "0") {
      const wait = serverWaitMs(headers, status);
      if (wait !== undefined && wait <= this.opts.retry.maxWaitMs) {
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
      }
    }
  }

  private async once(spec: RequestSpec): Promise<{ response?: HttpResponse; transport?: string; badBody?: boolean }> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (!spec.noAuth) Object.assign(headers, await this.opts.authHeaders());
    let data: string | undefined;
    if (spec.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      data = new URLSearchParams(typeof spec.form === "function" ? await spec.form() : spec.form).toString();
    } else if (spec.body !== undefined) {
      headers["Content-Type"] = "application/json";
      data = JSON.stringify(spec.body);
    }
    try {
      const res = await axios.request<string>({
        method: spec.method,
        url: spec.url ?? joinUrl(this.opts.baseUrl, spec.path),
        params: spec.url ? undefined : cleanQuery(spec.query),
        headers,
        data,
        timeout: this.opts.timeoutMs,
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
          parsed = text.slice(0, 200);
          badBody = res.status < 400;
        }
      }
      return { response: { status: res.status, headers: h, data: parsed, requestId }, badBody };
    } catch (e) {
      return { transport: describeTransport(e) };
    }
  }
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
export function transportHint(side: Side, transport: string, baseUrl: string): string {
  if (transport === "timed out")
    return `${side} did not answer in time; check the network path to ${baseUrl} and retry.`;
  if (transport === "host not found") return `The host of ${baseUrl} does not resolve; check the ${side} URL settings.`;
  return `The connection to ${baseUrl} failed (${transport}); check the network path and retry — the run is safe to repeat.`;
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
 * Validates an explicit base URL. Returns a problem sentence, or undefined when fine. Credentials in the URL, a
 * query or a fragment are refused: the URL ends up in state and error messages.
 */
export function baseUrlProblem(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `"${raw}" is not a URL; give a full URL such as https://acme.example.com`;
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
    return `"${raw}" must use https:// (plain http is only allowed for loopback hosts such as 127.0.0.1)`;
  }
  if (u.username || u.password) return `"${u.host}" URL must not carry credentials; use the API key setting`;
  if (u.search || u.hash) return `URL must not have a query or fragment; remove "${u.search}${u.hash}"`;
  return undefined;
}
