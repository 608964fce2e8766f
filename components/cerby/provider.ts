/**
 * Dynamic provider for the workspace's "Enable Okta Universal Logout" setting. Methods stay short: validation lives
 * in ./inputs, HTTP and parsing in ./client. The API key is read at run time (`configure` or CERBY_API_KEY) and is never
 * part of the serialized provider, inputs or outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { CerbyClient } from "./client";
import { webAppSteps } from "./contract";
import { CerbyUniversalLogoutInputs, apiKeyHowTo, apiKeySources, checkCerbyInputs, cerbyBaseUrl } from "./inputs";
import { logInfo, logWarn } from "../log";
import { UserError } from "../http";
import { providerSettings, setProviderSettings } from "../settings";
import { DynamicResource } from "../provider-ref";
import { CerbyMode, DEFAULT_CERBY_MODE, cerbyModeCallsCerby, isCerbyMode } from "../modes";
import { SETTINGS, httpEnvSettings, integerValue } from "../settings-table";

/** Inputs plus what was read from Cerby. `enabled` and `appInstanceId` hold the live values after create/read. */
export interface CerbyUniversalLogoutState extends CerbyUniversalLogoutInputs {
  /** The workspace API base the resource talks to. */
  url: string;
  idpType?: string | null;
  scimEnabled?: boolean | null;
  updatedAt?: string | null;
  warnings: string[];
}

interface ProviderSettings {
  /** Stack config as the plugin holds it (secrets decrypted): each workspace's API key is looked up by its key name. */
  config?: (key: string) => string | undefined;
  timeoutMs?: number;
  retries?: number;
  configProblems?: Array<{ property: string; reason: string }>;
}

type ConfigureRequest = { config: { get(key: string): string | undefined } };

/** Stable id of the setting: one per workspace. */
export function cerbySettingId(inputs: CerbyUniversalLogoutInputs): string {
  return `${cerbyBaseUrl(inputs)}#okta-universal-logout`;
}

export const cerbyUniversalLogoutProvider = {
  async configure(req: ConfigureRequest): Promise<void> {
    // A value that is not a whole number in range is reported by check (naming the key), never silently used.
    const configProblems: Array<{ property: string; reason: string }> = [];
    const num = (s: typeof SETTINGS.httpTimeoutMs | typeof SETTINGS.httpRetries) => {
      const v = req.config.get(s.key)?.trim();
      if (v === undefined || v === "") return undefined;
      const r = integerValue(s, v, { text: true });
      if (r.problem) configProblems.push({ property: s.key.replace(/^cerby:/, ""), reason: `${s.key} ${r.problem}` });
      return r.value;
    };
    setProviderSettings<ProviderSettings>("cerby", {
      config: (key) => req.config.get(key),
      timeoutMs: num(SETTINGS.httpTimeoutMs),
      retries: num(SETTINGS.httpRetries),
      configProblems,
    });
  },

  /** The workspace's API key: its stack config key (default cerby:apiKey), then its variable (default CERBY_API_KEY). */
  apiKey(inputs: CerbyUniversalLogoutInputs): string | undefined {
    const from = apiKeySources(inputs);
    const fromConfig = from.config ? providerSettings<ProviderSettings>("cerby").config?.(from.config) : undefined;
    return fromConfig || (from.env ? process.env[from.env] : undefined) || undefined;
  },

  client(inputs: CerbyUniversalLogoutInputs): CerbyClient {
    // Stack config (cerby:httpTimeoutMs, cerby:httpRetries) first, then the CERBY_HTTP_* environment (tests, bench).
    const settings = providerSettings<ProviderSettings>("cerby");
    const env = httpEnvSettings("cerby");
    // `??`, not truthiness: cerby:httpRetries 0 (no retries) is a valid setting.
    const retries = settings.retries ?? env.retries;
    return new CerbyClient({
      baseUrl: cerbyBaseUrl(inputs),
      settingsPath: inputs.settingsPath,
      appInstanceId: inputs.appInstanceId,
      apiKey: () => {
        const key = this.apiKey(inputs);
        if (!key) throw new UserError(`Cerby API key is not set: run ${apiKeyHowTo(inputs)}.`);
        return key;
      },
      apiKeyHowTo: apiKeyHowTo(inputs),
      timeoutMs: settings.timeoutMs ?? env.timeoutMs,
      retry: {
        ...(retries !== undefined ? { retries } : {}),
        ...(env.baseDelayMs !== undefined ? { baseDelayMs: env.baseDelayMs } : {}),
      },
    });
  },

  async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkCerbyInputs(news);
    failures.push(...(providerSettings<ProviderSettings>("cerby").configProblems ?? []));
    // An invalid mode or key name is already a failure above: only a valid mode that calls Cerby needs a key.
    const badKeyName = failures.some((f) => f.property === "apiKeyConfig" || f.property === "apiKeyEnv");
    if (isCerbyMode(inputs.mode) && cerbyModeCallsCerby(inputs.mode) && !badKeyName && !this.apiKey(inputs)) {
      failures.push({
        property: inputs.apiKeyConfig ? "apiKeyConfig" : inputs.apiKeyEnv ? "apiKeyEnv" : "apiKey",
        reason:
          `no Cerby API key for ${cerbyBaseUrl(inputs)}: run ${apiKeyHowTo(inputs)}, with a key of a workspace ` +
          "Owner, Super Admin or Admin — or use manual mode (cerby:mode manual)",
      });
    }
    return { inputs, failures };
  },

  async diff(
    _id: string,
    olds: Partial<CerbyUniversalLogoutState>,
    news: CerbyUniversalLogoutInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (["workspace", "baseUrl"] as const).filter(
      (k) => (olds[k] ?? undefined) !== (news[k] ?? undefined),
    );
    // State written by earlier versions may lack a field: compare against the same defaults check applies.
    const oldNorm = checkCerbyInputs(olds as Record<string, unknown>).inputs;
    // A new key name is an update in place: converge reads with the new key and writes only what differs.
    const changed = (
      [
        "appInstanceId",
        "enabled",
        "mode",
        "settingsPath",
        "requireScimProvisioning",
        "apiKeyConfig",
        "apiKeyEnv",
      ] as const
    ).filter((k) => (k === "appInstanceId" ? (olds.appInstanceId ?? null) : oldNorm[k]) !== news[k]);
    return { changes: replaces.length + changed.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs: CerbyUniversalLogoutInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await this.converge(inputs);
    return { id: cerbySettingId(inputs), outs };
  },

  async update(
    _id: string,
    _olds: CerbyUniversalLogoutState,
    news: CerbyUniversalLogoutInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: await this.converge(news) };
  },

  /** The IdP-settings precondition, then one idempotent write: safe to repeat after a failed or partial run. */
  async converge(inputs: CerbyUniversalLogoutInputs): Promise<CerbyUniversalLogoutState> {
    const url = cerbyBaseUrl(inputs);
    if (!cerbyModeCallsCerby(inputs.mode)) {
      const note = inputs.enabled
        ? `Cerby (manual mode): Pulumi made no call to ${url}. ${webAppSteps(inputs.appInstanceId)}`
        : `Cerby (manual mode): to turn it off, in the Cerby web app switch off "Enable Okta Universal Logout" for ${url}.`;
      logInfo(note);
      return { ...inputs, url, warnings: [note] };
    }
    const client = this.client(inputs);
    const warnings: string[] = [];
    const idp = await client.getIdpSettings();
    const problems: string[] = [];
    if (idp.idpType !== "okta") problems.push(`the workspace's IdP is ${idp.idpType ?? "not set"}, not Okta`);
    if (!idp.scimEnabled) problems.push("SCIM provisioning (Directory Sync) is off");
    if (problems.length > 0) {
      const msg =
        `Cerby workspace ${url}: ${problems.join(" and ")}. Universal Logout only works for users provisioned from Okta: ` +
        "set up Okta provisioning (Okta: the Cerby app → Provisioning → Enable API integration with the SCIM token from " +
        "Cerby's IDP Settings → Directory Sync).";
      if (inputs.requireScimProvisioning) {
        throw new UserError(`${msg} Nothing was changed (requireScimProvisioning is set).`);
      }
      warnings.push(msg);
      logWarn(msg);
    }
    // Pulumi calls create/update only when state differs from the program, so there is something to write; the
    // contract's PUT is idempotent (the same body leaves the setting and its updatedAt as they are) and answers with
    // the setting after the change, so no read before it: a repeated run after a failure converges the same way.
    const live = await client.putUniversalLogout(inputs.enabled, inputs.enabled ? inputs.appInstanceId : null);
    return {
      ...inputs,
      url,
      enabled: live.enabled,
      appInstanceId: live.appInstanceId ?? inputs.appInstanceId,
      idpType: idp.idpType,
      scimEnabled: idp.scimEnabled,
      updatedAt: live.updatedAt ?? null,
      warnings,
    };
  },

  async read(id: string, props: CerbyUniversalLogoutState): Promise<pulumi.dynamic.ReadResult> {
    // State written by earlier versions may lack the mode: the default applies, as check would apply it.
    if (!cerbyModeCallsCerby(props.mode ?? DEFAULT_CERBY_MODE)) return { id, props };
    const live = await this.client(props).getUniversalLogout();
    // Report what Cerby has now; returning inputs too makes `preview --refresh` diff against the live setting.
    const observed = { enabled: live.enabled, appInstanceId: live.appInstanceId };
    const next = { ...props, ...observed, updatedAt: live.updatedAt ?? null } as CerbyUniversalLogoutState;
    const inputs: Record<string, unknown> = {
      ...checkCerbyInputs(props as unknown as Record<string, unknown>).inputs,
      ...observed,
    };
    return { id, props: next, inputs };
  },

  async delete(_id: string, props: CerbyUniversalLogoutState): Promise<void> {
    if (!cerbyModeCallsCerby(props.mode ?? DEFAULT_CERBY_MODE)) {
      logInfo(
        `Cerby (manual mode): Pulumi made no call. To turn it off, switch off "Enable Okta Universal Logout" in ${props.url}.`,
      );
      return;
    }
    // One idempotent write (no read first): already off stays off.
    await this.client(props).putUniversalLogout(false, null);
  },
};

/** Args of the Cerby side, as a user writes them. */
export interface CerbyUniversalLogoutArgs {
  /** Cerby workspace name: the subdomain of https://{workspace}.cerby.com. */
  workspace?: pulumi.Input<string>;
  /** Full base URL instead of the workspace (private deployments, emulators); https unless loopback. */
  baseUrl?: pulumi.Input<string>;
  /** The Okta app ID of the Cerby app, which Cerby calls "App instance Id". */
  appInstanceId: pulumi.Input<string>;
  /** "api" (default): Pulumi calls Cerby. "manual": you do the web-app step; Pulumi records it and makes no call. */
  mode?: pulumi.Input<CerbyMode>;
  /** Path prefix of the assumed settings endpoint (default: DEFAULT_SETTINGS_PATH of ./contract). */
  settingsPath?: pulumi.Input<string>;
  /** Desired state of "Enable Okta Universal Logout" (default true). */
  enabled?: pulumi.Input<boolean>;
  /** Fail instead of warning when the workspace's IdP is not Okta or SCIM provisioning is off. */
  requireScimProvisioning?: pulumi.Input<boolean>;
  /**
   * The stack config key holding this workspace's API key (a secret), e.g. "cerby:apiKeyEu"; default cerby:apiKey.
   * The key's name only: the key is read at run time and never stored.
   */
  apiKeyConfig?: pulumi.Input<string>;
  /** The environment variable holding this workspace's API key, e.g. "CERBY_API_KEY_EU"; default CERBY_API_KEY. */
  apiKeyEnv?: pulumi.Input<string>;
}

/** The Cerby workspace's Okta Universal Logout setting, as a Pulumi resource. */
export class CerbyUniversalLogout extends DynamicResource {
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly appInstanceId: pulumi.Output<string | null>;
  declare readonly url: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<CerbyMode>;
  declare readonly idpType: pulumi.Output<string | null | undefined>;
  declare readonly scimEnabled: pulumi.Output<boolean | null | undefined>;
  declare readonly warnings: pulumi.Output<string[]>;

  constructor(name: string, args: CerbyUniversalLogoutArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // A reference that loads cerbyUniversalLogoutProvider at run time: state holds ~1 kB, not the implementation.
      { file: __filename, rel: "components/cerby/provider", exportName: "cerbyUniversalLogoutProvider" },
      name,
      {
        // Named here so they are outputs even when not given (check applies the defaults).
        enabled: undefined,
        mode: undefined,
        ...args,
        url: undefined,
        idpType: undefined,
        scimEnabled: undefined,
        updatedAt: undefined,
        warnings: undefined,
      },
      opts,
      "cerby",
      "UniversalLogout",
    );
  }
}
