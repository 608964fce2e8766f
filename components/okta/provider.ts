/**
 * Dynamic provider for the Okta side: the Cerby app's "Okta system or admin initiates logout" (Universal Logout).
 * Okta exposes that setting read-only, so by mode the resource verifies it, warns about it, turns it on by Express
 * Configuration where the org allows (enforce), or waits for an admin to tick it (wait). Methods stay short:
 * validation lives in ./inputs and ./config, HTTP and parsing in ./client. Credentials are read at run time
 * (`configure` or OKTA_* variables) and are never part of the serialized provider, inputs or outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerSettings, setProviderSettings } from "../settings";
import { dynamicType, withProviderRef } from "../provider-ref";
import { userErrorsPrintedOnce } from "../run-error";
import { type ArgsOf, convergingCreateUpdate } from "../shared";
import { oktaModeOnlyReports } from "../modes";
import { logInfo } from "../log";
import { runStep } from "../lifecycle";
import { SETTINGS, configIntegerReader } from "../settings-table";
import { OktaClient, ProvisioningStatus, oktaHttpSettings } from "./client";
import { OktaCredentials, importOktaPrivateKey, oktaCredentialKeys, oktaCredentials } from "./config";
import type { OktaMode } from "../modes";
import { OktaUniversalLogoutInputs, checkOktaInputs } from "./inputs";
import type { OktaUniversalLogoutState, OktaUniversalLogoutStatus } from "./state";
import {
  convergeOkta,
  oktaConsoleSteps,
  oktaHasState,
  oktaReadInputs,
  oktaUniversalLogoutId,
  readOkta,
} from "./converge";

export type { OktaUniversalLogoutState, OktaUniversalLogoutStatus };

interface ProviderSettings {
  /**
   * The okta:* credential keys and cerby:oktaHttpTimeoutMs / cerby:oktaHttpRetries from stack config (secrets
   * unwrapped by the plugin); never serialized.
   */
  config?: Record<string, string | undefined>;
  /** cerby:oktaOperationTimeoutSeconds. */
  operationTimeoutSeconds?: number;
  configProblems?: Array<{ property: string; reason: string }>;
}

type ConfigureRequest = { config: { get(key: string): string | undefined } };

/** Stack config first, then OKTA_* variables. Throws OktaConfigError naming the key. */
function oktaProviderCredentials(mode: OktaMode): OktaCredentials {
  const config = providerSettings<ProviderSettings>("okta").config ?? {};
  return oktaCredentials((k) => config[k], process.env, mode);
}

function oktaClient(inputs: OktaUniversalLogoutInputs): OktaClient {
  const config = providerSettings<ProviderSettings>("okta").config ?? {};
  return new OktaClient({
    orgUrl: inputs.orgUrl,
    credentials: oktaProviderCredentials(inputs.mode),
    ...oktaHttpSettings((k) => config[k]),
  });
}

/**
 * One provider method as a step (../lifecycle): it ends at its deadline, on Ctrl-C or when the engine is gone, and
 * then says what it did and did not do. In enforce and wait mode the wait for ENABLED is what the user asked for:
 * the deadline is cerby:oktaOperationTimeoutSeconds on top of cerby:oktaWaitTimeoutSeconds.
 */
function oktaStep<T>(doing: string, fn: () => Promise<T>, waitSeconds = 0): Promise<T> {
  const s = SETTINGS.oktaOperationTimeoutSeconds;
  const own = providerSettings<ProviderSettings>("okta").operationTimeoutSeconds ?? s.default;
  return runStep(
    {
      side: "Okta",
      doing,
      timeoutSeconds: own + waitSeconds,
      timeoutSetting: waitSeconds ? `${s.key} + ${SETTINGS.oktaWaitTimeoutSeconds.key}` : s.key,
    },
    fn,
  );
}

/** The wait a mode adds to a create or update step (enforce and wait wait for ENABLED; the others never wait). */
function modeWaitSeconds(inputs: OktaUniversalLogoutInputs): number {
  return inputs.mode === "wait" || inputs.mode === "enforce" ? inputs.waitTimeoutSeconds : 0;
}

const converging = convergingCreateUpdate<OktaUniversalLogoutInputs, OktaUniversalLogoutState>(
  (inputs) => convergeOkta(oktaClient(inputs), inputs),
  oktaUniversalLogoutId,
);

// `satisfies` (at the end): tsc checks this against the SDK interface (`npm run lint` is the type test), keeping the
// methods' own, narrower result types for callers.
export const oktaUniversalLogoutProvider = userErrorsPrintedOnce({
  async configure(req: ConfigureRequest): Promise<void> {
    const config: Record<string, string | undefined> = {};
    const http = [SETTINGS.oktaHttpTimeoutMs, SETTINGS.oktaHttpRetries];
    for (const { key } of [...Object.values(oktaCredentialKeys()), ...http]) config[key] = req.config.get(key);
    // A value that is not a whole number in range is reported by check (naming the key), never silently used.
    const configProblems: Array<{ property: string; reason: string }> = [];
    const num = configIntegerReader((k) => req.config.get(k), configProblems);
    for (const s of http) num(s);
    setProviderSettings<ProviderSettings>("okta", {
      config,
      operationTimeoutSeconds: num(SETTINGS.oktaOperationTimeoutSeconds),
      configProblems,
    });
  },

  async check(_olds: unknown, news: unknown): Promise<pulumi.dynamic.CheckResult<OktaUniversalLogoutInputs>> {
    return oktaStep("check the Okta resource's inputs", async () => {
      const { inputs, failures } = checkOktaInputs(news as Record<string, unknown>);
      failures.push(...(providerSettings<ProviderSettings>("okta").configProblems ?? []));
      try {
        const c = oktaProviderCredentials(inputs.mode);
        // Parse the key now, offline, so a bad key fails the preview instead of the first token request.
        if (c.kind === "oauth") importOktaPrivateKey(c.privateKey, c.privateKeyId);
      } catch (e) {
        if ((e as Error).name !== "OktaConfigError") throw e;
        failures.push({ property: "credentials", reason: (e as Error).message });
      }
      return { inputs, failures };
    });
  },

  async diff(_id: string, olds: Partial<OktaUniversalLogoutState>, news: OktaUniversalLogoutInputs) {
    // State written by earlier versions may lack a field: compare against the same defaults check applies.
    const oldNorm = checkOktaInputs(olds as Record<string, unknown>).inputs;
    const changed = (
      ["orgUrl", "appInstanceId", "mode", "requireProvisioning", "waitTimeoutSeconds", "pollIntervalSeconds"] as const
    ).filter((k) => oldNorm[k] !== news[k]);
    // Drift: Okta showed another status than the mode asks for (someone unticked the box). Every mode but warn (which
    // asks for none) then runs converge, which repairs, waits or fails.
    const drift = !oktaModeOnlyReports(news.mode) && olds.status !== "ENABLED";
    return { changes: changed.length > 0 || drift, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs: OktaUniversalLogoutInputs) {
    const doing = `converge Universal Logout on the Okta app (create, mode ${inputs.mode})`;
    return oktaStep(doing, () => converging.create(inputs), modeWaitSeconds(inputs));
  },

  async update(id: string, olds: OktaUniversalLogoutState, news: OktaUniversalLogoutInputs) {
    const doing = `converge Universal Logout on the Okta app (update, mode ${news.mode})`;
    return oktaStep(doing, () => converging.update(id, olds, news), modeWaitSeconds(news));
  },

  /** Refresh (with state) or `get`/import (the id alone: see oktaReadInputs). Reads live, never `observedApp`. */
  async read(id: string, props?: OktaUniversalLogoutState) {
    return oktaStep("read the Okta app", async () => {
      const inputs = oktaReadInputs(id, props);
      const read = await readOkta(oktaClient(inputs), inputs, oktaHasState(props) ? props : undefined);
      // The SDK declares ReadResult.inputs with the Outputs type, but they are inputs: the plugin stores them as the
      // resource's inputs, which the next diff compares against the program's.
      return { id, props: read.props, inputs: read.inputs as unknown as OktaUniversalLogoutState };
    });
  },

  /** No Okta call: there is no API to turn Universal Logout off. Says what the admin must do instead. */
  async delete(_id: string, props: OktaUniversalLogoutState): Promise<void> {
    return oktaStep("note how to turn Universal Logout off in Okta (delete)", async () => {
      const label = props.appLabel ?? "Cerby";
      const url = props.adminUrl ?? `${props.orgUrl} (app ${props.appInstanceId})`;
      logInfo(
        `Okta: Pulumi made no call (Okta has no API to turn Universal Logout off); Okta keeps sending logouts to Cerby ` +
          `until an admin turns it off: ${oktaConsoleSteps(label, url, false)}`,
      );
    });
  },
} satisfies pulumi.dynamic.ResourceProvider<OktaUniversalLogoutInputs, OktaUniversalLogoutState>);

/** Args of the Okta side, as a user writes them: the inputs (documented there), each optional but the org and ID. */
export type OktaUniversalLogoutArgs = Omit<ArgsOf<OktaUniversalLogoutInputs, "orgUrl" | "appInstanceId">, "status">;

/** The Okta Cerby app's Universal Logout setting, as a Pulumi resource. */
export class OktaUniversalLogout extends pulumi.CustomResource {
  declare readonly status: pulumi.Output<OktaUniversalLogoutStatus>;
  declare readonly appName: pulumi.Output<string>;
  declare readonly appLabel: pulumi.Output<string>;
  declare readonly adminUrl: pulumi.Output<string>;
  declare readonly provisioning: pulumi.Output<ProvisioningStatus>;
  declare readonly warnings: pulumi.Output<string[]>;

  constructor(name: string, args: OktaUniversalLogoutArgs, opts?: pulumi.CustomResourceOptions) {
    // A reference that loads the provider at run time (../provider-ref): state holds a few hundred bytes, not the code.
    super(
      dynamicType("okta", "UniversalLogout"),
      name,
      withProviderRef("okta", {
        ...args,
        status: undefined,
        appName: undefined,
        appLabel: undefined,
        adminUrl: undefined,
        provisioning: undefined,
        warnings: undefined,
      }),
      opts,
    );
  }

  /**
   * The Cerby app's Universal Logout setting, read by its id (`<org URL>/api/v1/apps/<App instance ID>#universal-logout`,
   * as `pulumi up` records it), without managing it.
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): OktaUniversalLogout {
    // With `id` set Pulumi reads instead of registering; the provider's read needs only the id.
    return new OktaUniversalLogout(name, {} as OktaUniversalLogoutArgs, { ...opts, id });
  }
}
