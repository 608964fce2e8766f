/**
 * Validation and normalization of the Cerby resource's inputs: what `check` runs before anything is written.
 * Pure functions, no network.
 */
import { SETTINGS } from "../settings-table";
import { DEFAULT_SETTINGS_PATH, WORKSPACE_PATTERN, workspaceBaseUrl } from "./contract";
import { baseUrlProblem } from "../http";
import { checkAppInstanceIdInput } from "../app-instance-id";
import { CERBY_MODE_INPUT, CerbyMode, checkModeInput } from "../modes";
import { CheckFailure, Checked, addProblem, isBlank, isKnown, startCheck, urlInputProblem } from "../shared";
import { oktaOrgUrlProblem } from "../okta/config";

/**
 * Inputs of the Cerby Universal Logout resource, as `check` normalizes them and state stores them; its args
 * (`CerbyUniversalLogoutArgs`) are these, each optional but the App instance ID.
 */
export interface CerbyUniversalLogoutInputs {
  /** Cerby workspace name: the subdomain of https://{workspace}.cerby.com. */
  workspace?: string;
  /** Full base URL instead of the workspace (private deployments, emulators); https unless loopback. */
  baseUrl?: string;
  /** Path prefix of the assumed Cerby settings endpoint (default /api/v1/settings/idp; see the README). */
  settingsPath: string;
  /** The Okta app ID of the Cerby app, which Cerby calls "App instance Id". */
  appInstanceId: string;
  /** "api" (default): Pulumi calls Cerby. "manual": you do the web-app step; Pulumi records it and makes no call. */
  mode: CerbyMode;
  /** Desired state of "Enable Okta Universal Logout" (default true). */
  enabled: boolean;
  /** Fail instead of warning when the workspace's IdP is not Okta or SCIM provisioning is off. */
  requireScimProvisioning: boolean;
  /**
   * The stack config key holding this workspace's API key (a secret), e.g. "cerby:apiKeyEu"; default cerby:apiKey.
   * The key's name only: the key is read at run time and never stored.
   */
  apiKeyConfig?: string;
  /** The environment variable holding this workspace's API key, e.g. "CERBY_API_KEY_EU"; default CERBY_API_KEY. */
  apiKeyEnv?: string;
  /**
   * Set by the component when it found the App instance ID by the app's label: before writing the ID to Cerby, the
   * provider reads that app by its ID in this Okta org, which must answer with that app, ACTIVE and still so labelled.
   */
  labelledApp?: LabelledApp;
}

/** The Okta app a label lookup found: where, and by which label (see `labelledApp`). */
export interface LabelledApp {
  /** Root URL of the Okta org the app was found in. */
  orgUrl: string;
  /** The label it was found by. */
  label: string;
}

/** Where the API key of a workspace is read at run time, unless its binding names others. */
export const DEFAULT_API_KEY_CONFIG: string = SETTINGS.apiKey.key;
export const DEFAULT_API_KEY_ENV: string = SETTINGS.apiKey.env;

/** The stack config key, then the environment variable, that hold this workspace's API key. */
export function apiKeySources(inputs: Pick<CerbyUniversalLogoutInputs, "apiKeyConfig" | "apiKeyEnv">): {
  config?: string;
  env?: string;
} {
  // Names given by the binding replace both defaults: naming only a variable means the key is there, not in cerby:apiKey.
  if (inputs.apiKeyConfig || inputs.apiKeyEnv) return { config: inputs.apiKeyConfig, env: inputs.apiKeyEnv };
  return { config: DEFAULT_API_KEY_CONFIG, env: DEFAULT_API_KEY_ENV };
}

/** How to set the key, in the user's words: "`pulumi config set --secret K <key>` (or set V)". */
export function apiKeyHowTo(inputs: Pick<CerbyUniversalLogoutInputs, "apiKeyConfig" | "apiKeyEnv">): string {
  const { config, env } = apiKeySources(inputs);
  const setConfig = config && `\`pulumi config set --secret ${config} <key>\``;
  const setEnv = env && `set ${env}`;
  return setConfig && setEnv ? `${setConfig} (or ${setEnv})` : (setConfig ?? setEnv!);
}

// The value is never shown: a user may have pasted the key itself where its name belongs.
export function apiKeyConfigProblem(value: unknown): string | undefined {
  if (typeof value === "string" && /^[A-Za-z][A-Za-z0-9_.-]{0,63}:[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(value)) return;
  return (
    "is not the name of a stack config key such as cerby:apiKeyEu (the value is not shown, in case it is a key: " +
    "never put an API key itself here — store it with `pulumi config set --secret cerby:apiKeyEu` and name that key)"
  );
}

export function apiKeyEnvProblem(value: unknown): string | undefined {
  // Upper case only, as variable names are by convention: a pasted key (mixed case) is refused, not taken for a name.
  if (typeof value === "string" && /^[A-Z_][A-Z0-9_]{0,127}$/.test(value)) return;
  return (
    "is not the name of an environment variable such as CERBY_API_KEY_EU (upper-case letters, digits and _; the " +
    "value is not shown, in case it is a key: never put an API key itself here — export it in that variable and " +
    "name the variable)"
  );
}

export function workspaceProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || !new RegExp(WORKSPACE_PATTERN).test(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 70)) : String(value);
    return (
      `${shown} is not a Cerby workspace name: use the lower-case subdomain of your workspace URL ` +
      '(for https://acme.cerby.com, "acme"): letters a-z, digits and inner hyphens, at most 63'
    );
  }
  return undefined;
}

export function settingsPathProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || !/^\/[A-Za-z0-9_\-/]{0,200}$/.test(value) || /\/\.\.?(\/|$)/.test(value)) {
    return `${JSON.stringify(value)} is not a settings path: give an absolute path such as ${DEFAULT_SETTINGS_PATH} (letters, digits, -, _ and /)`;
  }
  return undefined;
}

/** The inputs `check` reads. */
const INPUT_KEYS = [
  "workspace",
  "baseUrl",
  "settingsPath",
  "appInstanceId",
  "mode",
  "enabled",
  "requireScimProvisioning",
  "apiKeyConfig",
  "apiKeyEnv",
  "labelledApp",
] as const;

/** Validates raw inputs; every failure names its property and says how to fix it. */
export function checkCerbyInputs(raw: Record<string, unknown>): Checked<CerbyUniversalLogoutInputs> {
  const { news, failures } = startCheck(INPUT_KEYS, raw);

  if (!isBlank(news.workspace) && !isBlank(news.baseUrl)) {
    failures.push({
      property: "baseUrl",
      reason: "set either workspace or baseUrl, not both (baseUrl replaces the workspace URL)",
    });
  } else if (isBlank(news.workspace) && isBlank(news.baseUrl)) {
    failures.push({
      property: "workspace",
      reason: "is required: the Cerby workspace name (cerby:workspace), or a full baseUrl (cerby:baseUrl)",
    });
  } else if (!isBlank(news.workspace) && isKnown(news.workspace)) {
    addProblem(failures, "workspace", workspaceProblem(news.workspace));
  } else if (!isBlank(news.baseUrl) && isKnown(news.baseUrl)) {
    addProblem(failures, "baseUrl", urlInputProblem(news.baseUrl, baseUrlProblem));
  }

  checkAppInstanceIdInput(news.appInstanceId, failures);
  const mode = checkModeInput(news.mode, CERBY_MODE_INPUT, failures);

  const settingsPath = isBlank(news.settingsPath) ? DEFAULT_SETTINGS_PATH : news.settingsPath;
  if (isKnown(settingsPath)) {
    addProblem(failures, "settingsPath", settingsPathProblem(settingsPath));
  }

  for (const key of ["enabled", "requireScimProvisioning"] as const) {
    const v = news[key];
    if (!isBlank(v) && typeof v !== "boolean" && isKnown(v)) {
      failures.push({ property: key, reason: `${JSON.stringify(v)} is not a boolean: use true or false` });
    }
  }

  if (!isBlank(news.apiKeyConfig) && isKnown(news.apiKeyConfig)) {
    addProblem(failures, "apiKeyConfig", apiKeyConfigProblem(news.apiKeyConfig));
  }
  if (!isBlank(news.apiKeyEnv) && isKnown(news.apiKeyEnv)) {
    addProblem(failures, "apiKeyEnv", apiKeyEnvProblem(news.apiKeyEnv));
  }

  const labelledApp = labelledAppOf(news.labelledApp, failures);

  const inputs: CerbyUniversalLogoutInputs = {
    ...(isBlank(news.workspace) ? {} : { workspace: news.workspace as string }),
    // A non-string baseUrl is reported above; it must not crash the normalization.
    ...(isBlank(news.baseUrl)
      ? {}
      : { baseUrl: typeof news.baseUrl === "string" ? news.baseUrl.replace(/\/+$/, "") : (news.baseUrl as string) }),
    settingsPath: settingsPath as string,
    appInstanceId: news.appInstanceId as string,
    mode: mode as CerbyMode,
    enabled: typeof news.enabled === "boolean" ? news.enabled : true,
    requireScimProvisioning: news.requireScimProvisioning === true,
    // A bad name is reported above and never stored: it may be a key pasted by mistake.
    ...(isBlank(news.apiKeyConfig) || apiKeyConfigProblem(news.apiKeyConfig)
      ? {}
      : { apiKeyConfig: news.apiKeyConfig as string }),
    ...(isBlank(news.apiKeyEnv) || apiKeyEnvProblem(news.apiKeyEnv) ? {} : { apiKeyEnv: news.apiKeyEnv as string }),
    ...(labelledApp ? { labelledApp } : {}),
  };
  return { inputs, failures };
}

/** `labelledApp` when given and well formed (an org URL and a label), else a failure naming it; absent: undefined. */
function labelledAppOf(v: unknown, failures: CheckFailure[]): LabelledApp | undefined {
  if (isBlank(v) || !isKnown(v)) return undefined;
  const app = v as Partial<LabelledApp>;
  const problem =
    typeof v !== "object" || typeof app.label !== "string" || app.label.trim() === ""
      ? "must be { orgUrl, label }: the Okta org and the label the app was found by"
      : urlInputProblem(app.orgUrl, oktaOrgUrlProblem);
  if (addProblem(failures, "labelledApp", problem)) return undefined;
  return { orgUrl: (app.orgUrl as string).replace(/\/+$/, ""), label: app.label as string };
}

/** The workspace's API base: the explicit baseUrl, else https://{workspace}.cerby.com. */
export function cerbyBaseUrl(inputs: Pick<CerbyUniversalLogoutInputs, "workspace" | "baseUrl">): string {
  return inputs.baseUrl ?? workspaceBaseUrl(inputs.workspace ?? "");
}
