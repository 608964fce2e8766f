/**
 * Cerby emulator: several workspaces behind one real HTTP server, implementing docs/cerby-contract.md.
 * Workspace `acme` lives at `${baseUrl}/ws/acme` (standing in for https://acme.cerby.com).
 *
 * - `GET|PUT {ws}${settingsPath}/universal-logout` — the Universal Logout setting (X-API-Key, role checks, validation).
 * - `GET {ws}${settingsPath}` — the IdP context (read-only).
 * - `POST {ws}/api/v1/universal-logout/okta/global-token-revocation` — what Okta calls when a logout fires: a Global
 *   Token Revocation request, accepted only as the contract's section "The endpoint Okta calls when a logout fires" says.
 */
import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { EmulatorServer, type EmuRequest, type EmuResponse } from "./server";

export type CerbyRole = "owner" | "super_admin" | "admin" | "member";
export type CerbyIdpType = "okta" | "azure" | "onelogin" | "local";

export interface CerbyEmulatorOptions {
  /** Prefix of the IdP settings; universal-logout lives at `${settingsPath}/universal-logout`. Default `/api/v1/settings/idp`. */
  settingsPath?: string;
  /** JWKS of the Okta org whose signed requests the GTR endpoint accepts (`{org}/oauth2/v1/keys`). */
  oktaJwksUrl?: string;
  /**
   * Issuer URL of the Okta org the workspaces are federated with (`https://{org}.okta.com`): the `iss` a logout
   * request must carry. Default: derived from `oktaJwksUrl` by dropping `/oauth2/v1/keys`.
   */
  oktaIssuer?: string;
}

export interface CerbySetting {
  provider: "okta";
  enabled: boolean;
  appInstanceId: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

/** The user id recorded as `updatedBy` when a test changes the setting "in the web app" (setSetting). */
export const WEB_ADMIN_USER_ID = "00000000-0000-4000-8000-00000000ad01";

export const GTR_PATH = "/api/v1/universal-logout/okta/global-token-revocation";
/** The JWT `typ` header of a Global Token Revocation request. */
export const GTR_JWT_TYPE = "global-token-revocation+jwt";
/** Clock skew (seconds) tolerated on `exp`, `nbf` and `iat` of a logout request. */
export const GTR_CLOCK_TOLERANCE_SEC = 5;
/** Longest lifetime (`exp` − `iat`, seconds) of a logout request: Okta signs it for five minutes. */
export const GTR_MAX_LIFETIME_SEC = 300;
const OKTA_JWKS_SUFFIX = /\/oauth2\/v1\/keys\/?$/;
const APP_INSTANCE_ID_RE = /^0oa[0-9A-Za-z]{17}$/;
const WORKSPACE_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ADMIN_ROLES: ReadonlySet<CerbyRole> = new Set<CerbyRole>(["owner", "super_admin", "admin"]);

interface ApiKey {
  role: CerbyRole;
  userId: string;
  expiresAt?: Date;
  deleted: boolean;
}

interface User {
  email: string;
  provisionedBy: "scim" | "local";
  sub: string;
  sessions: Set<string>;
}

interface Workspace {
  name: string;
  idpType: CerbyIdpType;
  ssoProtocol: "saml" | "oidc";
  scimEnabled: boolean;
  keys: Map<string, ApiKey>;
  setting: CerbySetting;
  /** keyed by lower-case email */
  users: Map<string, User>;
  seenJti: Set<string>;
}

type Jwks = ReturnType<typeof createRemoteJWKSet>;

export class CerbyEmulator {
  readonly server: EmulatorServer;
  /** Mutable: the Okta emulator may start after this one. */
  oktaJwksUrl?: string;
  /** Mutable; when unset the issuer is derived from `oktaJwksUrl` (see `federatedOktaIssuer`). */
  oktaIssuer?: string;
  readonly settingsPath: string;
  readonly logouts: Array<{ workspace: string; email: string; at: number }> = [];

  private readonly workspaces = new Map<string, Workspace>();
  private readonly jwksCache = new Map<string, Jwks>();

  constructor(opts: CerbyEmulatorOptions = {}) {
    const p = opts.settingsPath ?? "/api/v1/settings/idp";
    this.settingsPath = "/" + p.replace(/^\/+|\/+$/g, "");
    this.oktaJwksUrl = opts.oktaJwksUrl;
    this.oktaIssuer = opts.oktaIssuer;
    this.server = new EmulatorServer("cerby", (req) => this.handle(req));
  }

  start(port?: number): Promise<string> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  workspaceUrl(workspace: string): string {
    return `${this.server.baseUrl}/ws/${workspace}`;
  }

  /** The full URL of a workspace's Global Token Revocation endpoint: the `aud` a logout request must carry. */
  gtrUrl(workspace: string): string {
    return `${this.workspaceUrl(workspace)}${GTR_PATH}`;
  }

  /**
   * The Okta org issuer a logout request's `iss` must equal: `oktaIssuer` if set, else `oktaJwksUrl` without its
   * `/oauth2/v1/keys` suffix (the org authorization server's JWKS lives at `{issuer}/oauth2/v1/keys`).
   */
  get federatedOktaIssuer(): string | undefined {
    if (this.oktaIssuer) return this.oktaIssuer.replace(/\/+$/, "");
    if (!this.oktaJwksUrl || !OKTA_JWKS_SUFFIX.test(this.oktaJwksUrl)) return undefined;
    return this.oktaJwksUrl.replace(OKTA_JWKS_SUFFIX, "");
  }

  addWorkspace(
    name: string,
    opts: { idpType?: CerbyIdpType; ssoProtocol?: "saml" | "oidc"; scimEnabled?: boolean } = {},
  ): void {
    if (!WORKSPACE_RE.test(name)) throw new Error(`invalid workspace name ${JSON.stringify(name)}`);
    if (this.workspaces.has(name)) throw new Error(`workspace ${name} already exists`);
    this.workspaces.set(name, {
      name,
      idpType: opts.idpType ?? "okta",
      ssoProtocol: opts.ssoProtocol ?? "saml",
      scimEnabled: opts.scimEnabled ?? true,
      keys: new Map(),
      setting: { provider: "okta", enabled: false, appInstanceId: null, updatedAt: now(), updatedBy: null },
      users: new Map(),
      seenJti: new Set(),
    });
  }

  setIdp(
    workspace: string,
    patch: { idpType?: CerbyIdpType; ssoProtocol?: "saml" | "oidc"; scimEnabled?: boolean },
  ): void {
    const ws = this.ws(workspace);
    if (patch.idpType !== undefined) ws.idpType = patch.idpType;
    if (patch.ssoProtocol !== undefined) ws.ssoProtocol = patch.ssoProtocol;
    if (patch.scimEnabled !== undefined) ws.scimEnabled = patch.scimEnabled;
  }

  addApiKey(
    workspace: string,
    key: string,
    opts: { role: CerbyRole; userId?: string; expiresAt?: Date; deleted?: boolean },
  ): void {
    this.ws(workspace).keys.set(key, {
      role: opts.role,
      userId: opts.userId ?? randomUUID(),
      expiresAt: opts.expiresAt,
      deleted: opts.deleted ?? false,
    });
  }

  getSetting(workspace: string): CerbySetting {
    return { ...this.ws(workspace).setting };
  }

  /** Change the setting as an admin would in the web app (drift). Not validated, so tests can plant odd states. */
  setSetting(workspace: string, s: { enabled: boolean; appInstanceId?: string | null }): void {
    const ws = this.ws(workspace);
    const appInstanceId = s.enabled
      ? s.appInstanceId !== undefined
        ? s.appInstanceId
        : ws.setting.appInstanceId
      : null;
    ws.setting = {
      provider: "okta",
      enabled: s.enabled,
      appInstanceId,
      updatedAt: now(),
      updatedBy: WEB_ADMIN_USER_ID,
    };
  }

  addUser(workspace: string, email: string, opts: { provisionedBy?: "scim" | "local"; sub?: string } = {}): void {
    this.ws(workspace).users.set(email.toLowerCase(), {
      email,
      provisionedBy: opts.provisionedBy ?? "scim",
      sub: opts.sub ?? oktaUserId(),
      sessions: new Set(),
    });
  }

  /** Creates a session for an existing user and returns its id. */
  login(workspace: string, email: string): string {
    const user = this.ws(workspace).users.get(email.toLowerCase());
    if (!user) throw new Error(`no user ${email} in workspace ${workspace}`);
    const id = randomUUID();
    user.sessions.add(id);
    return id;
  }

  activeSessions(workspace: string, email: string): number {
    return this.ws(workspace).users.get(email.toLowerCase())?.sessions.size ?? 0;
  }

  private ws(name: string): Workspace {
    const ws = this.workspaces.get(name);
    if (!ws) throw new Error(`unknown workspace ${name}`);
    return ws;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // HTTP

  private async handle(req: EmuRequest): Promise<EmuResponse> {
    const res = await this.route(req);
    return { ...res, headers: { ...(res.headers ?? {}), "x-request-id": randomUUID() } };
  }

  private async route(req: EmuRequest): Promise<EmuResponse> {
    const m = /^\/ws\/([^/]+)(\/.*)?$/.exec(req.path);
    if (!m) return notFound(`No route for ${req.method} ${req.path}.`);
    const ws = this.workspaces.get(m[1]);
    if (!ws) return notFound(`Workspace ${JSON.stringify(m[1])} does not exist.`);
    const rest = (m[2] ?? "/").replace(/\/+$/, "") || "/";

    if (rest === GTR_PATH) {
      if (req.method !== "POST") return methodNotAllowed(req.method, ["POST"]);
      return this.globalTokenRevocation(ws, req);
    }

    const auth = this.authenticate(ws, req);
    if ("status" in auth) return auth;

    const ulPath = `${this.settingsPath}/universal-logout`;
    if (rest === ulPath) {
      if (req.method === "GET") return { status: 200, body: settingBody(ws.setting) };
      if (req.method === "PUT") {
        if (!ADMIN_ROLES.has(auth.role)) return forbidden(auth.role);
        return this.putSetting(ws, auth, req);
      }
      return methodNotAllowed(req.method, ["GET", "PUT"]);
    }
    if (rest === this.settingsPath) {
      if (req.method === "GET") return { status: 200, body: this.idpBody(ws) };
      return methodNotAllowed(req.method, ["GET"]);
    }
    return notFound(`No route for ${req.method} ${rest}.`);
  }

  private authenticate(ws: Workspace, req: EmuRequest): ApiKey | EmuResponse {
    const raw = req.headers["x-api-key"];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key) return unauthorized("Missing API key: send it in the X-API-Key header.");
    const k = ws.keys.get(key);
    if (!k) return unauthorized("Invalid API key.");
    if (k.deleted) return unauthorized("The API key has been removed.");
    if (k.expiresAt && k.expiresAt.getTime() <= Date.now()) return unauthorized("The API key has expired.");
    return k;
  }

  private putSetting(ws: Workspace, key: ApiKey, req: EmuRequest): EmuResponse {
    if (req.body === undefined) {
      return validationError(
        ["body"],
        req.rawBody ? "Invalid JSON" : "Field required",
        req.rawBody ? "json_invalid" : "missing",
      );
    }
    const body = req.body;
    if (!isObject(body)) return validationError(["body"], "Input should be a valid dictionary", "dict_type");
    const data = body.data;
    if (data === undefined) return validationError(["data"], "Field required", "missing");
    if (!isObject(data)) return validationError(["data"], "Input should be a valid dictionary", "dict_type");
    if (data.type !== "universal-logout-settings") {
      return validationError(
        ["data", "type"],
        "Input should be 'universal-logout-settings'",
        data.type === undefined ? "missing" : "literal_error",
      );
    }
    const attrs = data.attributes;
    if (attrs === undefined) return validationError(["data", "attributes"], "Field required", "missing");
    if (!isObject(attrs))
      return validationError(["data", "attributes"], "Input should be a valid dictionary", "dict_type");
    if (attrs.provider !== "okta") {
      return validationError(
        ["data", "attributes", "provider"],
        "Input should be 'okta'",
        attrs.provider === undefined ? "missing" : "literal_error",
      );
    }
    if (typeof attrs.enabled !== "boolean") {
      return validationError(
        ["data", "attributes", "enabled"],
        attrs.enabled === undefined ? "Field required" : "Input should be a valid boolean",
        attrs.enabled === undefined ? "missing" : "bool_type",
      );
    }
    const id = attrs.appInstanceId;
    const loc = ["data", "attributes", "appInstanceId"];
    if (id !== undefined && id !== null && typeof id !== "string")
      return validationError(loc, "Input should be a valid string", "string_type");
    let appInstanceId: string | null = null;
    if (attrs.enabled) {
      if (id === undefined || id === null || id === "")
        return validationError(loc, "Field required when enabled is true", "missing");
      if (!APP_INSTANCE_ID_RE.test(id as string)) {
        return validationError(
          loc,
          `String should match pattern '${APP_INSTANCE_ID_RE.source}'`,
          "string_pattern_mismatch",
        );
      }
      appInstanceId = id as string;
    }
    const cur = ws.setting;
    if (cur.enabled !== attrs.enabled || cur.appInstanceId !== appInstanceId) {
      ws.setting = { provider: "okta", enabled: attrs.enabled, appInstanceId, updatedAt: now(), updatedBy: key.userId };
    }
    return { status: 200, body: settingBody(ws.setting) };
  }

  private idpBody(ws: Workspace): unknown {
    let provisioned = 0;
    for (const u of ws.users.values()) if (u.provisionedBy === "scim") provisioned++;
    return {
      data: {
        id: "idp",
        type: "idp-settings",
        attributes: {
          idpType: ws.idpType,
          ssoProtocol: ws.ssoProtocol,
          scimProvisioning: { enabled: ws.scimEnabled, usersProvisioned: provisioned },
        },
      },
    };
  }

  private jwks(url: string): Jwks {
    let j = this.jwksCache.get(url);
    if (!j) {
      j = createRemoteJWKSet(new URL(url));
      this.jwksCache.set(url, j);
    }
    return j;
  }

  /**
   * Okta's Global Token Revocation request (contract: "The endpoint Okta calls when a logout fires"). 401 unless
   * Universal Logout is enabled and the bearer JWT verifies against the Okta org's JWKS with `typ`
   * global-token-revocation+jwt, `iss` the federated Okta org, `sub` the configured App instance ID, `aud` this
   * endpoint, valid `exp`/`nbf`/`iat` (`iat` not in the future, `exp` − `iat` at most five minutes) and an unseen `jti`; then 400 / 404 / 422 / 204 by the body's `sub_id`.
   */
  private async globalTokenRevocation(ws: Workspace, req: EmuRequest): Promise<EmuResponse> {
    const authz = req.headers.authorization ?? "";
    const bm = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    if (!bm) return unauthorized("Missing bearer token.");
    const setting = ws.setting;
    if (!setting.enabled || !setting.appInstanceId)
      return unauthorized("Universal Logout is not enabled for this workspace.");
    if (!this.oktaJwksUrl) return unauthorized("No Okta JWKS is configured; cannot verify the token.");
    const issuer = this.federatedOktaIssuer;
    if (!issuer) return unauthorized("No Okta org issuer is configured; cannot verify the token.");
    let jti: string;
    try {
      const { payload } = await jwtVerify(bm[1], this.jwks(this.oktaJwksUrl), {
        typ: GTR_JWT_TYPE,
        algorithms: ["RS256"],
        issuer,
        subject: setting.appInstanceId,
        audience: this.gtrUrl(ws.name),
        requiredClaims: ["exp", "iat", "nbf", "jti"],
        clockTolerance: GTR_CLOCK_TOLERANCE_SEC,
      });
      if (typeof payload.jti !== "string" || !payload.jti) return unauthorized("The token has no jti.");
      // jose checks `iat` only for being a number: a token issued in the future, or one that lives longer than the
      // five minutes Okta gives it, is not one Okta sent.
      const now = Math.floor(Date.now() / 1000);
      if (payload.iat! > now + GTR_CLOCK_TOLERANCE_SEC)
        return unauthorized('Invalid token: "iat" claim is in the future.');
      if (payload.exp! - payload.iat! > GTR_MAX_LIFETIME_SEC) {
        return unauthorized(
          `Invalid token: its lifetime ("exp" − "iat", ${payload.exp! - payload.iat!} s) is longer than ${GTR_MAX_LIFETIME_SEC} s.`,
        );
      }
      jti = payload.jti;
    } catch (e) {
      return unauthorized(`Invalid token: ${(e as Error).message}`);
    }
    if (ws.seenJti.has(jti)) return unauthorized("The token has already been used (jti replay).");
    ws.seenJti.add(jti);

    // `sub_id` (IETF draft -03 on, what Okta sends); `subject` is the member name Okta's guide used until mid-2025.
    const body = req.body;
    const member = isObject(body) && body.sub_id !== undefined ? "sub_id" : "subject";
    const subject = isObject(body) ? body[member] : undefined;
    if (!isObject(subject)) return badRequest("The request needs a sub_id object (or the older subject).");
    let user: User | undefined;
    if (subject.format === "email") {
      if (typeof subject.email !== "string" || !subject.email)
        return badRequest(`${member}.email is required for format email.`);
      user = ws.users.get(subject.email.toLowerCase());
    } else if (subject.format === "iss_sub") {
      if (typeof subject.iss !== "string" || typeof subject.sub !== "string" || !subject.sub) {
        return badRequest(`${member}.iss and ${member}.sub are required for format iss_sub.`);
      }
      const sub = subject.sub;
      user = [...ws.users.values()].find((u) => u.sub === sub);
    } else {
      return badRequest(`Unsupported ${member} format ${JSON.stringify(subject.format)}.`);
    }
    if (!user) return notFound("No such user in this workspace.");
    if (user.provisionedBy !== "scim") {
      return apiError(
        422,
        "Unprocessable entity",
        "Unprocessable entity",
        "The user is not managed by Okta; Universal Logout cannot log them out.",
      );
    }
    user.sessions.clear();
    this.logouts.push({ workspace: ws.name, email: user.email, at: Date.now() });
    return { status: 204 };
  }
}

// -----------------------------------------------------------------------------------------------------------------

function now(): string {
  return new Date().toISOString();
}

function oktaUserId(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let s = "00u";
  for (let i = 0; i < 17; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function settingBody(s: CerbySetting): unknown {
  return { data: { id: "okta", type: "universal-logout-settings", attributes: { ...s } } };
}

function apiError(
  status: number,
  code: string,
  title: string,
  detail: string,
  meta: unknown = null,
  statusAsString = false,
): EmuResponse {
  return {
    status,
    body: { errors: [{ code, title, detail, status: statusAsString ? String(status) : status, meta }] },
  };
}

function unauthorized(detail: string): EmuResponse {
  return apiError(401, "Unauthorized", "Unauthorized", detail);
}

function forbidden(role: CerbyRole): EmuResponse {
  return apiError(
    403,
    "Forbidden",
    "Forbidden",
    `Changing workspace configuration requires the workspace role Owner, Super Admin or Admin; this API key acts as a user with role ${role}.`,
  );
}

function notFound(detail: string): EmuResponse {
  return apiError(404, "Not found", "Not found", detail);
}

function badRequest(detail: string): EmuResponse {
  return apiError(400, "Bad request", "Bad request", detail);
}

function methodNotAllowed(method: string, allowed: string[]): EmuResponse {
  const r = apiError(
    405,
    "Method not allowed",
    "Method not allowed",
    `${method} is not allowed here; use ${allowed.join(" or ")}.`,
  );
  return { ...r, headers: { allow: allowed.join(", ") } };
}

function validationError(loc: string[], msg: string, type: string): EmuResponse {
  return apiError(400, "validation_error", "Validation error", `${loc.join(".")}: ${msg}`, { loc, msg, type }, true);
}
