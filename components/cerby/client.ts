/**
 * Cerby client for the workspace's Okta Universal Logout setting and the IdP context shown beside it.
 * Paths and bodies come from ./contract; transport, retries and error rendering from ../http.
 */
import { z } from "zod";
import {
  DEFAULT_SETTINGS_PATH,
  errorBodySchema,
  idpSettingsPath,
  idpSettingsResponseSchema,
  universalLogoutBody,
  universalLogoutPath,
  universalLogoutResponseSchema,
  webAppSteps,
} from "./contract";
import type { FailureInfo, RedirectAdvice, RetryPolicy } from "../http";
import {
  HttpClient,
  VendorError,
  failureFields,
  malformedAnswerHint,
  serverErrorHint,
  redirectHint,
  transportHint,
} from "../http";

export interface UniversalLogoutSetting {
  enabled: boolean;
  appInstanceId: string | null;
  updatedAt?: string | null;
  updatedBy?: string | null;
}

export interface IdpSettings {
  idpType: string | null;
  ssoProtocol?: string | null;
  scimEnabled: boolean;
  usersProvisioned?: number | null;
}

export interface CerbyClientOptions {
  baseUrl: string;
  /** Read per request; the key is never stored in anything serialized. */
  apiKey: () => string;
  /** How to set that key (names only), for the advice on a refused key; default: cerby:apiKey or CERBY_API_KEY. */
  apiKeyHowTo?: string;
  settingsPath?: string;
  /** The App instance ID being configured, so a 404 can say exactly what to paste in the web app. */
  appInstanceId?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  concurrency?: number;
  onAttempt?: ConstructorParameters<typeof HttpClient>[0]["onAttempt"];
}

export class CerbyClient {
  readonly http: HttpClient;
  private readonly settingsPath: string;

  constructor(opts: CerbyClientOptions) {
    this.settingsPath = opts.settingsPath ?? DEFAULT_SETTINGS_PATH;
    this.http = new HttpClient({
      side: "Cerby",
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      retry: opts.retry,
      concurrency: opts.concurrency,
      authHeaders: async () => ({ "X-API-Key": opts.apiKey() }),
      describeFailure: (info) =>
        describeCerbyFailure(info, opts.baseUrl, this.settingsPath, opts.appInstanceId, opts.apiKeyHowTo),
      onAttempt: opts.onAttempt,
    });
  }

  async getUniversalLogout(): Promise<UniversalLogoutSetting> {
    const path = universalLogoutPath(this.settingsPath);
    const res = await this.http.send({ method: "GET", path, action: "read the Universal Logout setting" });
    return parseSetting(res.data, "GET", path, res.requestId, res.status);
  }

  /**
   * Writes the setting; Cerby's answer (the setting after the change) must be what was asked: on with this App instance
   * ID, or off. Anything else is an error saying what Cerby stored, never taken as done.
   */
  async putUniversalLogout(enabled: boolean, appInstanceId: string | null): Promise<UniversalLogoutSetting> {
    const path = universalLogoutPath(this.settingsPath);
    const action = enabled ? "enable Okta Universal Logout" : "disable Okta Universal Logout";
    const res = await this.http.send({
      method: "PUT",
      path,
      body: universalLogoutBody(enabled, appInstanceId),
      action,
    });
    const live = parseSetting(res.data, "PUT", path, res.requestId, res.status);
    if (live.enabled !== enabled || (enabled && live.appInstanceId !== appInstanceId)) {
      const stored = live.enabled ? `on with App instance ID ${live.appInstanceId ?? "(none)"}` : "off";
      const asked = enabled ? `on with App instance ID ${appInstanceId}` : "off";
      throw new VendorError({
        side: "Cerby",
        action,
        method: "PUT",
        path,
        status: res.status,
        detail: `Cerby's answer says Universal Logout is ${stored}`,
        requestId: res.requestId,
        hint:
          `Cerby did not store what was asked (Universal Logout ${asked}).` +
          (enabled ? ` Okta's logouts for ${appInstanceId} would be refused.` : "") +
          " Check the setting in the Cerby web app (Settings → Workspace Configuration → IDP Settings → Universal " +
          "Logout) and that cerby:settingsPath names the Universal Logout endpoint, then rerun: the next run " +
          "converges from what is there.",
      });
    }
    return live;
  }

  async getIdpSettings(): Promise<IdpSettings> {
    const path = idpSettingsPath(this.settingsPath);
    const res = await this.http.send({ method: "GET", path, action: "read the IdP settings" });
    const a = parseOrExplain(idpSettingsResponseSchema(), res.data, "GET", path, res.requestId, res.status).data
      .attributes;
    return {
      idpType: a.idpType,
      ssoProtocol: a.ssoProtocol,
      scimEnabled: a.scimProvisioning?.enabled ?? false,
      usersProvisioned: a.scimProvisioning?.usersProvisioned,
    };
  }
}

function parseSetting(
  data: unknown,
  method: string,
  path: string,
  requestId: string | undefined,
  status: number,
): UniversalLogoutSetting {
  const a = parseOrExplain(universalLogoutResponseSchema(), data, method, path, requestId, status).data.attributes;
  return { enabled: a.enabled, appInstanceId: a.appInstanceId ?? null, updatedAt: a.updatedAt, updatedBy: a.updatedBy };
}

/** A 2xx body that does not match the assumed contract is reported, never guessed at. */
function parseOrExplain<T extends z.ZodType>(
  schema: T,
  data: unknown,
  method: string,
  path: string,
  requestId: string | undefined,
  status: number,
): z.infer<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const where = r.error.issues[0]?.path.join(".") || "(body)";
  throw new VendorError({
    side: "Cerby",
    action: "understand Cerby's answer",
    method,
    path,
    status,
    detail: `unexpected response shape at ${where}: ${r.error.issues[0]?.message ?? "invalid"}`,
    requestId,
    hint:
      "The endpoint answered, but not in the shape of the assumed Cerby contract. " +
      (method !== "GET"
        ? `The ${method} may have been applied all the same; the next run converges from what is there. `
        : "") +
      "Check cerby:settingsPath, or switch the Cerby side to manual mode (cerby:mode manual) until the contract in " +
      "components/cerby/contract.ts is corrected.",
  });
}

/** A redirect from Cerby: never followed (the API key would go along); the fix is the workspace's own URL. */
const CERBY_REDIRECT: RedirectAdvice = {
  side: "Cerby",
  credential: "the API key",
  fix: "Check cerby:workspace / cerby:baseUrl: give the workspace's own URL.",
};

/** Turns a failed Cerby call into advice: which role, which setting, which web-app step. */
export function describeCerbyFailure(
  info: FailureInfo,
  baseUrl: string,
  settingsPath: string,
  appInstanceId?: string,
  keyHowTo = "`pulumi config set --secret cerby:apiKey <key>` (or set CERBY_API_KEY)",
): VendorError {
  const parsed = errorBodySchema().safeParse(info.data);
  const first = parsed.success ? parsed.data.errors[0] : undefined;
  const base = {
    ...failureFields(info),
    code: first?.code !== undefined && first.code !== null ? String(first.code) : undefined,
    title: first?.title ?? undefined,
    detail: first?.detail ?? undefined,
  };
  if (info.transport) {
    return new VendorError({ ...base, hint: transportHint("Cerby", info.transport, baseUrl, info.method) });
  }
  const status = info.status ?? 0;
  if (status >= 200 && status < 300) {
    return new VendorError({
      ...base,
      detail: "the body is not valid JSON",
      hint: malformedAnswerHint(
        "Cerby (or a proxy in between)",
        info.method,
        "check what sits in front of the Cerby URL",
      ),
    });
  }
  const keyHelp =
    "Create an API key in the Cerby web app (Settings → Workspace Configuration → API keys) as a workspace Owner, " +
    `Super Admin or Admin, then ${keyHowTo}.`;
  const roleHelp =
    "The API key's user needs the workspace Owner, Super Admin or Admin role to change IdP settings. Ask a " +
    "workspace Owner to grant that role, or use a key created by such a user.";
  const said = [first?.code, first?.title, first?.detail].map((x) => String(x ?? "")).join(" ");
  let hint: string;
  switch (true) {
    case status >= 300 && status < 400:
      hint = redirectHint(CERBY_REDIRECT, base);
      break;
    // Some Cerby pages answer 401 for a missing role or scope too: the body says which.
    case status === 401 && /\b(role|scope|permission|forbidden|not allowed|insufficient)/i.test(said):
      hint = `Cerby accepted the key but says it may not do this (${status}). ${roleHelp}`;
      break;
    case status === 401:
      hint = `The Cerby API key was not accepted: it is missing, expired, deleted, or belongs to another workspace. ${keyHelp}`;
      break;
    case status === 403:
      hint = `${roleHelp} ${keyHelp}`;
      break;
    case status === 404:
      hint =
        `Cerby has no Universal Logout endpoint at ${settingsPath} for ${baseUrl} (the workspace name may be wrong, ` +
        "or Cerby exposes this setting only in the web app). Check cerby:workspace / cerby:baseUrl and cerby:settingsPath. " +
        `To do it by hand: ${webAppSteps(appInstanceId ?? "<the Okta app ID of the Cerby app>")} ` +
        "Then set the Cerby side to manual mode (`pulumi config set cerby:mode manual`) so Pulumi records it without calling Cerby.";
      break;
    case status === 400 || status === 422: {
      const meta = first?.meta as { loc?: unknown[] } | undefined;
      const field = Array.isArray(meta?.loc) ? meta!.loc.join(".") : "the request";
      hint = `Cerby rejected ${field}. Check that the App instance ID is the Okta app ID of the Cerby app (20 characters, starting 0oa).`;
      break;
    }
    case status === 409:
      hint = "Someone changed the setting at the same time. Run `pulumi up` again; it reads the current state first.";
      break;
    case status === 429 && info.stop === "server-wait":
      hint =
        `Cerby asked to wait ${Math.ceil((info.serverWaitMs ?? 0) / 1000)} s (Retry-After) before the next call, ` +
        "longer than this run waits; rerun after that — the run is safe to repeat.";
      break;
    case status === 429:
      hint =
        "Cerby kept rate-limiting the calls beyond the retry budget. Wait a few minutes and rerun; the run is safe to repeat.";
      break;
    case status >= 500:
      hint = serverErrorHint("Cerby", info, "Check cerby:baseUrl and cerby:settingsPath");
      break;
    default:
      hint = "Unexpected answer from Cerby; check cerby:baseUrl and cerby:settingsPath.";
  }
  return new VendorError({ ...base, hint });
}
