/**
 * Dynamic provider for the workspace's "Enable Okta Universal Logout" setting. Methods stay short: validation lives
 * in ./inputs, HTTP and parsing in ./client. The API key is read at run time (`configure` or its variable) and is never
 * part of the serialized provider, inputs or outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { CerbyClient } from "./client";
import { CerbyUniversalLogoutInputs, apiKeyHowTo, apiKeySources, checkCerbyInputs, cerbyBaseUrl } from "./inputs";
import { logInfo } from "../log";
import { UserError } from "../http";
import { providerSettings, setProviderSettings } from "../settings";
import { dynamicType, withProviderRef } from "../provider-ref";
import { userErrorsPrintedOnce } from "../run-error";
import { type ArgsOf, convergingCreateUpdate } from "../shared";
import { CerbyMode, DEFAULT_CERBY_MODE, cerbyModeCallsCerby, isCerbyMode } from "../modes";
import { SETTINGS, configIntegerReader, httpEnvSettings } from "../settings-table";
import type { CerbyUniversalLogoutState } from "./state";
import { runStep } from "../lifecycle";
import { cerbyHasState, cerbyReadInputs, cerbySettingId, convergeCerby, disableCerby, readCerby } from "./converge";
// The Okta side's client, only to confirm a label lookup's pick by its ID before Cerby is written.
import { OktaClient, oktaHttpSettings } from "../okta/client";
import { OktaConfigError, OktaCredentials, oktaCredentials } from "../okta/config";
import { confirmLabelledApp } from "../okta/resolve";

interface ProviderSettings {
  /** Stack config as the plugin holds it (secrets decrypted): each workspace's API key is looked up by its key name. */
  config?: (key: string) => string | undefined;
  timeoutMs?: number;
  retries?: number;
  /** cerby:operationTimeoutSeconds: the deadline of each step of this provider. */
  operationTimeoutSeconds?: number;
  configProblems?: Array<{ property: string; reason: string }>;
}

type ConfigureRequest = { config: { get(key: string): string | undefined } };

export { cerbySettingId };
export type { CerbyUniversalLogoutState };

/** The workspace's API key: its stack config key (default cerby:apiKey), then its variable (default CERBY_API_KEY). */
function cerbyApiKey(inputs: CerbyUniversalLogoutInputs): string | undefined {
  const from = apiKeySources(inputs);
  const fromConfig = from.config ? providerSettings<ProviderSettings>("cerby").config?.(from.config) : undefined;
  return fromConfig || (from.env ? process.env[from.env] : undefined) || undefined;
}

function cerbyClient(inputs: CerbyUniversalLogoutInputs): CerbyClient {
  // Stack config (cerby:httpTimeoutMs, cerby:httpRetries) first, then the CERBY_HTTP_* environment (tests, bench).
  const settings = providerSettings<ProviderSettings>("cerby");
  const env = httpEnvSettings("cerby");
  return new CerbyClient({
    baseUrl: cerbyBaseUrl(inputs),
    settingsPath: inputs.settingsPath,
    appInstanceId: inputs.appInstanceId,
    apiKey: () => {
      const key = cerbyApiKey(inputs);
      if (!key) throw new UserError(`Cerby API key is not set: run ${apiKeyHowTo(inputs)}.`);
      return key;
    },
    apiKeyHowTo: apiKeyHowTo(inputs),
    timeoutMs: settings.timeoutMs ?? env.timeoutMs,
    // `??`, not truthiness: cerby:httpRetries 0 (no retries) is a valid setting.
    retry: { retries: settings.retries ?? env.retries, baseDelayMs: env.baseDelayMs },
  });
}

/**
 * One provider method as a step (../lifecycle): it ends at its deadline (cerby:operationTimeoutSeconds), on Ctrl-C or
 * when the engine is gone, and then says what it did and did not do.
 */
function cerbyStep<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  const s = SETTINGS.operationTimeoutSeconds;
  const timeoutSeconds = providerSettings<ProviderSettings>("cerby").operationTimeoutSeconds ?? s.default;
  return runStep({ side: "Cerby", doing, timeoutSeconds, timeoutSetting: s.key }, fn);
}

/** Okta credentials from stack config (okta:*) or OKTA_* variables, read only to confirm a label lookup's pick. */
function oktaCredentialsForConfirm(): OktaCredentials {
  const config = providerSettings<ProviderSettings>("cerby").config;
  return oktaCredentials((k) => config?.(k), process.env, "verify");
}

/**
 * Where the component found the App instance ID by the app's label (`labelledApp`), the app read by that ID in Okta
 * right before the write (../okta/resolve confirmLabelledApp): Cerby is bound only to what Okta answers for that ID.
 * Done here, not in the program, so that a converged `up` or a preview — which write nothing — cost no read per binding.
 */
function labelledAppConfirmation(inputs: CerbyUniversalLogoutInputs): (() => Promise<unknown>) | undefined {
  const app = inputs.labelledApp;
  if (!app) return undefined;
  return () => {
    const config = providerSettings<ProviderSettings>("cerby").config;
    const client = new OktaClient({
      orgUrl: app.orgUrl,
      credentials: oktaCredentialsForConfirm(),
      ...oktaHttpSettings((k) => config?.(k)),
    });
    return confirmLabelledApp(client, app.label, inputs.appInstanceId);
  };
}

const converging = convergingCreateUpdate<CerbyUniversalLogoutInputs, CerbyUniversalLogoutState>(
  (inputs) => convergeCerby(cerbyClient(inputs), inputs, labelledAppConfirmation(inputs)),
  cerbySettingId,
);

/** Whether Pulumi calls Cerby for this resource (state written by earlier versions may lack the mode: the default). */
const callsCerby = (props: Partial<CerbyUniversalLogoutState>) => cerbyModeCallsCerby(props.mode ?? DEFAULT_CERBY_MODE);

// `satisfies` (at the end): tsc checks this against the SDK interface (`npm run lint` is the type test), keeping the
// methods' own, narrower result types for callers.
export const cerbyUniversalLogoutProvider = userErrorsPrintedOnce({
  async configure(req: ConfigureRequest): Promise<void> {
    // A value that is not a whole number in range is reported by check (naming the key), never silently used.
    const configProblems: Array<{ property: string; reason: string }> = [];
    const num = configIntegerReader((k) => req.config.get(k), configProblems);
    setProviderSettings<ProviderSettings>("cerby", {
      config: (key) => req.config.get(key),
      timeoutMs: num(SETTINGS.httpTimeoutMs),
      retries: num(SETTINGS.httpRetries),
      operationTimeoutSeconds: num(SETTINGS.operationTimeoutSeconds),
      configProblems,
    });
  },

  async check(_olds: unknown, news: unknown): Promise<pulumi.dynamic.CheckResult<CerbyUniversalLogoutInputs>> {
    return cerbyStep("check the Cerby resource's inputs", async () => {
      const { inputs, failures } = checkCerbyInputs(news as Record<string, unknown>);
      failures.push(...(providerSettings<ProviderSettings>("cerby").configProblems ?? []));
      // An invalid mode or key name is already a failure above: only a valid mode that calls Cerby needs a key.
      const badKeyName = failures.some((f) => f.property === "apiKeyConfig" || f.property === "apiKeyEnv");
      if (isCerbyMode(inputs.mode) && cerbyModeCallsCerby(inputs.mode) && !badKeyName && !cerbyApiKey(inputs)) {
        failures.push({
          property: inputs.apiKeyConfig ? "apiKeyConfig" : inputs.apiKeyEnv ? "apiKeyEnv" : "apiKey",
          reason:
            `no Cerby API key for ${cerbyBaseUrl(inputs)}: run ${apiKeyHowTo(inputs)}, with a key of a workspace ` +
            "Owner, Super Admin or Admin — or use manual mode (cerby:mode manual)",
        });
      }
      // A label lookup's pick is read in Okta before the write: that needs Okta credentials (okta:* or OKTA_*).
      if (inputs.labelledApp && inputs.enabled && isCerbyMode(inputs.mode) && cerbyModeCallsCerby(inputs.mode)) {
        try {
          oktaCredentialsForConfirm();
        } catch (e) {
          // By name: a copy of the config module loaded elsewhere in the process throws its own class.
          if ((e as Error).name !== OktaConfigError.name) throw e;
          failures.push({ property: "labelledApp", reason: (e as Error).message });
        }
      }
      return { inputs, failures };
    });
  },

  async diff(_id: string, olds: Partial<CerbyUniversalLogoutState>, news: CerbyUniversalLogoutInputs) {
    const replaces = (["workspace", "baseUrl"] as const).filter(
      (k) => (olds[k] ?? undefined) !== (news[k] ?? undefined),
    );
    // State written by earlier versions may lack a field: compare against the same defaults check applies.
    const oldNorm = checkCerbyInputs(olds as Record<string, unknown>).inputs;
    // A new key name is an update in place: converge checks and writes the same setting with the new key.
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

  async create(inputs: CerbyUniversalLogoutInputs) {
    return cerbyStep("set Universal Logout in Cerby (create)", () => converging.create(inputs));
  },

  async update(id: string, olds: CerbyUniversalLogoutState, news: CerbyUniversalLogoutInputs) {
    return cerbyStep("set Universal Logout in Cerby (update)", () => converging.update(id, olds, news));
  },

  /** Refresh (with state) or `get`/import (the id alone: see cerbyReadInputs for what an import assumes). */
  async read(id: string, props?: CerbyUniversalLogoutState) {
    return cerbyStep("read the Cerby setting", async () => {
      if (cerbyHasState(props) && !callsCerby(props)) return { id, props };
      const inputs = cerbyReadInputs(id, props);
      const read = await readCerby(cerbyClient(inputs), inputs, cerbyHasState(props) ? props : undefined);
      // The SDK declares ReadResult.inputs with the Outputs type, but they are inputs: the plugin stores them as the
      // resource's inputs, which the next diff compares against the program's.
      return { id, props: read.props, inputs: read.inputs as unknown as CerbyUniversalLogoutState };
    });
  },

  async delete(_id: string, props: CerbyUniversalLogoutState): Promise<void> {
    return cerbyStep("turn off Universal Logout in Cerby (delete)", async () => {
      if (!callsCerby(props)) {
        logInfo(
          `Cerby (manual mode): Pulumi made no call. To turn it off, switch off "Enable Okta Universal Logout" in ${props.url}.`,
        );
        return;
      }
      await disableCerby(cerbyClient(props));
    });
  },
} satisfies pulumi.dynamic.ResourceProvider<CerbyUniversalLogoutInputs, CerbyUniversalLogoutState>);

/** Args of the Cerby side, as a user writes them: the inputs (documented there), each optional but the ID. */
export type CerbyUniversalLogoutArgs = ArgsOf<CerbyUniversalLogoutInputs, "appInstanceId">;

/** The Cerby workspace's Okta Universal Logout setting, as a Pulumi resource. */
export class CerbyUniversalLogout extends pulumi.CustomResource {
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly appInstanceId: pulumi.Output<string | null>;
  declare readonly url: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<CerbyMode>;
  declare readonly idpType: pulumi.Output<string | null | undefined>;
  declare readonly scimEnabled: pulumi.Output<boolean | null | undefined>;
  declare readonly warnings: pulumi.Output<string[]>;

  constructor(name: string, args: CerbyUniversalLogoutArgs, opts?: pulumi.CustomResourceOptions) {
    // A reference that loads the provider at run time (../provider-ref): state holds a few hundred bytes, not the code.
    super(
      dynamicType("cerby", "UniversalLogout"),
      name,
      withProviderRef("cerby", {
        // Named here so they are outputs even when not given (check applies the defaults; `get` gives none).
        enabled: undefined,
        mode: undefined,
        ...args,
        appInstanceId: args.appInstanceId,
        url: undefined,
        idpType: undefined,
        scimEnabled: undefined,
        updatedAt: undefined,
        warnings: undefined,
      }),
      opts,
    );
  }

  /**
   * The setting of an existing workspace, read by its id (`<workspace URL>#okta-universal-logout`, as `pulumi up`
   * records it), without managing it: Pulumi never writes it or switches it off. The settings path is the default
   * unless given here; the mode is "api" (a manual-mode setting has nothing to read).
   */
  static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    state?: { settingsPath?: pulumi.Input<string> },
    opts?: pulumi.CustomResourceOptions,
  ): CerbyUniversalLogout {
    // With `id` set Pulumi reads instead of registering; the provider's read needs only the id (and settingsPath).
    return new CerbyUniversalLogout(name, { ...state } as CerbyUniversalLogoutArgs, { ...opts, id });
  }
}
