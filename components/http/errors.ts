/**
 * The one error type both vendor clients raise, rendered once: side, step, request, vendor code, advice. Vendor text
 * is sanitized here (credentials redacted, control characters gone, capped), and the advice shared by both vendors
 * (transport failures, malformed answers, redirects, 5xx not retried) is worded here.
 */

export type Side = "Cerby" | "Okta";

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

/** Shortest run of a secret's characters (or of its base64) that is redacted where it appears alone: a partial echo. */
export const SECRET_WINDOW = 12;

/** The characters of `bytes`' base64 that encode them alone when they start `offset` bytes into a 3-byte group. */
function base64Core(bytes: Buffer, offset: number): string {
  const enc = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
  return enc.slice(offset === 0 ? 0 : 4, Math.floor((offset + bytes.length) / 3) * 4);
}

const base64Url = (b64: string) => b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/**
 * Every encoding a server may echo a secret in: as is, URL-encoded (both space forms), hex (both cases), and base64 and
 * base64url — whole, and as the part that is the same at any byte alignment inside a longer encoded text (the groups
 * that encode the secret's bytes alone). Forms shorter than 8 characters are left out: they would match by chance.
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const b64 = bytes.toString("base64");
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
    b64,
    b64.replace(/=+$/, ""),
    // Inside a longer base64 text the secret starts 0, 1 or 2 bytes into a 3-byte group.
    ...[0, 1, 2].map((offset) => base64Core(bytes, offset)),
  ]);
  for (const f of [...forms]) if (/[+/=]/.test(f)) forms.add(base64Url(f));
  return [...forms].filter((f) => f.length >= 8);
}

/** The texts any SECRET_WINDOW characters of which count as the secret: it, and its base64(url) at each alignment. */
function windowTexts(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  return [secret, ...[0, 1, 2].flatMap((o) => [base64Core(bytes, o), base64Url(base64Core(bytes, o))])];
}

/** `text` with every form of each secret (secretForms) and every run of SECRET_WINDOW of its characters redacted. */
function redactSecrets(text: string, secrets: string[]): string {
  const known = secrets.filter((x) => typeof x === "string" && x.length >= 8);
  if (known.length === 0) return text;
  const forms = [...new Set(known.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  let t = forms.reduce((acc, f) => acc.split(f).join("[redacted]"), text);
  // A partial echo (the key's first 16 characters, an encoded echo cut short): every position covered by a window of
  // a secret or of its base64 is redacted, each run once.
  const windows = new Set<string>();
  for (const w of known.flatMap(windowTexts)) {
    for (let i = 0; i + SECRET_WINDOW <= w.length; i++) windows.add(w.slice(i, i + SECRET_WINDOW));
  }
  const covered = new Array<boolean>(t.length).fill(false);
  let any = false;
  for (let i = 0; i + SECRET_WINDOW <= t.length; i++) {
    if (!windows.has(t.slice(i, i + SECRET_WINDOW))) continue;
    any = true;
    covered.fill(true, i, i + SECRET_WINDOW);
  }
  if (any) t = t.replace(/[\s\S]/g, (c, i: number) => (!covered[i] ? c : i > 0 && covered[i - 1] ? "" : "[redacted]"));
  return t;
}

/**
 * Makes text from a server safe to show: control characters and ANSI escapes (forged log lines, terminal tricks) and
 * bidi overrides removed, every credential form redacted (the given secrets in every encoding — see secretForms — and
 * any run of SECRET_WINDOW of their characters, `SSWS …`, `Bearer …`, JWTs such as a client_assertion, `key=…`-style
 * pairs, PEM blocks), then capped at `cap` characters.
 */
export function sanitizeText(raw: unknown, secrets: string[] = [], cap = VENDOR_FIELD_CAP): string {
  let t = typeof raw === "string" ? raw : String(raw);
  // Long input is cut early (before the regexes), keeping enough to find a credential that straddles the cap.
  if (t.length > cap * 8) t = t.slice(0, cap * 8);
  const redactKnown = (x: string) => redactSecrets(x, secrets);
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

/** A request that may change state: a write whose outcome is unknown must say so, never claim nothing changed. */
export function isWrite(method: string): boolean {
  return method !== "GET" && method !== "HEAD";
}

/** A transport failure in the user's words. */
export function transportHint(side: Side, transport: string, baseUrl: string, method = "GET"): string {
  // A write that got no answer may still have been applied: never claim it was not.
  const write = isWrite(method)
    ? ` The ${method} may still have been applied; the next run converges from what is there, so rerunning is safe.`
    : "";
  // The proxy's own failure (./proxy) is complete advice already: which variable, what happened, the fix.
  if (transport.startsWith("proxy: "))
    return `${transport.charAt(7).toUpperCase()}${transport.slice(8)}. Nothing reached ${side}; the run is safe to repeat.`;
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
      ? `, so whether the ${method} was applied is unknown; the next run converges from what is there. Rerun`
      : "; this step only read. Rerun") +
    `; if it persists, ${check}.`
  );
}

/** A 3xx: never followed (`credential` would go along) and never success. `fix` says which URL to give. */
/** A vendor's words for a redirect: whose credential would go along, and where to give its own URL. */
export interface RedirectAdvice {
  side: Side;
  credential: string;
  fix: string;
}

/** `info`: the method and the redirect target, as failureFields reports them. */
export function redirectHint(advice: RedirectAdvice, info: { method: string; redirect?: string }): string {
  return (
    `${advice.side} answered with a redirect${info.redirect ? "" : " without a Location"}; this module never follows ` +
    `one (${advice.credential} would go along) and a redirect is not a success` +
    (isWrite(info.method)
      ? `: the ${info.method} was not confirmed, and the next run converges from what is there`
      : "") +
    `. ${advice.fix}`
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

/**
 * A 5xx the run gave up on: one a retry would not change (not retried), or a transient one beyond the retry budget.
 * `check`: what to look at first for the former ("Check the org URL").
 */
export function serverErrorHint(
  side: Side,
  info: Pick<FailureInfo, "status" | "method" | "stop">,
  check: string,
): string {
  const safe = "the run is safe to repeat: it converges from what is there.";
  return info.stop === "final"
    ? notRetriedHint(side, info.status ?? 0, info.method, `${check}; ${safe}`)
    : `${side} had a server error beyond the retry budget. The run is safe to repeat: it converges from what is there.`;
}
