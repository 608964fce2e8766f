/**
 * Okta Management API client for what this module needs: the Cerby app (status, Universal Logout), its provisioning
 * feature, listing apps by label, and Express Configuration of Universal Logout. Transport, retries and rate limits
 * come from ../http; advice from ./errors; credentials from ./auth (resolved per request, never stored here).
 */
import { z } from "zod";
import { once } from "../shared";
import { HttpClient, HttpClientOptions, RetryPolicy, VendorError, sanitizeText } from "../http";
import { OktaAuth } from "./auth";
import { OktaCredentials } from "./config";
import { describeOktaFailure } from "./errors";
import { SETTINGS, configInteger, httpEnvSettings } from "../settings-table";

export type ProvisioningStatus = "ENABLED" | "DISABLED" | "NOT_SET_UP";

/** The fields of Okta's Application this module reads. */
export interface OktaApplication {
  id: string;
  /** The OIN app key (the `{name}` segment of the admin URL). */
  name: string;
  /** Display name, e.g. "Cerby". */
  label: string;
  status: string;
  signOnMode?: string;
  /** Absent when the org or app does not report Universal Logout: unknown, not "off". */
  universalLogout?: { status: string; supportType?: string; protocol?: string; identityStack?: string };
  /** The app's enabled features as the Application object lists them (e.g. PUSH_NEW_USERS); absent when not sent. */
  features?: string[];
}

/** "To App" provisioning features: any of them in the Application's `features` means USER_PROVISIONING is ENABLED. */
export const TO_APP_FEATURES: readonly string[] = ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION"];

/**
 * USER_PROVISIONING as far as the Application object tells it: ENABLED when it lists a "To App" feature; undefined
 * when it does not (DISABLED and NOT_SET_UP look alike there: ask GET …/features/USER_PROVISIONING for which).
 */
export function provisioningFromApp(app: OktaApplication): ProvisioningStatus | undefined {
  return app.features?.some((f) => TO_APP_FEATURES.includes(f)) ? "ENABLED" : undefined;
}

export interface OktaClientOptions {
  /** Root URL of the org, e.g. https://acme.okta.com (see oktaOrgUrl). */
  orgUrl: string;
  credentials: OktaCredentials;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  concurrency?: number;
  onAttempt?: HttpClientOptions["onAttempt"];
}

/** Timeout and retry settings from OKTA_HTTP_TIMEOUT_MS / OKTA_HTTP_RETRIES / OKTA_HTTP_BASE_DELAY_MS, when set. */
export function oktaHttpSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): Pick<OktaClientOptions, "timeoutMs" | "retry"> {
  const { timeoutMs, retries, baseDelayMs } = httpEnvSettings("okta", env);
  return {
    timeoutMs,
    retry: { retries, baseDelayMs },
  };
}

/**
 * Timeout and retries of an Okta client: the stack config's (cerby:oktaHttpTimeoutMs, cerby:oktaHttpRetries; `get`
 * takes full keys) where set and valid, else the OKTA_HTTP_* environment's. A bad config value is reported by the
 * checks that own it (the stack config check, the Okta resource's check) and ignored here.
 */
export function oktaHttpSettings(
  get: (key: string) => string | undefined,
  env: Record<string, string | undefined> = process.env,
): Pick<OktaClientOptions, "timeoutMs" | "retry"> {
  const fromEnv = oktaHttpSettingsFromEnv(env);
  return {
    timeoutMs: configInteger(SETTINGS.oktaHttpTimeoutMs, get).value ?? fromEnv.timeoutMs,
    retry: { ...fromEnv.retry, retries: configInteger(SETTINGS.oktaHttpRetries, get).value ?? fromEnv.retry?.retries },
  };
}

/** Longest list walk; a Link chain longer than this is reported rather than followed forever. */
const MAX_PAGES = 200;

/** Longest strings accepted from Okta for what reaches state and messages (Okta's own limits are lower). */
export const OKTA_MAX = { id: 64, name: 255, label: 255, enumValue: 64 } as const;

/** One word of Okta's vocabulary (a status, a feature, a sign-on mode). */
const word = () => z.string().max(OKTA_MAX.enumValue);

export const applicationSchema = once(() =>
  z
    .object({
      id: z.string().max(OKTA_MAX.id),
      name: z.string().max(OKTA_MAX.name),
      label: z.string().max(OKTA_MAX.label),
      status: word(),
      signOnMode: word().optional(),
      features: z.array(word()).max(200).nullable().optional(),
      // Returned only in orgs with Identity Threat Protection: elsewhere absent or null (see oktaUniversalLogoutStatus).
      universalLogout: z
        .object({
          status: word(),
          supportType: word().optional(),
          protocol: word().optional(),
          identityStack: word().optional(),
        })
        .passthrough()
        .nullable()
        .optional(),
    })
    .passthrough(),
);

const featureSchema = once(() =>
  z
    .object({ name: z.string().max(OKTA_MAX.enumValue).optional(), status: z.enum(["ENABLED", "DISABLED"]) })
    .passthrough(),
);

/** `Link: <url>; rel="self", <url>; rel="next"` → { self: url, next: url }. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? "").matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2])?.[1];
    if (rel) for (const r of rel.trim().split(/\s+/)) out[r] = m[1];
  }
  return out;
}

export class OktaClient {
  readonly http: HttpClient;
  readonly auth: OktaAuth;
  readonly orgUrl: string;

  constructor(opts: OktaClientOptions) {
    this.orgUrl = opts.orgUrl.replace(/\/+$/, "");
    this.auth = new OktaAuth({
      orgUrl: this.orgUrl,
      credentials: opts.credentials,
      timeoutMs: opts.timeoutMs,
      retry: opts.retry,
      onAttempt: opts.onAttempt,
    });
    const appIdOf = (path: string) => /^\/api\/v1\/apps\/([^/?]+)/.exec(path)?.[1];
    this.http = new HttpClient({
      side: "Okta",
      baseUrl: this.orgUrl,
      timeoutMs: opts.timeoutMs,
      retry: opts.retry,
      concurrency: opts.concurrency,
      authHeaders: () => this.auth.headers(),
      onUnauthorized: (sent) => this.auth.invalidate(sent),
      describeFailure: (info) =>
        describeOktaFailure(info, {
          orgUrl: this.orgUrl,
          authKind: this.auth.kind,
          appId: appIdOf(info.path) ? decodeURIComponent(appIdOf(info.path)!) : undefined,
        }),
      onAttempt: opts.onAttempt,
    });
  }

  /** The app with this ID; an answer that carries another app's ID is an error naming both, never that app. */
  async getApp(id: string): Promise<OktaApplication> {
    const path = `/api/v1/apps/${encodeURIComponent(id)}`;
    const action = `read the app ${id}`;
    const res = await this.http.send({ method: "GET", path, action });
    const app = this.parseApp(res.data, path, res.requestId, res.status);
    if (app.id !== id) {
      throw new VendorError({
        side: "Okta",
        action,
        method: "GET",
        path,
        url: `${this.orgUrl}${path}`,
        status: res.status,
        detail: `the answer is the app ${app.id} ("${app.label}"), not ${id}`,
        requestId: res.requestId,
        hint:
          `Okta's answer for the App instance ID ${id} carries another app's ID (${app.id}); Pulumi acts only on the ` +
          `app it asked for, so it stopped here. Check that ${this.orgUrl} is the Okta org itself (not a proxy or ` +
          "cache that rewrites answers) and that the App instance ID is the Cerby app's, then rerun.",
      });
    }
    return app;
  }

  /** Every app matching `q` (prefix of name or label) / `filter`, following `Link: rel="next"` across pages. */
  async listApps(opts: { q?: string; filter?: string; limit?: number } = {}): Promise<OktaApplication[]> {
    return (await this.walkApps(opts, MAX_PAGES, true))!;
  }

  /** Every app of the org in at most `maxPages` pages of 200; undefined when the org has more (the pages are spent). */
  async listAllApps(maxPages: number): Promise<OktaApplication[] | undefined> {
    return this.walkApps({}, maxPages, false);
  }

  /** Provisioning of an app already read: from its `features` when they say ENABLED, else one read of the feature. */
  async provisioningOf(app: OktaApplication): Promise<ProvisioningStatus> {
    return provisioningFromApp(app) ?? this.getProvisioning(app.id);
  }

  private async walkApps(
    opts: { q?: string; filter?: string; limit?: number },
    maxPages: number,
    failBeyond: boolean,
  ): Promise<OktaApplication[] | undefined> {
    const path = "/api/v1/apps";
    const action = opts.q ? `list the apps matching "${opts.q}"` : "list the apps";
    const apps: OktaApplication[] = [];
    let next: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= maxPages) {
        if (!failBeyond) return undefined;
        throw new VendorError({
          side: "Okta",
          action,
          method: "GET",
          path,
          detail: `more than ${MAX_PAGES} pages`,
          hint: "Narrow the search: set appInstanceId instead of looking the app up by label.",
        });
      }
      const res = await this.http.send(
        next
          ? { method: "GET", path, url: next, action }
          : {
              method: "GET",
              path,
              query: { q: opts.q, filter: opts.filter, limit: Math.min(opts.limit ?? 200, 200) },
              action,
            },
      );
      if (!Array.isArray(res.data)) {
        throw this.shapeError(path, res.requestId, "(body)", "expected a list of apps", res.status);
      }
      for (const item of res.data) apps.push(this.parseApp(item, path, res.requestId, res.status));
      next = parseLinkHeader(res.headers["link"]).next;
      if (!next) return apps;
      // The bearer token goes wherever `next` points: only ever to this org.
      if (new URL(next, this.orgUrl).origin !== new URL(this.orgUrl).origin) {
        throw this.shapeError(
          path,
          res.requestId,
          "Link",
          "the next page is on another host; not following it",
          res.status,
        );
      }
      next = new URL(next, this.orgUrl).toString();
    }
  }

  /** USER_PROVISIONING of the app; Okta's 400 E0000001 "provisioning isn't enabled" means NOT_SET_UP. */
  async getProvisioning(id: string): Promise<ProvisioningStatus> {
    const path = `/api/v1/apps/${encodeURIComponent(id)}/features/USER_PROVISIONING`;
    try {
      const res = await this.http.send({ method: "GET", path, action: "read the app's provisioning settings" });
      const r = featureSchema().safeParse(res.data);
      if (!r.success) throw this.shapeError(path, res.requestId, "status", "expected ENABLED or DISABLED", res.status);
      return r.data.status;
    } catch (e) {
      if (e instanceof VendorError && e.status === 400 && e.code === "E0000001") return "NOT_SET_UP";
      throw e;
    }
  }

  /** Express Configuration of Universal Logout (204). Developer-lifecycle in Okta: many orgs/apps answer 403/404/405. */
  async expressConfigureUniversalLogout(id: string): Promise<void> {
    const path = `/api/v1/apps/${encodeURIComponent(id)}/express-configure/UNIVERSAL_LOGOUT`;
    await this.http.send({ method: "POST", path, action: "configure Universal Logout by Express Configuration" });
  }

  private parseApp(data: unknown, path: string, requestId: string | undefined, status: number): OktaApplication {
    const r = applicationSchema().safeParse(data);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw this.shapeError(path, requestId, issue?.path.join(".") || "(body)", issue?.message ?? "invalid", status);
    }
    const a = r.data;
    // Name and label end up in state and messages: no control characters or terminal escapes.
    const text = (v: string) => sanitizeText(v, [], OKTA_MAX.label);
    return {
      id: a.id,
      name: text(a.name),
      label: text(a.label),
      status: a.status,
      ...(a.signOnMode ? { signOnMode: a.signOnMode } : {}),
      ...(Array.isArray(a.features) ? { features: [...a.features] } : {}),
      ...(a.universalLogout
        ? {
            universalLogout: {
              status: a.universalLogout.status,
              ...(a.universalLogout.supportType ? { supportType: a.universalLogout.supportType } : {}),
              ...(a.universalLogout.protocol ? { protocol: a.universalLogout.protocol } : {}),
              ...(a.universalLogout.identityStack ? { identityStack: a.universalLogout.identityStack } : {}),
            },
          }
        : {}),
    };
  }

  private shapeError(
    path: string,
    requestId: string | undefined,
    where: string,
    message: string,
    status: number,
  ): VendorError {
    return new VendorError({
      side: "Okta",
      action: "understand Okta's answer",
      method: "GET",
      path,
      url: `${this.orgUrl}${path}`,
      status,
      detail: `unexpected response shape at ${where}: ${message}`,
      requestId,
      hint: `Check that ${this.orgUrl} is the Okta org URL (not a proxy or the -admin host).`,
    });
  }
}
