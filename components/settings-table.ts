/**
 * Every setting the code reads, in one table: its stack config key and/or environment variable, default, type and
 * range, and what it is for. Config loading (config.ts), both providers' `configure`, the `*_HTTP_*` environment
 * readers and the README's config reference use this table; tests/component/settings-table.test.ts checks that
 * Pulumi.yaml and the README agree with it. Integer limits are checked here only (`integerValue`).
 *
 * Plain data and small functions (no zod, no module state): this module is loaded with the dynamic providers.
 */
import { DEFAULT_SETTINGS_PATH } from "./cerby/contract";
import { CERBY_MODES, DEFAULT_CERBY_MODE, DEFAULT_OKTA_MODE, OKTA_MODES } from "./modes";
import { HTTP_DEFAULTS } from "./http/defaults";

/** Who sets it: users of the stack or component, the repository's scripts, or only tests and the benchmark. */
export type SettingAudience = "user" | "tooling" | "test";

interface SettingBase {
  /** Stack config key, full ("cerby:httpTimeoutMs", "okta:apiToken"); `cerby:` keys are this project's keys. */
  key?: string;
  /** Environment variable read (after the config key, when both exist). */
  env?: string;
  audience: SettingAudience;
  /** One line: what it is for. */
  description: string;
  /** A secret: never declared with a default, never logged. */
  secret?: boolean;
  /** Why a project key is not declared in Pulumi.yaml (the test requires every other one there). */
  undeclaredBecause?: string;
}

export interface StringSetting extends SettingBase {
  type: "string";
  default?: string;
  /** The only values allowed (a mode list). */
  choices?: readonly string[];
  /** Pulumi.yaml's `default:` when it differs from `default` (the code applies `default` to ""), and why. */
  declaredDefault?: { value: string; because: string };
}

export interface BooleanSetting extends SettingBase {
  type: "boolean";
  default?: boolean;
}

export interface IntegerSetting extends SettingBase {
  type: "integer";
  default?: number;
  min: number;
  max: number;
  /** Unit named in messages ("seconds"); milliseconds are in the key's name. */
  unit?: string;
}

export type Setting = StringSetting | BooleanSetting | IntegerSetting;

// Defaults are the HTTP layer's own (one place: http/defaults.ts); the ranges are what a setting may ask for.
const HTTP_TIMEOUT = { min: 1, max: 600_000, default: HTTP_DEFAULTS.timeoutMs } as const;
const HTTP_RETRIES = { min: 0, max: 10, default: HTTP_DEFAULTS.retries } as const;
const HTTP_BASE_DELAY = { min: 0, max: 60_000, default: HTTP_DEFAULTS.baseDelayMs } as const;
/** The deadline of one step (a provider method, a program lookup): retries and waits included. */
const STEP_TIMEOUT = { min: 1, max: 3600, default: 60, unit: "seconds" } as const;
const CONCURRENCY_MAX = 1_000;

export const SETTINGS = {
  // Project keys (Pulumi.yaml `config:`), per binding: also allowed inside cerby:bindings entries.
  workspace: {
    key: "cerby:workspace",
    type: "string",
    audience: "user",
    description: "Cerby workspace name, the subdomain of https://{workspace}.cerby.com.",
  },
  baseUrl: {
    key: "cerby:baseUrl",
    type: "string",
    audience: "user",
    description: "Full Cerby workspace URL instead of cerby:workspace (private deployments, emulators).",
  },
  settingsPath: {
    key: "cerby:settingsPath",
    type: "string",
    default: DEFAULT_SETTINGS_PATH,
    audience: "user",
    description: "Path prefix of the assumed Cerby IdP settings endpoint.",
  },
  mode: {
    key: "cerby:mode",
    type: "string",
    default: DEFAULT_CERBY_MODE,
    choices: CERBY_MODES,
    audience: "user",
    description: "Cerby side: Pulumi calls Cerby (api), or you do the web-app step and Pulumi records it (manual).",
  },
  requireScimProvisioning: {
    key: "cerby:requireScimProvisioning",
    type: "boolean",
    default: false,
    audience: "user",
    description: "Fail instead of warn when the workspace's IdP is not Okta or SCIM is off.",
  },
  appInstanceId: {
    key: "cerby:appInstanceId",
    type: "string",
    audience: "user",
    description: "The App instance ID (Okta app ID of the Cerby app); default is a lookup by label.",
  },
  appLabel: {
    key: "cerby:appLabel",
    type: "string",
    default: "Cerby",
    declaredDefault: {
      value: "",
      because: "a non-empty default would be set next to a given cerby:appInstanceId, refused as ambiguous",
    },
    audience: "user",
    description: "Label of the Cerby app in Okta, for the lookup.",
  },
  oktaMode: {
    key: "cerby:oktaMode",
    type: "string",
    default: DEFAULT_OKTA_MODE,
    choices: OKTA_MODES,
    audience: "user",
    description: "Okta side: verify, warn, enforce or wait for Universal Logout on the app.",
  },
  oktaWaitTimeoutSeconds: {
    key: "cerby:oktaWaitTimeoutSeconds",
    type: "integer",
    default: 600,
    min: 1,
    max: 3600,
    unit: "seconds",
    audience: "user",
    description: "enforce/wait: longest wait for Okta to show ENABLED.",
  },
  oktaPollIntervalSeconds: {
    key: "cerby:oktaPollIntervalSeconds",
    type: "integer",
    default: 10,
    min: 1,
    max: 300,
    unit: "seconds",
    audience: "user",
    description: "wait: seconds between reads of the Okta app.",
  },
  requireProvisioning: {
    key: "cerby:requireProvisioning",
    type: "boolean",
    default: false,
    audience: "user",
    description: "Fail instead of warn when the Okta app does not provision users.",
  },
  // Project keys for the whole stack.
  oktaOrgUrl: {
    key: "cerby:oktaOrgUrl",
    type: "string",
    audience: "user",
    description: "Full Okta org URL instead of okta:orgName + okta:baseUrl.",
  },
  bindings: {
    key: "cerby:bindings",
    type: "string",
    audience: "user",
    description: "Several bindings: a JSON array; the flat cerby:* keys are their defaults.",
  },
  apiKey: {
    key: "cerby:apiKey",
    env: "CERBY_API_KEY",
    type: "string",
    secret: true,
    audience: "user",
    undeclaredBecause:
      "a secret key cannot have a default, and declared without one it would be required even where CERBY_API_KEY is set",
    description: "API key of a workspace Owner, Super Admin or Admin; read by the provider at run time.",
  },
  httpTimeoutMs: {
    key: "cerby:httpTimeoutMs",
    env: "CERBY_HTTP_TIMEOUT_MS",
    type: "integer",
    ...HTTP_TIMEOUT,
    audience: "user",
    description: "Timeout of one Cerby request, in milliseconds.",
  },
  httpRetries: {
    key: "cerby:httpRetries",
    env: "CERBY_HTTP_RETRIES",
    type: "integer",
    ...HTTP_RETRIES,
    audience: "user",
    description: "Retries after a failed Cerby request (429, 5xx, resets).",
  },
  operationTimeoutSeconds: {
    key: "cerby:operationTimeoutSeconds",
    type: "integer",
    ...STEP_TIMEOUT,
    audience: "user",
    description:
      "Deadline of each Cerby step (one check, create, update, read or delete of the Cerby resource), retries and waits included.",
  },
  cerbyHttpBaseDelayMs: {
    env: "CERBY_HTTP_BASE_DELAY_MS",
    type: "integer",
    ...HTTP_BASE_DELAY,
    audience: "test",
    description: "First retry delay of Cerby requests, in milliseconds (tests shorten it).",
  },
  cerbyHttpConcurrency: {
    env: "CERBY_HTTP_CONCURRENCY",
    type: "integer",
    default: HTTP_DEFAULTS.concurrency.Cerby,
    min: 1,
    max: CONCURRENCY_MAX,
    audience: "user",
    description: "Requests in flight per Cerby workspace origin, per process.",
  },
  // @pulumi/okta's own keys and variables: one okta: block serves both.
  oktaOrgName: {
    key: "okta:orgName",
    type: "string",
    audience: "user",
    description: "Okta org name, the subdomain of https://{orgName}.okta.com.",
  },
  oktaBaseUrl: {
    key: "okta:baseUrl",
    type: "string",
    default: "okta.com",
    audience: "user",
    description: "Okta domain: okta.com, oktapreview.com, okta-emea.com, okta-gov.com or okta.mil.",
  },
  oktaApiToken: {
    key: "okta:apiToken",
    env: "OKTA_API_TOKEN",
    type: "string",
    secret: true,
    audience: "user",
    description: "Okta API token (SSWS), or use an OAuth service app (okta:clientId + okta:privateKey).",
  },
  oktaClientId: {
    key: "okta:clientId",
    env: "OKTA_API_CLIENT_ID",
    type: "string",
    audience: "user",
    description: "Client ID of the OAuth 2.0 service app (private_key_jwt).",
  },
  oktaPrivateKey: {
    key: "okta:privateKey",
    env: "OKTA_API_PRIVATE_KEY",
    type: "string",
    secret: true,
    audience: "user",
    description: "The service app's private key, PEM or JWK.",
  },
  oktaPrivateKeyId: {
    key: "okta:privateKeyId",
    env: "OKTA_API_PRIVATE_KEY_ID",
    type: "string",
    audience: "user",
    description: "Key ID (kid) of the private key, when the JWK does not carry it.",
  },
  oktaScopes: {
    key: "okta:scopes",
    env: "OKTA_API_SCOPES",
    type: "string",
    audience: "user",
    description: "Scopes to request (default okta.apps.read, plus okta.apps.manage for enforce).",
  },
  oktaHttpTimeoutMs: {
    key: "cerby:oktaHttpTimeoutMs",
    env: "OKTA_HTTP_TIMEOUT_MS",
    type: "integer",
    ...HTTP_TIMEOUT,
    audience: "user",
    description: "Timeout of one Okta request, in milliseconds.",
  },
  oktaHttpRetries: {
    key: "cerby:oktaHttpRetries",
    env: "OKTA_HTTP_RETRIES",
    type: "integer",
    ...HTTP_RETRIES,
    audience: "user",
    description: "Retries after a failed Okta request (429, 5xx, resets).",
  },
  oktaOperationTimeoutSeconds: {
    key: "cerby:oktaOperationTimeoutSeconds",
    type: "integer",
    ...STEP_TIMEOUT,
    audience: "user",
    description:
      "Deadline of each Okta step (one check, create, update or read of the Okta resource) and of each app lookup of the program, retries and waits included; enforce and wait add cerby:oktaWaitTimeoutSeconds.",
  },
  oktaHttpBaseDelayMs: {
    env: "OKTA_HTTP_BASE_DELAY_MS",
    type: "integer",
    ...HTTP_BASE_DELAY,
    audience: "test",
    description: "First retry delay of Okta requests, in milliseconds (tests shorten it).",
  },
  oktaHttpConcurrency: {
    env: "OKTA_HTTP_CONCURRENCY",
    type: "integer",
    default: HTTP_DEFAULTS.concurrency.Okta,
    min: 1,
    max: CONCURRENCY_MAX,
    audience: "user",
    description: "Requests in flight per Okta org, per process.",
  },
  httpConcurrency: {
    env: "CERBY_OKTA_HTTP_CONCURRENCY",
    type: "integer",
    min: 1,
    max: CONCURRENCY_MAX,
    audience: "user",
    description: "Requests in flight per origin for both sides, unless the side's own variable is set.",
  },
  // Read as curl and most Node tools read them (components/http/proxy.ts; lower-case forms win).
  httpsProxy: {
    env: "HTTPS_PROXY",
    type: "string",
    audience: "user",
    description: "Proxy for the vendors' https URLs (also https_proxy), reached by CONNECT; loopback is never proxied.",
  },
  noProxy: {
    env: "NO_PROXY",
    type: "string",
    audience: "user",
    description: "Hosts (and their subdomains) reached directly despite HTTPS_PROXY (also no_proxy); * for all.",
  },
  // The repository's scripts and tests.
  moduleRoot: {
    env: "CERBY_OKTA_MODULE_ROOT",
    type: "string",
    audience: "user",
    description:
      "The checkout (or installed package) whose module the providers load, instead of the one the project resolves.",
  },
  verifyStack: {
    env: "PULUMI_STACK",
    type: "string",
    default: "dev",
    audience: "tooling",
    description: "npm run verify: the stack to check when --stack is not given.",
  },
  sandboxStateDir: {
    env: "CERBY_SANDBOX_STATE_DIR",
    type: "string",
    default: ".pulumi-state",
    audience: "tooling",
    description: "npm run sandbox: the file backend's folder.",
  },
  engineCache: {
    env: "CERBY_PULUMI_ENGINE_CACHE",
    type: "string",
    audience: "tooling",
    description: "Where scripts/pulumi-engine.sh builds and keeps the Pulumi CLI.",
  },
  contractSpec: {
    env: "OKTA_CONTRACT_SPEC",
    type: "string",
    audience: "test",
    description: "Contract tests: another copy of Okta's Management API spec to validate against.",
  },
  ci: {
    env: "CI",
    type: "string",
    audience: "test",
    description: "CI=true: a missing Pulumi engine fails the real-CLI tests instead of skipping them.",
  },
  transpileCache: {
    env: "CERBY_TS_CACHE_DIR",
    type: "string",
    audience: "test",
    description: "Where the tests keep TypeScript transpiled once (default: a folder per user under the OS temp dir).",
  },
  e2eDebug: {
    env: "E2E_DEBUG",
    type: "string",
    audience: "test",
    description: "The fast driver prints provider errors as they happen.",
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** Every row of the table, for checks and docs. */
export function allSettings(): Array<Setting & { name: string }> {
  return Object.entries(SETTINGS).map(([name, s]) => ({ name, ...(s as Setting) }));
}

/**
 * The one check of an integer setting. `text`: the value may be written as text (stack config, environment); a
 * resource input must be a number. Returns the number, or the problem (never both).
 */
export function integerValue(
  s: Pick<IntegerSetting, "min" | "max" | "default" | "unit">,
  raw: unknown,
  opts: { text: boolean },
): { value?: number; problem?: string } {
  const v = opts.text && typeof raw === "string" && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof v === "number" && Number.isInteger(v) && v >= s.min && v <= s.max) return { value: v };
  const shown = typeof raw === "string" ? JSON.stringify(raw.slice(0, 40)) : JSON.stringify(raw);
  const unit = s.unit ? ` of ${s.unit}` : "";
  const dflt = s.default !== undefined ? ` (default ${s.default})` : "";
  return { problem: `${shown} is not a whole number${unit} from ${s.min} to ${s.max}${dflt}` };
}

/**
 * An integer setting from stack config (`get` takes full keys): its value when set and valid, the problem (naming the
 * key) when set and not, else neither.
 */
export function configInteger(
  s: IntegerSetting & { key: string },
  get: (key: string) => string | undefined,
): { value?: number; problem?: string } {
  const raw = get(s.key)?.trim();
  if (raw === undefined || raw === "") return {};
  const r = integerValue(s, raw, { text: true });
  return r.problem ? { problem: `${s.key} ${r.problem}` } : { value: r.value };
}

/**
 * A provider's `configure` reading its integer settings: each one's value when set and valid; each problem (naming the
 * key) goes to `problems`, under the key less `cerby:`, for `check` to report before any write.
 */
export function configIntegerReader(
  get: (key: string) => string | undefined,
  problems: Array<{ property: string; reason: string }>,
): (s: IntegerSetting & { key: string }) => number | undefined {
  return (s) => {
    const r = configInteger(s, get);
    if (r.problem) problems.push({ property: s.key.replace(/^cerby:/, ""), reason: r.problem });
    return r.value;
  };
}

/** An integer setting from the environment: its value when set and valid, else undefined (unset or unusable). */
export function envInteger(s: IntegerSetting & { env: string }, env: Record<string, string | undefined>) {
  const raw = env[s.env];
  return raw === undefined || raw.trim() === "" ? undefined : integerValue(s, raw, { text: true }).value;
}

/** Timeout and retry settings of one side from its `*_HTTP_*` environment variables, when set. */
export function httpEnvSettings(
  side: "cerby" | "okta",
  env: Record<string, string | undefined> = process.env,
): { timeoutMs?: number; retries?: number; baseDelayMs?: number } {
  const [timeout, retries, delay] =
    side === "cerby"
      ? [SETTINGS.httpTimeoutMs, SETTINGS.httpRetries, SETTINGS.cerbyHttpBaseDelayMs]
      : [SETTINGS.oktaHttpTimeoutMs, SETTINGS.oktaHttpRetries, SETTINGS.oktaHttpBaseDelayMs];
  return {
    timeoutMs: envInteger(timeout, env),
    retries: envInteger(retries, env),
    baseDelayMs: envInteger(delay, env),
  };
}

/** Requests in flight per origin for one side: its own variable, else the shared one, else undefined. */
export function envConcurrency(
  side: "cerby" | "okta",
  env: Record<string, string | undefined> = process.env,
): number | undefined {
  const own = side === "cerby" ? SETTINGS.cerbyHttpConcurrency : SETTINGS.oktaHttpConcurrency;
  return envInteger(own, env) ?? envInteger(SETTINGS.httpConcurrency, env);
}
