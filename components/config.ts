/**
 * Stack config → bindings, validated in one pass so the user gets every bad key in one error, not the first.
 * Keys, defaults and limits come from the settings table (settings-table.ts), which Pulumi.yaml and the README are
 * tested against. Secrets (cerby:apiKey, okta:apiToken, okta:privateKey) are not read here: the providers read them
 * at run time.
 */
import { z } from "zod";
import { once } from "./shared";
import { UserError, baseUrlProblem } from "./http";
import { apiKeyConfigProblem, apiKeyEnvProblem, settingsPathProblem, workspaceProblem } from "./cerby/inputs";
import { appInstanceIdProblem } from "./app-instance-id";
import { CERBY_MODES, CerbyMode, OKTA_MODES, OktaMode, modeChoices } from "./modes";
import { oktaOrgUrl, OktaConfigError } from "./okta/config";
import { IntegerSetting, SETTINGS, integerValue } from "./settings-table";

export interface Binding {
  /** Resource name prefix; unique per stack. */
  name: string;
  workspace?: string;
  baseUrl?: string;
  settingsPath?: string;
  cerbyMode: CerbyMode;
  requireScimProvisioning: boolean;
  appInstanceId?: string;
  appLabel?: string;
  oktaMode: OktaMode;
  oktaWaitTimeoutSeconds?: number;
  oktaPollIntervalSeconds?: number;
  requireProvisioning: boolean;
  /** The stack config key holding this workspace's Cerby API key (default cerby:apiKey): a name, never the key. */
  apiKeyConfig?: string;
  /** The environment variable holding it (default CERBY_API_KEY): a name, never the key. */
  apiKeyEnv?: string;
}

export interface ProgramConfig {
  oktaOrgUrl: string;
  bindings: Binding[];
}

/** One binding as written in `cerby:bindings` (JSON) — the flat cerby:* keys give the defaults. */
const bindingSchema = once(() => {
  const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
  // Text from a flat key, a number from cerby:bindings JSON: both checked by the table's one integer check.
  const int = (s: IntegerSetting) =>
    z.unknown().transform((v, ctx) => {
      const r = integerValue(s, v, { text: true });
      if (r.problem) ctx.addIssue({ code: "custom", message: r.problem });
      return r.value as number;
    });
  return z
    .object({
      name: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, "must be a short lower-case name (a-z, 0-9, -)")
        .optional(),
      workspace: z.string().optional(),
      baseUrl: z.string().optional(),
      settingsPath: z.string().optional(),
      mode: z.enum(CERBY_MODES, { message: `must be ${modeChoices(CERBY_MODES)}` }).optional(),
      requireScimProvisioning: bool.optional(),
      appInstanceId: z.string().optional(),
      appLabel: z.string().min(1).max(100).optional(),
      oktaMode: z.enum(OKTA_MODES, { message: `must be ${modeChoices(OKTA_MODES)}` }).optional(),
      oktaWaitTimeoutSeconds: int(SETTINGS.oktaWaitTimeoutSeconds).optional(),
      oktaPollIntervalSeconds: int(SETTINGS.oktaPollIntervalSeconds).optional(),
      requireProvisioning: bool.optional(),
      // Names only, checked below with messages that never echo the value (it may be a key pasted by mistake).
      apiKeyConfig: z.string().optional(),
      apiKeyEnv: z.string().optional(),
    })
    .strict();
});

/** The per-binding keys that may also be set flat (cerby:<key>): the binding schema's, except the name. */
function flatKeys(): string[] {
  return Object.keys(bindingSchema().shape).filter((k) => k !== "name");
}

/**
 * Reads and validates the stack config. `get` takes full keys ("cerby:workspace", "okta:orgName"). Throws one
 * UserError listing every problem as "key: problem and fix".
 */
export function loadProgramConfig(get: (key: string) => string | undefined): ProgramConfig {
  const problems: string[] = [];
  const blankToUndef = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());

  let oktaUrl = "";
  try {
    oktaUrl = oktaOrgUrl({
      orgName: blankToUndef(get("okta:orgName")),
      baseUrl: blankToUndef(get("okta:baseUrl")),
      orgUrl: blankToUndef(get("cerby:oktaOrgUrl")),
    });
  } catch (e) {
    if (!(e instanceof OktaConfigError)) throw e;
    problems.push(`${e.key === "orgUrl" ? "cerby:oktaOrgUrl" : e.key}: ${e.reason}`);
  }

  const defaults: Record<string, string> = {};
  for (const k of flatKeys()) {
    const v = blankToUndef(get(`cerby:${k}`));
    if (v !== undefined) defaults[k] = v;
  }

  let raw: unknown[] = [{}];
  const bindingsText = blankToUndef(get("cerby:bindings"));
  if (bindingsText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(bindingsText);
      if (!Array.isArray(parsed) || parsed.length === 0) throw new Error("not a non-empty array");
      raw = parsed;
    } catch (e) {
      problems.push(
        `cerby:bindings: is not a JSON array of bindings (${(e as Error).message}); see the README's "Many workspaces"`,
      );
      raw = [];
    }
  }

  const bindings: Binding[] = [];
  const names = new Set<string>();
  raw.forEach((entry, i) => {
    const where = bindingsText !== undefined ? `cerby:bindings[${i}].` : "cerby:";
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push(
        `cerby:bindings[${i}]: is not a binding object such as {"workspace":"acme"} (got ${typeName(entry)})`,
      );
      return;
    }
    const merged = { ...defaults, ...(entry as object) } as Record<string, unknown>;
    const r = bindingSchema().safeParse(merged);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const key = issue.path.join(".") || (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "?");
        problems.push(
          `${where}${key}: ${issue.code === "unrecognized_keys" ? "is not a known setting" : issue.message}`,
        );
      }
    }
    // The cross-field and format checks run even when the schema failed, so every problem is reported at once.
    const str = (k: string) => (typeof merged[k] === "string" ? (merged[k] as string) : undefined);
    const check = (key: string, problem: string | undefined) => problem && problems.push(`${where}${key}: ${problem}`);
    const [workspace, baseUrl, appInstanceId] = [str("workspace"), str("baseUrl"), str("appInstanceId")];
    if (workspace && baseUrl) problems.push(`${where}baseUrl: set either workspace or baseUrl, not both`);
    else if (!workspace && !baseUrl)
      problems.push(`${where}workspace: is required (the Cerby workspace name), or set ${where}baseUrl`);
    else if (workspace) check("workspace", workspaceProblem(workspace));
    else check("baseUrl", baseUrlProblem(baseUrl!));
    if (str("settingsPath")) check("settingsPath", settingsPathProblem(str("settingsPath")));
    if (appInstanceId && str("appLabel"))
      problems.push(`${where}appLabel: set either appInstanceId or appLabel, not both`);
    if (appInstanceId) check("appInstanceId", appInstanceIdProblem(appInstanceId));
    if (merged.apiKeyConfig !== undefined) check("apiKeyConfig", apiKeyConfigProblem(merged.apiKeyConfig));
    if (merged.apiKeyEnv !== undefined) check("apiKeyEnv", apiKeyEnvProblem(merged.apiKeyEnv));
    if (!r.success) return;
    const b = r.data;
    const name = b.name ?? (bindingsText === undefined ? "cerby" : (b.workspace ?? `binding-${i}`));
    if (names.has(name)) problems.push(`${where}name: "${name}" is used twice; give each binding its own name`);
    names.add(name);
    bindings.push({
      name,
      workspace: b.workspace,
      baseUrl: b.baseUrl?.replace(/\/+$/, ""),
      settingsPath: b.settingsPath,
      cerbyMode: b.mode ?? SETTINGS.mode.default,
      requireScimProvisioning: b.requireScimProvisioning ?? SETTINGS.requireScimProvisioning.default,
      appInstanceId: b.appInstanceId,
      appLabel: b.appInstanceId ? undefined : (b.appLabel ?? SETTINGS.appLabel.default),
      oktaMode: b.oktaMode ?? SETTINGS.oktaMode.default,
      oktaWaitTimeoutSeconds: b.oktaWaitTimeoutSeconds,
      oktaPollIntervalSeconds: b.oktaPollIntervalSeconds,
      requireProvisioning: b.requireProvisioning ?? SETTINGS.requireProvisioning.default,
      apiKeyConfig: b.apiKeyConfig,
      apiKeyEnv: b.apiKeyEnv,
    });
  });

  // Read by the providers (and the program's lookups) at run time; checked here so a typo fails before any request.
  for (const s of [
    SETTINGS.httpTimeoutMs,
    SETTINGS.httpRetries,
    SETTINGS.operationTimeoutSeconds,
    SETTINGS.oktaHttpTimeoutMs,
    SETTINGS.oktaHttpRetries,
    SETTINGS.oktaOperationTimeoutSeconds,
  ]) {
    const raw = blankToUndef(get(s.key));
    const problem = raw === undefined ? undefined : integerValue(s, raw, { text: true }).problem;
    if (problem) problems.push(`${s.key}: ${problem}`);
  }

  if (problems.length > 0) {
    throw new UserError(`The stack config has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  }
  return { oktaOrgUrl: oktaUrl, bindings };
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;
}
