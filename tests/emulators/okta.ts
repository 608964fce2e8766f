/**
 * An Okta org emulator: the slice of the Management API this module uses (apps, app features, express-configure),
 * the org authorization server's client-credentials token endpoint (private_key_jwt), the org JWKS, and the outbound
 * Global Token Revocation call Okta makes to an app when Universal Logout fires.
 *
 * Shapes follow shared/contracts/okta-management-apps.yaml (Application / SamlApplication, ApplicationFeature, Error).
 * The base URL stands for https://{org}.okta.com, and is the org's issuer (`issuer`).
 */
import * as crypto from "node:crypto";
import {
  SignJWT,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type KeyLike,
} from "jose";
import { EmulatorServer, type EmuRequest, type EmuResponse } from "./server";

export type UniversalLogoutStatus = "ENABLED" | "DISABLED" | "UNSUPPORTED";
export type ProvisioningState = "ENABLED" | "DISABLED" | "NOT_SET_UP";
export type OktaAdminRole = "SUPER_ADMIN" | "APP_ADMIN" | "READ_ONLY_ADMIN" | "NONE";

export interface OktaAppSeed {
  id?: string;
  /** OIN app key; default "cerby". */
  name?: string;
  /** Display name; default "Cerby". */
  label?: string;
  status?: "ACTIVE" | "INACTIVE";
  /** Default DISABLED. */
  universalLogout?: UniversalLogoutStatus;
  /** Default ENABLED. */
  provisioning?: ProvisioningState;
  /** Where Okta POSTs Global Token Revocation for this app. */
  gtrEndpoint?: string;
}

export interface OktaApp {
  id: string;
  name: string;
  label: string;
  status: "ACTIVE" | "INACTIVE";
  universalLogout: UniversalLogoutStatus;
  provisioning: ProvisioningState;
  gtrEndpoint?: string;
}

/** Options of an emulated org. */
export interface OktaEmulatorOptions {
  /** Org subdomain, used for display (admin URL) only; default "acme". */
  orgName?: string;
  /**
   * Whether the org has Identity Threat Protection; default true. Without it Okta returns no `universalLogout` on
   * Application objects (see `universalLogoutWithoutItp`), does not offer Express Configuration of Universal Logout,
   * and fires no Universal Logout (`triggerUniversalLogout` sends nothing).
   */
  identityThreatProtection?: boolean;
  /**
   * Without Identity Threat Protection: leave `universalLogout` out of Application objects ("absent", default) or
   * send it as `null`.
   */
  universalLogoutWithoutItp?: "absent" | "null";
}

export interface UniversalLogoutEvent {
  appId: string;
  email: string;
  sent: boolean;
  status?: number;
  error?: string;
  at: number;
}

interface AppState extends OktaApp {
  seq: number;
  created: string;
  lastUpdated: string;
  /** GETs of the app that still show `staleStatus` (async express-configure). */
  staleReads: number;
  staleStatus?: UniversalLogoutStatus;
}

interface ServiceApp {
  clientId: string;
  publicJwk: JWK;
  scopes: string[];
  requireDpop: boolean;
  role: OktaAdminRole;
  usedJti: Map<string, number>;
}

interface Principal {
  kind: "ssws" | "oauth";
  role: OktaAdminRole;
  scopes: string[];
}

interface AccessToken {
  clientId: string;
  scopes: string[];
  role: OktaAdminRole;
  expiresAt: number;
}

interface Bucket {
  windowStart: number;
  count: number;
}

const APP_ID_RE = /^0oa[0-9A-Za-z]{17}$/;
const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CAPABILITIES = ["SSO", "PROVISIONING", "UNIVERSAL_LOGOUT"];
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** JWT `typ` of the Global Token Revocation request Okta sends to an app. */
const GTR_JWT_TYPE = "global-token-revocation+jwt";
/** Lifetime either side of now (seconds): `nbf` = now − 300, `exp` = now + 300. */
const GTR_JWT_SKEW_SEC = 300;

function randomAlnum(n: number): string {
  const bytes = crypto.randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[bytes[i] % ALNUM.length];
  return s;
}

function oktaError(
  status: number,
  errorCode: string,
  errorSummary: string,
  causes: string[] = [],
  headers?: Record<string, string>,
): EmuResponse {
  return {
    status,
    headers,
    body: {
      errorCode,
      errorSummary,
      errorLink: errorCode,
      errorId: `oae${randomAlnum(22)}`,
      errorCauses: causes.map((errorSummary) => ({ errorSummary })),
    },
  };
}

function oauthError(status: number, error: string, error_description: string): EmuResponse {
  return { status, headers: { "cache-control": "no-store", pragma: "no-cache" }, body: { error, error_description } };
}

const notFoundApp = (id: string) => oktaError(404, "E0000007", `Not found: Resource not found: ${id} (AppInstance)`);
const forbidden = (headers?: Record<string, string>) =>
  oktaError(403, "E0000006", "You do not have permission to perform the requested action", [], headers);
const methodNotAllowed = () => oktaError(405, "E0000022", "The endpoint does not support the provided HTTP method");

/** An org's signing key (its JWKS has the public half). */
interface OrgKey {
  privateKey: KeyLike;
  publicJwk: JWK;
  kid: string;
}

/**
 * Keys of the orgs (emulators) this process has stopped, for the next one it starts: an RSA key costs ~0.2 s of CPU to
 * make and a run of the suite starts ~60 orgs, most of them one per test. Orgs running at the same time never share a
 * key, as two real orgs never do.
 */
const spareOrgKeys: OrgKey[] = [];

export class OktaEmulator {
  readonly server: EmulatorServer;
  /** Org subdomain, used for display (admin URL) only. */
  orgName: string;
  expressConfigure: "available" | "403" | "404" | "405" = "available";
  /** When available: how many further GETs of the app still show the old status after express-configure. */
  expressConfigureDelayReads = 0;
  /** The apps bucket (all /api/v1/apps*). */
  rateLimit: { limit: number; windowMs: number } = { limit: 600, windowMs: 60_000 };
  /** The token endpoint's own bucket. */
  tokenRateLimit: { limit: number; windowMs: number } = { limit: 600, windowMs: 60_000 };
  /** OAuth access token lifetime. */
  tokenLifetimeSec = 3600;
  /** See OktaEmulatorOptions.identityThreatProtection; mutable. */
  identityThreatProtection: boolean;
  /** See OktaEmulatorOptions.universalLogoutWithoutItp; mutable. */
  universalLogoutWithoutItp: "absent" | "null";
  /**
   * Test hook: changes the header and claims of the next Global Token Revocation JWTs before Okta signs them with its
   * org key (e.g. a wrong `typ`, an expired `exp`), to show what the receiving app refuses. Unset: Okta's real token.
   */
  tamperGtrToken?: (token: { header: JWTHeaderParameters; claims: JWTPayload }) => void;
  /** What Okta would write to the System Log as user.authentication.universal_logout. */
  readonly universalLogoutEvents: UniversalLogoutEvent[] = [];

  private apps = new Map<string, AppState>();
  private seqOf = new Map<string, number>();
  private nextSeq = 1;
  private apiTokens = new Map<string, OktaAdminRole>();
  private serviceApps = new Map<string, ServiceApp>();
  private accessTokens = new Map<string, AccessToken>();
  private buckets = new Map<"apps" | "token", Bucket>();

  /** Every rate-limit bucket starts afresh: full, its window opening at the next call (as if minutes had passed). */
  resetRateLimits(): void {
    this.buckets.clear();
  }
  private orgKey?: OrgKey;
  private readonly orgId = `00o${randomAlnum(17)}`;

  constructor(opts: OktaEmulatorOptions = {}) {
    this.orgName = opts.orgName ?? "acme";
    this.identityThreatProtection = opts.identityThreatProtection ?? true;
    this.universalLogoutWithoutItp = opts.universalLogoutWithoutItp ?? "absent";
    this.server = new EmulatorServer("okta", (req) => this.handle(req));
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  /** The org's issuer URL (https://{org}.okta.com): `iss` of what it signs; its JWKS is `${issuer}/oauth2/v1/keys`. */
  get issuer(): string {
    return this.server.baseUrl;
  }

  /** Number of requests that reached POST /oauth2/v1/token (from the request log, faulted ones included). */
  get tokenRequests(): number {
    return this.server.requests.filter((r) => r.path === "/oauth2/v1/token").length;
  }

  async start(port?: number): Promise<string> {
    await this.ensureOrgKey();
    return this.server.start(port);
  }

  stop(): Promise<void> {
    // This org is gone: its key may sign for the next org this process starts (never for two running at once).
    if (this.orgKey) spareOrgKeys.push(this.orgKey);
    this.orgKey = undefined;
    return this.server.stop();
  }

  /** Admin console URL of an app (display only). */
  adminUrl(appId: string): string {
    const app = this.mustGet(appId);
    return `https://${this.orgName}-admin.okta.com/admin/app/${app.name}/instance/${app.id}/`;
  }

  // ---- state set-up (what an admin does in the console) ----

  addApp(seed: OktaAppSeed = {}): OktaApp {
    const id = seed.id ?? `0oa${randomAlnum(17)}`;
    if (this.apps.has(id)) throw new Error(`app ${id} already exists`);
    const now = new Date().toISOString();
    const seq = this.nextSeq++;
    this.seqOf.set(id, seq);
    const app: AppState = {
      id,
      name: seed.name ?? "cerby",
      label: seed.label ?? "Cerby",
      status: seed.status ?? "ACTIVE",
      universalLogout: seed.universalLogout ?? "DISABLED",
      provisioning: seed.provisioning ?? "ENABLED",
      gtrEndpoint: seed.gtrEndpoint,
      seq,
      created: now,
      lastUpdated: now,
      staleReads: 0,
    };
    this.apps.set(id, app);
    return this.publicView(app);
  }

  /** The app's true (eventual) state, regardless of pending stale reads. */
  getApp(id: string): OktaApp {
    return this.publicView(this.mustGet(id));
  }

  removeApp(id: string): void {
    this.mustGet(id);
    this.apps.delete(id);
  }

  setUniversalLogout(appId: string, status: UniversalLogoutStatus): void {
    const app = this.mustGet(appId);
    app.universalLogout = status;
    app.staleReads = 0;
    app.staleStatus = undefined;
    app.lastUpdated = new Date().toISOString();
  }

  setProvisioning(appId: string, p: ProvisioningState): void {
    const app = this.mustGet(appId);
    app.provisioning = p;
    app.lastUpdated = new Date().toISOString();
  }

  setGtrEndpoint(appId: string, url: string | undefined): void {
    this.mustGet(appId).gtrEndpoint = url;
  }

  addApiToken(token: string, opts: { role?: OktaAdminRole } = {}): void {
    this.apiTokens.set(token, opts.role ?? "SUPER_ADMIN");
  }

  addServiceApp(opts: {
    clientId: string;
    publicJwk: JWK;
    scopes: string[];
    requireDpop?: boolean;
    role?: OktaAdminRole;
  }): void {
    this.serviceApps.set(opts.clientId, {
      clientId: opts.clientId,
      publicJwk: opts.publicJwk,
      scopes: [...opts.scopes],
      requireDpop: opts.requireDpop ?? false,
      role: opts.role ?? "SUPER_ADMIN",
      usedJti: new Map(),
    });
  }

  /** Every access token issued so far stops working (as if it expired mid-run). */
  expireAllAccessTokens(): void {
    this.accessTokens.clear();
  }

  /**
   * Okta's side of Universal Logout: POST a Global Token Revocation request to the app's endpoint, as the contract
   * (section "The endpoint Okta calls when a logout fires") describes. Sends nothing unless the org has Identity
   * Threat Protection, the app's Universal Logout is ENABLED and it has an endpoint. Body
   * `{ sub_id: { format: "email", email } }`, or `iss_sub` (`iss` = the org issuer, `sub` = `opts.issSub`) for a user
   * Okta provisions; bearer JWT (RS256, the org JWKS key) with header `typ` global-token-revocation+jwt and claims
   * `iss` = the org issuer, `sub` = the App instance ID, `aud` = the endpoint without query or fragment,
   * `iat` = now, `nbf` = now − 300, `exp` = now + 300, a fresh `jti`.
   */
  async triggerUniversalLogout(
    appId: string,
    email: string,
    opts: { issSub?: string } = {},
  ): Promise<{ sent: boolean; status?: number; error?: string }> {
    const app = this.mustGet(appId);
    const event: UniversalLogoutEvent = { appId, email, sent: false, at: Date.now() };
    this.universalLogoutEvents.push(event);
    if (!this.identityThreatProtection || app.universalLogout !== "ENABLED" || !app.gtrEndpoint) return { sent: false };
    const jwt = await this.signGtrJwt(app.id, app.gtrEndpoint);
    const subId =
      opts.issSub !== undefined
        ? { format: "iss_sub", iss: this.issuer, sub: opts.issSub }
        : { format: "email", email };
    try {
      const res = await fetch(app.gtrEndpoint, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${jwt}` },
        body: JSON.stringify({ sub_id: subId }),
      });
      await res.arrayBuffer().catch(() => undefined); // Okta ignores the body
      event.sent = true;
      event.status = res.status;
      return { sent: true, status: res.status };
    } catch (e) {
      event.error = (e as Error).message;
      return { sent: false, error: event.error };
    }
  }

  private async signGtrJwt(appId: string, endpoint: string): Promise<string> {
    const key = await this.ensureOrgKey();
    const aud = new URL(endpoint);
    aud.search = "";
    aud.hash = "";
    const now = Math.floor(Date.now() / 1000);
    const token = {
      header: { alg: "RS256", kid: key.kid, typ: GTR_JWT_TYPE } as JWTHeaderParameters,
      claims: {
        iss: this.issuer,
        sub: appId,
        aud: aud.href,
        iat: now,
        nbf: now - GTR_JWT_SKEW_SEC,
        exp: now + GTR_JWT_SKEW_SEC,
        jti: crypto.randomUUID(),
      } as JWTPayload,
    };
    this.tamperGtrToken?.(token);
    return new SignJWT(token.claims).setProtectedHeader(token.header).sign(key.privateKey);
  }

  // ---- internals ----

  private mustGet(id: string): AppState {
    const app = this.apps.get(id);
    if (!app) throw new Error(`okta emulator: no app ${id}`);
    return app;
  }

  private publicView(app: AppState): OktaApp {
    const { id, name, label, status, universalLogout, provisioning, gtrEndpoint } = app;
    return { id, name, label, status, universalLogout, provisioning, ...(gtrEndpoint ? { gtrEndpoint } : {}) };
  }

  private async ensureOrgKey(): Promise<OrgKey> {
    this.orgKey ??= spareOrgKeys.pop();
    if (!this.orgKey) {
      const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
      const kid = randomAlnum(43);
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
      this.orgKey = { privateKey, publicJwk, kid };
    }
    return this.orgKey;
  }

  private async handle(req: EmuRequest): Promise<EmuResponse> {
    const out = await this.route(req);
    out.headers = { "x-okta-request-id": randomAlnum(27), ...(out.headers ?? {}) };
    return out;
  }

  private async route(req: EmuRequest): Promise<EmuResponse> {
    const p = req.path.replace(/\/+$/, "") || "/";
    if (p === "/oauth2/v1/keys") {
      if (req.method !== "GET")
        return oauthError(405, "invalid_request", "The endpoint does not support the provided HTTP method");
      const key = await this.ensureOrgKey();
      return { status: 200, headers: { "cache-control": "max-age=3600" }, body: { keys: [key.publicJwk] } };
    }
    if (p === "/.well-known/openid-configuration" || p === "/.well-known/oauth-authorization-server") {
      return {
        status: 200,
        body: {
          issuer: req.baseUrl,
          token_endpoint: `${req.baseUrl}/oauth2/v1/token`,
          jwks_uri: `${req.baseUrl}/oauth2/v1/keys`,
          grant_types_supported: ["client_credentials"],
          token_endpoint_auth_methods_supported: ["private_key_jwt"],
          dpop_signing_alg_values_supported: ["RS256", "ES256"],
        },
      };
    }
    if (p === "/oauth2/v1/token") {
      return this.withRateLimit("token", this.tokenRateLimit, () => this.token(req), true);
    }
    if (p === "/api/v1/apps" || p.startsWith("/api/v1/apps/")) {
      return this.withRateLimit("apps", this.rateLimit, () => this.appsApi(req, p), false);
    }
    if (p.startsWith("/api/v1/")) {
      const auth = this.authenticate(req);
      if ("status" in auth) return auth;
      return oktaError(404, "E0000007", `Not found: Resource not found: ${p}`);
    }
    return oktaError(404, "E0000007", `Not found: Resource not found: ${p}`);
  }

  private async withRateLimit(
    name: "apps" | "token",
    cfg: { limit: number; windowMs: number },
    fn: () => Promise<EmuResponse> | EmuResponse,
    oauth: boolean,
  ): Promise<EmuResponse> {
    const now = Date.now();
    let b = this.buckets.get(name);
    if (!b || now >= b.windowStart + cfg.windowMs) {
      b = { windowStart: now, count: 0 };
      this.buckets.set(name, b);
    }
    b.count += 1;
    const rl = {
      "x-rate-limit-limit": String(cfg.limit),
      "x-rate-limit-remaining": String(Math.max(0, cfg.limit - b.count)),
      "x-rate-limit-reset": String(Math.ceil((b.windowStart + cfg.windowMs) / 1000)),
    };
    const out =
      b.count > cfg.limit
        ? oauth
          ? oauthError(429, "too_many_requests", "API call exceeded rate limit due to too many requests.")
          : oktaError(429, "E0000047", "API call exceeded rate limit due to too many requests.")
        : await fn();
    out.headers = { ...rl, ...(out.headers ?? {}) };
    return out;
  }

  // ---- /api/v1 auth ----

  private authenticate(req: EmuRequest): Principal | EmuResponse {
    const h = req.headers.authorization ?? "";
    const m = /^(SSWS|Bearer|DPoP)\s+(\S+)\s*$/i.exec(h);
    if (m && m[1].toUpperCase() === "SSWS") {
      const role = this.apiTokens.get(m[2]);
      if (role) return { kind: "ssws", role, scopes: [] };
    } else if (m && m[1].toLowerCase() === "bearer") {
      const t = this.accessTokens.get(m[2]);
      if (t && t.expiresAt > Date.now()) return { kind: "oauth", role: t.role, scopes: t.scopes };
      if (t) this.accessTokens.delete(m[2]);
      return oktaError(401, "E0000011", "Invalid token provided", [], {
        "www-authenticate": `Bearer authorization_uri="${req.baseUrl}/oauth2/v1/authorize", realm="IdpRealm", scope="okta.apps.read", error="invalid_token", error_description="The access token is invalid.", resource="${req.path}"`,
      });
    }
    return oktaError(401, "E0000011", "Invalid token provided");
  }

  private authorize(req: EmuRequest, who: Principal, write: boolean): EmuResponse | undefined {
    if (who.kind === "oauth") {
      const ok = write
        ? who.scopes.includes("okta.apps.manage")
        : who.scopes.includes("okta.apps.read") || who.scopes.includes("okta.apps.manage");
      if (!ok) {
        const needed = write ? "okta.apps.manage" : "okta.apps.read";
        return forbidden({
          "www-authenticate": `Bearer authorization_uri="${req.baseUrl}/oauth2/v1/authorize", realm="IdpRealm", scope="${needed}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${req.path}"`,
        });
      }
    }
    if (who.role === "NONE") return forbidden();
    if (write && who.role === "READ_ONLY_ADMIN") return forbidden();
    return undefined;
  }

  // ---- /api/v1/apps* ----

  private appsApi(req: EmuRequest, p: string): EmuResponse {
    const who = this.authenticate(req);
    if ("status" in who) return who;
    const seg = p.split("/").slice(4).map(decodeURIComponent); // after /api/v1/apps
    const write = req.method !== "GET" && req.method !== "HEAD";
    const isExpress = seg.length === 3 && seg[1] === "express-configure";
    const known =
      (seg.length === 0 && req.method === "GET") ||
      (seg.length === 1 && (req.method === "GET" || req.method === "PUT")) ||
      (seg.length === 2 && seg[1] === "features" && req.method === "GET") ||
      (seg.length === 3 && seg[1] === "features" && req.method === "GET") ||
      (seg.length === 3 &&
        seg[1] === "lifecycle" &&
        req.method === "POST" &&
        (seg[2] === "activate" || seg[2] === "deactivate")) ||
      (isExpress && req.method === "POST");
    const denied = this.authorize(req, who, write);
    if (denied) return denied;
    if (isExpress) {
      if (this.expressConfigure === "403") return forbidden();
      if (this.expressConfigure === "404") return oktaError(404, "E0000007", `Not found: Resource not found: ${p}`);
      if (this.expressConfigure === "405" || req.method !== "POST") return methodNotAllowed();
    }
    if (!known) {
      if (seg.length <= 3) return methodNotAllowed();
      return oktaError(404, "E0000007", `Not found: Resource not found: ${p}`);
    }
    if (seg.length === 0) return this.listApps(req);

    const app = this.apps.get(seg[0]);
    if (!app) return notFoundApp(seg[0]);

    if (seg.length === 1 && req.method === "GET") {
      const shown = this.render(app, req.baseUrl);
      if (app.staleReads > 0) app.staleReads -= 1;
      if (app.staleReads === 0) app.staleStatus = undefined;
      return { status: 200, body: shown };
    }
    if (seg.length === 1) return this.replaceApp(req, app);
    if (seg[1] === "features") return this.features(req, app, seg[2]);
    if (seg[1] === "lifecycle") {
      app.status = seg[2] === "activate" ? "ACTIVE" : "INACTIVE";
      app.lastUpdated = new Date().toISOString();
      return { status: 200, body: {} };
    }
    return this.expressConfigureOp(app, seg[2], p);
  }

  private expressConfigureOp(app: AppState, capability: string, path: string): EmuResponse {
    if (!CAPABILITIES.includes(capability)) {
      return oktaError(400, "E0000001", "Api validation failed: capabilityType", [
        `capabilityType: '${capability}' is not a supported capability. Supported values: ${CAPABILITIES.join(", ")}.`,
      ]);
    }
    if (capability !== "UNIVERSAL_LOGOUT") return { status: 204 };
    // Without Identity Threat Protection the org does not offer Universal Logout: answered as the "404" mode is.
    if (!this.identityThreatProtection) return oktaError(404, "E0000007", `Not found: Resource not found: ${path}`);
    if (app.universalLogout === "UNSUPPORTED") {
      return oktaError(400, "E0000001", "Api validation failed: capabilityType", [
        "The app doesn't support Universal Logout.",
      ]);
    }
    if (app.universalLogout !== "ENABLED") {
      const before = app.staleStatus ?? app.universalLogout;
      app.universalLogout = "ENABLED";
      app.lastUpdated = new Date().toISOString();
      if (this.expressConfigureDelayReads > 0) {
        app.staleReads = this.expressConfigureDelayReads;
        app.staleStatus = before;
      }
    }
    return { status: 204 };
  }

  private replaceApp(req: EmuRequest, app: AppState): EmuResponse {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object" || typeof body.label !== "string" || typeof body.signOnMode !== "string") {
      return oktaError(400, "E0000001", "Api validation failed: app", [
        "label: The field cannot be left blank",
        "signOnMode: The field cannot be left blank",
      ]);
    }
    // universalLogout, status, name, id, features are read-only: silently ignored like the real API.
    app.label = body.label;
    app.lastUpdated = new Date().toISOString();
    return { status: 200, body: this.render(app, req.baseUrl) };
  }

  private listApps(req: EmuRequest): EmuResponse {
    const q = req.query.get("q");
    const filter = req.query.get("filter");
    const after = req.query.get("after");
    const rawLimit = req.query.get("limit");
    let limit = rawLimit === null ? 20 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit <= 0) limit = 20;
    if (limit > 200) limit = 200;

    let preds: Array<(a: AppState) => boolean> = [];
    if (filter !== null && filter.trim() !== "") {
      const parsed = parseFilter(filter);
      if (!parsed)
        return oktaError(400, "E0000031", "Invalid search criteria.", [
          `filter: Unsupported filter expression: ${filter}`,
        ]);
      preds = parsed;
    }
    let list = [...this.apps.values()].sort((a, b) => a.seq - b.seq);
    if (q) {
      const ql = q.toLowerCase();
      list = list.filter((a) => a.name.toLowerCase().startsWith(ql) || a.label.toLowerCase().startsWith(ql));
    }
    list = list.filter((a) => preds.every((f) => f(a)));
    if (after !== null) {
      const s = this.seqOf.get(after);
      list = s === undefined ? [] : list.filter((a) => a.seq > s);
    }
    const page = list.slice(0, limit);
    const more = list.length > limit;

    const link = (extra: Record<string, string>) => {
      const u = new URL("/api/v1/apps", req.baseUrl);
      for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
      u.searchParams.set("limit", String(limit));
      if (q) u.searchParams.set("q", q);
      if (filter) u.searchParams.set("filter", filter);
      return u.toString();
    };
    const links = [`<${link(after !== null ? { after } : {})}>; rel="self"`];
    if (more && page.length > 0) links.push(`<${link({ after: page[page.length - 1].id })}>; rel="next"`);
    return { status: 200, headers: { link: links.join(", ") }, body: page.map((a) => this.render(a, req.baseUrl)) };
  }

  private features(req: EmuRequest, app: AppState, name?: string): EmuResponse {
    if (app.provisioning === "NOT_SET_UP") {
      return oktaError(400, "E0000001", "Api validation failed: feature", [
        "Provisioning is not enabled for the app instance.",
      ]);
    }
    const feature = this.userProvisioning(app, req.baseUrl);
    if (name === undefined) return { status: 200, body: [feature] };
    if (name !== "USER_PROVISIONING")
      return oktaError(404, "E0000007", `Not found: Resource not found: ${name} (AppInstanceFeature)`);
    return { status: 200, body: feature };
  }

  private userProvisioning(app: AppState, base: string): unknown {
    const s = app.provisioning === "ENABLED" ? "ENABLED" : "DISABLED";
    return {
      name: "USER_PROVISIONING",
      status: s,
      description: "User provisioning settings from Okta to a downstream application",
      capabilities: {
        create: { lifecycleCreate: { status: s } },
        update: {
          profile: { status: s },
          lifecycleDeactivate: { status: s },
          password: { status: "DISABLED", seed: "RANDOM", change: "KEEP_EXISTING" },
        },
      },
      _links: {
        self: { href: `${base}/api/v1/apps/${app.id}/features/USER_PROVISIONING`, hints: { allow: ["GET", "PUT"] } },
      },
    };
  }

  /** The Application (SamlApplication) object as the Management API returns it. */
  private render(app: AppState, base: string): Record<string, unknown> {
    const ul = app.staleReads > 0 && app.staleStatus ? app.staleStatus : app.universalLogout;
    const itp = this.identityThreatProtection;
    const universalLogout =
      ul === "UNSUPPORTED"
        ? { status: "UNSUPPORTED" }
        : { status: ul, supportType: "FULL", identityStack: "NOT_SHARED", protocol: "GLOBAL_TOKEN_REVOCATION" };
    // Returned only in orgs with Identity Threat Protection; elsewhere absent or null (research/okta.md, 2026-11).
    const ulMember = itp
      ? { universalLogout }
      : this.universalLogoutWithoutItp === "null"
        ? { universalLogout: null }
        : {};
    const enabled = ["SSO"];
    if (app.provisioning === "ENABLED") enabled.push("PROVISIONING");
    if (itp && ul === "ENABLED") enabled.push("UNIVERSAL_LOGOUT");
    const api = `${base}/api/v1/apps/${app.id}`;
    const linkName = `${app.name}_link`;
    return {
      id: app.id,
      orn: `orn:okta:idp:${this.orgId}:apps:${app.name}:${app.id}`,
      name: app.name,
      label: app.label,
      status: app.status,
      lastUpdated: app.lastUpdated,
      created: app.created,
      accessibility: { selfService: false },
      visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { [linkName]: true } },
      features:
        app.provisioning === "ENABLED"
          ? ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"]
          : [],
      signOnMode: "SAML_2_0",
      credentials: {
        userNameTemplate: { template: "${source.email}", type: "BUILT_IN" },
        signing: { kid: `${app.id}-signing` },
      },
      settings: {
        app: {},
        notifications: { vpn: { network: { connection: "DISABLED" } } },
        signOn: {
          defaultRelayState: "",
          ssoAcsUrl: `https://${app.name}.example.com/saml/acs`,
          idpIssuer: `http://www.okta.com/${app.id}`,
          audience: `https://${app.name}.example.com`,
          recipient: `https://${app.name}.example.com/saml/acs`,
          destination: `https://${app.name}.example.com/saml/acs`,
          subjectNameIdTemplate: "${user.userName}",
          subjectNameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
          responseSigned: true,
          assertionSigned: true,
          signatureAlgorithm: "RSA_SHA256",
          digestAlgorithm: "SHA256",
          honorForceAuthn: true,
          requestCompressed: false,
          allowMultipleAcsEndpoints: false,
          acsEndpoints: [],
          attributeStatements: [],
        },
      },
      ...ulMember,
      expressConfiguration: {
        supportedCapabilities:
          !itp || ul === "UNSUPPORTED" ? ["SSO", "PROVISIONING"] : ["SSO", "PROVISIONING", "UNIVERSAL_LOGOUT"],
        enabledCapabilities: enabled,
      },
      _links: {
        logo: [{ name: "medium", href: `${base}/assets/img/logos/${app.name}.png`, type: "image/png" }],
        appLinks: [
          {
            name: linkName,
            href: `${base}/home/${app.name}/${app.id}/aln${randomAlnumStable(app.id)}`,
            type: "text/html",
          },
        ],
        help: {
          href: `https://${this.orgName}-admin.okta.com/app/${app.name}/${app.id}/setup/help/SAML_2_0/instructions`,
          type: "text/html",
        },
        users: { href: `${api}/users` },
        groups: { href: `${api}/groups` },
        metadata: { href: `${api}/sso/saml/metadata`, type: "application/xml" },
        ...(app.status === "ACTIVE"
          ? { deactivate: { href: `${api}/lifecycle/deactivate` } }
          : { activate: { href: `${api}/lifecycle/activate` } }),
        self: { href: api },
      },
    };
  }

  // ---- /oauth2/v1/token ----

  private async token(req: EmuRequest): Promise<EmuResponse> {
    if (req.method !== "POST")
      return oauthError(405, "invalid_request", "The endpoint does not support the provided HTTP method");
    const ct = String(req.headers["content-type"] ?? "");
    if (!ct.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return oauthError(400, "invalid_request", "The request must be sent as application/x-www-form-urlencoded.");
    }
    const form = new URLSearchParams(req.rawBody);
    const grant = form.get("grant_type");
    if (!grant) return oauthError(400, "invalid_request", "The 'grant_type' parameter is required.");
    if (grant !== "client_credentials")
      return oauthError(
        400,
        "unsupported_grant_type",
        `The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].`,
      );
    const assertion = form.get("client_assertion");
    const assertionType = form.get("client_assertion_type");
    if (!assertion || assertionType !== JWT_BEARER) {
      return oauthError(
        401,
        "invalid_client",
        "Client authentication failed: a client_assertion of type jwt-bearer is required.",
      );
    }
    let iss: string | undefined;
    try {
      iss = decodeJwt(assertion).iss;
    } catch {
      return oauthError(401, "invalid_client", "The client_assertion token is malformed.");
    }
    const clientId = form.get("client_id") ?? iss;
    if (!clientId || (iss !== undefined && iss !== clientId)) {
      return oauthError(401, "invalid_client", "The client_assertion token has an invalid 'iss' claim.");
    }
    const sa = this.serviceApps.get(clientId);
    if (!sa) return oauthError(401, "invalid_client", "Invalid value for 'client_id' parameter.");

    const tokenUrl = `${req.baseUrl}/oauth2/v1/token`;
    let claims: { exp?: number; jti?: string };
    try {
      const { payload } = await jwtVerify(assertion, async (header) => importJWK(sa.publicJwk, header.alg), {
        issuer: clientId,
        subject: clientId,
        audience: tokenUrl,
        requiredClaims: ["exp", "jti"],
        algorithms: ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256"],
      });
      claims = payload;
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      if (
        code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" ||
        code === "ERR_JWS_INVALID" ||
        code === "ERR_JOSE_ALG_NOT_ALLOWED"
      ) {
        return oauthError(401, "invalid_client", "The client_assertion signature is invalid.");
      }
      if (code === "ERR_JWT_EXPIRED")
        return oauthError(401, "invalid_client", "The client_assertion token is expired.");
      return oauthError(401, "invalid_client", `The client_assertion token is invalid: ${(e as Error).message}`);
    }
    const nowSec = Math.floor(Date.now() / 1000);
    if ((claims.exp ?? 0) - nowSec > 3600 + 60) {
      return oauthError(401, "invalid_client", "The client_assertion token has an expiration too far in the future.");
    }
    for (const [j, exp] of sa.usedJti) if (exp < nowSec - 60) sa.usedJti.delete(j);
    if (sa.usedJti.has(claims.jti!)) {
      return oauthError(401, "invalid_client", "The client_assertion token has already been used (jti replay).");
    }
    sa.usedJti.set(claims.jti!, claims.exp ?? nowSec);

    if (sa.requireDpop) {
      if (!req.headers["dpop"]) return oauthError(400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.");
      return oauthError(
        400,
        "invalid_dpop_proof",
        "The DPoP proof JWT is invalid (this emulator does not accept DPoP proofs).",
      );
    }

    const requested = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
    if (requested.length === 0) {
      return oauthError(
        400,
        "invalid_scope",
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
      );
    }
    const notGranted = requested.filter((s) => !sa.scopes.includes(s));
    if (notGranted.length > 0) {
      return oauthError(
        400,
        "invalid_scope",
        `One or more scopes are not configured for the authorization server resource: ${notGranted.join(" ")}`,
      );
    }
    const access_token = crypto.randomBytes(32).toString("base64url");
    this.accessTokens.set(access_token, {
      clientId,
      scopes: requested,
      role: sa.role,
      expiresAt: Date.now() + this.tokenLifetimeSec * 1000,
    });
    return {
      status: 200,
      headers: { "cache-control": "no-store", pragma: "no-cache" },
      body: { token_type: "Bearer", expires_in: this.tokenLifetimeSec, access_token, scope: requested.join(" ") },
    };
  }
}

/** A deterministic 17-char suffix derived from an id (stable app link ids across reads). */
function randomAlnumStable(seed: string): string {
  const h = crypto.createHash("sha256").update(seed).digest();
  let s = "";
  for (let i = 0; i < 17; i++) s += ALNUM[h[i] % ALNUM.length];
  return s;
}

/** `status eq "ACTIVE"`, `name eq "x"`, `id eq "0oa…"`, joined by `and`. Undefined when unsupported. */
function parseFilter(filter: string): Array<(a: AppState) => boolean> | undefined {
  const parts = filter.split(/\s+and\s+/i);
  const preds: Array<(a: AppState) => boolean> = [];
  for (const part of parts) {
    const m = /^\s*\(?\s*(status|name|id)\s+eq\s+"([^"]*)"\s*\)?\s*$/.exec(part);
    if (!m) return undefined;
    const [, field, value] = m;
    if (field === "status" && !["ACTIVE", "INACTIVE", "DELETED"].includes(value)) return undefined;
    preds.push((a) => a[field as "status" | "name" | "id"] === value);
  }
  return preds;
}

export { APP_ID_RE };
