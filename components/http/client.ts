/**
 * The one request function both vendor clients use: timeouts, bounded retries, the per-origin limiter, and turning
 * failures into a VendorError with the vendor's advice.
 *
 * Nothing at module level may hold state, schemas or secrets: headers (credentials) come from a function called per
 * request, and process-wide state lives in process-global slots (./limiter).
 *
 * Every wait (a free slot, a rate-limit pause, backoff, Retry-After) and every attempt ends when the step it runs in
 * stops (../lifecycle: the run cancelled, the engine gone, the step's deadline): then nothing more is sent, and the
 * error says what the step did and did not do.
 */
import axios from "axios";
import { HTTP_DEFAULTS } from "./defaults";
import { FailureInfo, Side, UserError, VENDOR_FIELD_CAP, VendorError, sanitizeText } from "./errors";
import {
  OriginLimiter,
  acquireSlot,
  awaitTurn,
  effectiveConcurrency,
  noteBucket,
  notePause,
  originLimiter,
  releaseSlot,
} from "./limiter";
import { ProxyChoice, ProxyFailure, proxyFor, tunnelAgent } from "./proxy";
import { RetryPolicy, backoffMs, defaultRetryPolicy, isRetryableStatus, serverWaitMs, sleep } from "./retry";
import { cleanQuery, joinUrl, requestUrlProblem, safePath } from "./url";
import {
  beforeWrite,
  currentStep,
  noteRequest,
  stepStopped,
  stopSignal,
  throwIfStopped,
  timeLeftMs,
} from "../lifecycle";

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

export interface HttpClientOptions {
  side: Side;
  baseUrl: string;
  /** Deadline per attempt (default HTTP_DEFAULTS.timeoutMs). */
  timeoutMs?: number;
  /** Overrides of the retry policy (default: defaultRetryPolicy(), from HTTP_DEFAULTS); undefined ones are ignored. */
  retry?: Partial<RetryPolicy>;
  /** Most requests in flight at once against this base URL (default HTTP_DEFAULTS.concurrency of the side). */
  concurrency?: number;
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

/** Default cap on a response body, after decompression (HTTP_DEFAULTS.maxBodyBytes). */
export const MAX_BODY_BYTES = HTTP_DEFAULTS.maxBodyBytes;

/**
 * One attempt: an HTTP answer (and whether its body was unreadable), or a transport failure (`final` when a retry
 * cannot help, e.g. a body over the size limit). `secrets` are the credentials the attempt sent, to redact from errors.
 */
type Outcome = {
  response?: HttpResponse;
  /** The step stopped while the attempt was on its way: no answer, whether it arrived is unknown. */
  stopped?: boolean;
  transport?: string;
  badBody?: boolean;
  final?: boolean;
  sentAuth: Record<string, string>;
  secrets: string[];
};

/** The entries of `o` whose value is defined. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class HttpClient {
  /** Bound on requests in flight against this client's origin, across every client of the process. */
  readonly concurrency: number;

  /** The options with every default applied: the one place the clients' defaults are filled in. */
  readonly opts: HttpClientOptions & { timeoutMs: number; retry: RetryPolicy };

  constructor(options: HttpClientOptions) {
    this.opts = {
      ...options,
      timeoutMs: options.timeoutMs ?? HTTP_DEFAULTS.timeoutMs,
      // An override left undefined (a setting not given) keeps the default.
      retry: { ...defaultRetryPolicy(), ...definedOnly(options.retry ?? {}) },
    };
    const fallback = options.concurrency ?? HTTP_DEFAULTS.concurrency[options.side];
    this.concurrency = Math.max(1, Math.floor(effectiveConcurrency(options.side, fallback)));
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
    const url = this.urlOf(spec);
    const problem = requestUrlProblem(url, this.opts.baseUrl);
    if (problem) {
      throw new UserError(
        `${this.opts.side}: refused to ${spec.action}: ${spec.method} ${sanitizeText(url)} — ${problem}. ` +
          `No request was sent, so no credential left this machine. Fix the ${this.opts.side} URL setting.`,
      );
    }
    // HTTPS_PROXY / NO_PROXY, read per request (./proxy); with neither set, a direct connection as always.
    let proxy: ProxyChoice | undefined;
    try {
      proxy = proxyFor(url);
    } catch (e) {
      throw new UserError(
        `${this.opts.side}: refused to ${spec.action}: ${spec.method} ${sanitizeText(url)} — ` +
          `${sanitizeText((e as Error).message, [], 1000)}. No request was sent.`,
      );
    }
    const l = this.limiter(spec);
    const what = `${spec.method} ${spec.url ? safePath(spec.url) : spec.path}`;
    throwIfStopped(`about to send ${what}`);
    if (!(await acquireSlot(l, this.concurrency, stopSignal()))) {
      throw stepStopped(currentStep(), `waiting for a free connection to ${this.opts.side} to send ${what}`);
    }
    try {
      return await this.sendWithRetries(spec, url, l, proxy);
    } finally {
      releaseSlot(l);
    }
  }

  private async sendWithRetries(
    spec: RequestSpec,
    url: string,
    l: OriginLimiter,
    proxy?: ProxyChoice,
  ): Promise<HttpResponse> {
    const { retry } = this.opts;
    const path = spec.url ? safePath(spec.url) : spec.path;
    const what = `${spec.method} ${path}`;
    const signal = stopSignal();
    let refreshedAuth = false;
    let attempt = 0;
    for (;;) {
      await awaitTurn(l, retry.maxWaitMs, signal);
      throwIfStopped(`waiting for ${this.opts.side}'s rate limit before sending ${what}`);
      // The last look before anything that may change a setting leaves: never once the engine is gone.
      if (spec.method !== "GET") await beforeWrite(`about to send ${what}`);
      attempt++;
      const seq = ++l.seq;
      l.sending.push(seq);
      l.stats.sent++;
      l.stats.maxSending = Math.max(l.stats.maxSending, l.sending.length);
      let outcome: Outcome;
      try {
        outcome = await this.once(spec, signal, proxy);
      } finally {
        l.sending.splice(l.sending.indexOf(seq), 1);
      }
      // An access token request (noAuth) changes no setting: it is listed, but not as a write.
      noteRequest({
        method: spec.method,
        path,
        status: outcome.response?.status,
        write: spec.method !== "GET" && !spec.noAuth,
      });
      if (outcome.stopped) throw stepStopped(currentStep(), `waiting for the answer to ${what}`);
      if (outcome.response) noteBucket(l, seq, outcome.response.headers, outcome.response.status);
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
        notePause(l, outcome.response.headers, status, retry.maxWaitMs);
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
      const waiting =
        hinted !== undefined
          ? `waiting ${Math.ceil(wait / 1000)} s that ${this.opts.side} asked for (${status === 429 ? "rate limit" : "Retry-After"}) before retrying ${what}`
          : `backing off before retrying ${what} (HTTP ${status ?? outcome.transport})`;
      // A wait that outlasts the step's deadline is not begun: the step stops now, saying so.
      const left = timeLeftMs();
      if (wait >= left) {
        this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: 0 });
        throw stepStopped(currentStep(), waiting, {
          why: `that wait is longer than the ${Math.max(0, Math.floor(left / 1000))} s left`,
        });
      }
      // A 429 holds every request to this origin in the process, not just this one.
      if (status === 429) l.pausedUntil = Math.max(l.pausedUntil, Date.now() + wait);
      this.opts.onAttempt?.({ method: spec.method, path, status, waitMs: wait });
      await sleep(wait, signal);
      throwIfStopped(waiting);
    }
  }

  private async once(spec: RequestSpec, stop: AbortSignal, proxy?: ProxyChoice): Promise<Outcome> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const sentAuth = spec.noAuth ? {} : await this.opts.authHeaders();
    Object.assign(headers, sentAuth);
    // Everything secret this attempt sends, so an error can redact it wherever the server echoes it.
    const secrets: string[] = [];
    for (const v of Object.values(sentAuth)) secrets.push(v, v.replace(/^\S+\s+/, ""));
    if (proxy) secrets.push(...proxy.secrets);
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
        signal: AbortSignal.any([deadline.signal, stop]),
        // Counted after decompression, so a gzip bomb stops at the cap too.
        maxContentLength: maxBytes,
        maxBodyLength: maxBytes,
        // We parse ourselves so a malformed body is an error, not a silent string.
        responseType: "text",
        transformResponse: [(x: string) => x],
        validateStatus: () => true,
        maxRedirects: 0,
        // axios' own proxy support would send https to an http proxy in the clear: a CONNECT tunnel instead.
        proxy: false,
        ...(proxy ? { httpsAgent: tunnelAgent(proxy) } : {}),
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
      if (stop.aborted) return { stopped: true, sentAuth, secrets };
      if (deadline.signal.aborted) {
        return {
          transport:
            `timed out (no complete answer within the ${this.opts.timeoutMs} ms deadline per attempt` +
            (proxy ? `, through the proxy in ${proxy.variable}, ${proxy.shown})` : ")"),
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
      const viaProxy = proxyFailureOf(e);
      if (viaProxy) return { transport: `proxy: ${viaProxy.problem}`, final: viaProxy.final, sentAuth, secrets };
      const code = (e as { code?: string }).code ?? "";
      if (proxy && /CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
        // Behind a proxy, an untrusted certificate is most often the proxy's own (it inspects TLS).
        const host = new URL(this.urlOf(spec)).host;
        return {
          transport:
            `proxy: the TLS certificate ${host} presented through the proxy in ${proxy.variable} (${proxy.shown}) is ` +
            `not trusted (${code}): if that proxy inspects TLS, give Node its CA certificate with ` +
            `NODE_EXTRA_CA_CERTS=/path/to/ca.pem; otherwise check the ${this.opts.side} URL`,
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

/** The proxy's own failure behind an axios error, if that is what it was. */
function proxyFailureOf(e: unknown): ProxyFailure | undefined {
  for (let x = e, depth = 0; x && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    if (x instanceof ProxyFailure) return x;
  }
  return undefined;
}
