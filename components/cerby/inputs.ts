/**
 * Validation and normalization of the Cerby resource's inputs: what `check` runs before anything is written.
 * Pure functions, no network, built per call (this module is serialized with the provider).
 */
import { SETTINGS } from "../settings-table";
import { DEFAULT_SETTINGS_PATH, WORKSPACE_PATTERN, workspaceBaseUrl } from "./contract";
import { baseUrlProblem } from "../http";
import { checkAppInstanceIdInput } from "../app-instance-id";
import { CERBY_MODE_INPUT, CerbyMode, checkModeInput } from "../modes";
import { CheckFailure, Checked, addProblem, isBlank, isKnown, rawInputs, urlInputProblem } from "../shared";

/** Normalized inputs of the Cerby Universal Logout resource, as stored in state. */
export interface CerbyUniversalLogoutInputs {
  workspace?: string;
  baseUrl?: string;
  settingsPath: string;
  appInstanceId: string;
  mode: CerbyMode;
  /** Desired state of "Enable Okta Universal Logout"; true unless the user wants it off. */
  enabled: boolean;
  requireScimProvisioning: boolean;
  /** The stack config key holding this workspace's API key (a secret), when not cerby:apiKey. A name, never the key. */
  apiKeyConfig?: string;
  /** The environment variable holding this workspace's API key, when not CERBY_API_KEY. A name, never the key. */
  apiKeyEnv?: string;
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
] as const;

/** Validates raw inputs; every failure names its property and says how to fix it. */
export function checkCerbyInputs(raw: Record<string, unknown>): Checked<CerbyUniversalLogoutInputs> {
  const news = rawInputs(INPUT_KEYS, raw);
  const failures: CheckFailure[] = [];
  const [known, blank] = [isKnown, isBlank];

  if (!blank(news.workspace) && !blank(news.baseUrl)) {
    failures.push({
      property: "baseUrl",
      reason: "set either workspace or baseUrl, not both (baseUrl replaces the workspace URL)",
    });
  } else if (blank(news.workspace) && blank(news.baseUrl)) {
    failures.push({
      property: "workspace",
      reason: "is required: the Cerby workspace name (cerby:workspace), or a full baseUrl (cerby:baseUrl)",
    });
  } else if (!blank(news.workspace) && known(news.workspace)) {
    addProblem(failures, "workspace", workspaceProblem(news.workspace));
  } else if (!blank(news.baseUrl) && known(news.baseUrl)) {
    addProblem(failures, "baseUrl", urlInputProblem(news.baseUrl, baseUrlProblem));
  }

  checkAppInstanceIdInput(news.appInstanceId, failures);
  const mode = checkModeInput(news.mode, CERBY_MODE_INPUT, failures);

  const settingsPath = blank(news.settingsPath) ? DEFAULT_SETTINGS_PATH : news.settingsPath;
  if (known(settingsPath)) {
    addProblem(failures, "settingsPath", settingsPathProblem(settingsPath));
  }

  for (const key of ["enabled", "requireScimProvisioning"] as const) {
    const v = news[key];
    if (!blank(v) && typeof v !== "boolean" && known(v)) {
      failures.push({ property: key, reason: `${JSON.stringify(v)} is not a boolean: use true or false` });
    }
  }

  if (!blank(news.apiKeyConfig) && known(news.apiKeyConfig)) {
    addProblem(failures, "apiKeyConfig", apiKeyConfigProblem(news.apiKeyConfig));
  }
  if (!blank(news.apiKeyEnv) && known(news.apiKeyEnv)) {
    addProblem(failures, "apiKeyEnv", apiKeyEnvProblem(news.apiKeyEnv));
  }

  const inputs: CerbyUniversalLogoutInputs = {
    ...(blank(news.workspace) ? {} : { workspace: news.workspace as string }),
    // A non-string baseUrl is reported above; it must not crash the normalization.
    ...(blank(news.baseUrl)
      ? {}
      : { baseUrl: typeof news.baseUrl === "string" ? news.baseUrl.replace(/\/+$/, "") : (news.baseUrl as string) }),
    settingsPath: settingsPath as string,
    appInstanceId: news.appInstanceId as string,
    mode: mode as CerbyMode,
    enabled: typeof news.enabled === "boolean" ? news.enabled : true,
    requireScimProvisioning: news.requireScimProvisioning === true,
    // A bad name is reported above and never stored: it may be a key pasted by mistake.
    ...(blank(news.apiKeyConfig) || apiKeyConfigProblem(news.apiKeyConfig)
      ? {}
      : { apiKeyConfig: news.apiKeyConfig as string }),
    ...(blank(news.apiKeyEnv) || apiKeyEnvProblem(news.apiKeyEnv) ? {} : { apiKeyEnv: news.apiKeyEnv as string }),
  };
  return { inputs, failures };
}

/** The workspace's API base: the explicit baseUrl, else https://{workspace}.cerby.com. */
export function cerbyBaseUrl(inputs: Pick<CerbyUniversalLogoutInputs, "workspace" | "baseUrl">): string {
  return inputs.baseUrl ?? workspaceBaseUrl(inputs.workspace ?? "");
}
