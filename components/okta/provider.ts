/**
 * Dynamic provider for the Okta side: the Cerby app's "Okta system or admin initiates logout" (Universal Logout).
 * Okta exposes that setting read-only, so by mode the resource verifies it, warns about it, turns it on by Express
 * Configuration where the org allows (enforce), or waits for an admin to tick it (wait). Methods stay short:
 * validation lives in ./inputs and ./config, HTTP and parsing in ./client. Credentials are read at run time
 * (`configure` or OKTA_* variables) and are never part of the serialized provider, inputs or outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerSettings, setProviderSettings } from "../settings";
import { DynamicResource } from "../provider-ref";
import { UserError, VendorError, sleep } from "../http";
import { logInfo, logWarn } from "../log";
import { OktaApplication, OktaClient, ProvisioningStatus, oktaHttpSettingsFromEnv } from "./client";
import { OktaCredentials, OktaMode, importOktaPrivateKey, oktaCredentialKeys, oktaCredentials } from "./config";
import { isMissingScope } from "./errors";
import { OktaUniversalLogoutInputs, checkOktaInputs } from "./inputs";
import { oktaAdminUrl, resolveCerbyApp } from "./resolve";
import { isOktaMode, oktaModeOnlyReports } from "../modes";
import { assertNever } from "../shared";

/**
 * NOT_REPORTED: the app has no `universalLogout` (absent or null) — Okta returns it only in orgs with Identity Threat
 * Protection, so the org cannot report the setting; it is not "off". UNKNOWN: a value this module does not know.
 */
export type OktaUniversalLogoutStatus = "ENABLED" | "DISABLED" | "UNSUPPORTED" | "NOT_REPORTED" | "UNKNOWN";

/** Inputs plus what was read from Okta; `status` and `provisioning` hold the live values after create/read. */
export interface OktaUniversalLogoutState extends OktaUniversalLogoutInputs {
  status: OktaUniversalLogoutStatus;
  appName: string;
  appLabel: string;
  adminUrl: string;
  provisioning: ProvisioningStatus;
  warnings: string[];
}

interface ProviderSettings {
  /** The okta:* credential keys from stack config (secrets unwrapped by the plugin); never serialized. */
  config?: Record<string, string | undefined>;
}

type ConfigureRequest = { config: { get(key: string): string | undefined } };

/** Longest Express Configuration follow-up: reads of the app, 1 s apart, until it shows ENABLED. */
const ENFORCE_READS = 10;

export function oktaUniversalLogoutStatus(app: OktaApplication): OktaUniversalLogoutStatus {
  if (!app.universalLogout) return "NOT_REPORTED";
  const s = app.universalLogout.status;
  return s === "ENABLED" || s === "DISABLED" || s === "UNSUPPORTED" ? s : "UNKNOWN";
}

/** The console procedure, in the Admin Console's words. */
export function oktaConsoleSteps(label: string, adminUrl: string, turnOn = true): string {
  return (
    `Okta Admin Console → Applications → ${label} → Authentication tab → Logout → Edit → ` +
    `${turnOn ? "tick" : "untick"} 'Okta system or admin initiates logout' → Save (${adminUrl}).`
  );
}

/** Why the app is not ENABLED, and what to do about it. */
export function statusProblem(
  app: OktaApplication,
  status: OktaUniversalLogoutStatus,
  adminUrl: string,
  mode?: OktaMode,
): string {
  // In warn mode the message is the warning itself: advising warn mode there would be noise.
  const orWarn = (text: string) => (isOktaMode(mode) && oktaModeOnlyReports(mode) ? "" : ` ${text}`);
  const which = `the Cerby app "${app.label}" (${app.id})`;
  switch (status) {
    case "DISABLED":
      return `Okta: Universal Logout is off for ${which}. Turn it on: ${oktaConsoleSteps(app.label, adminUrl)}`;
    case "UNSUPPORTED":
      return (
        `Okta reports Universal Logout UNSUPPORTED for ${which}: this app cannot do Universal Logout. Check that ` +
        `appInstanceId is the Cerby app from the Okta Integration Network, not a custom app (${adminUrl}).`
      );
    case "NOT_REPORTED":
      return (
        `Okta: this org cannot report Universal Logout for ${which}: the app has no universalLogout status (Okta ` +
        "returns it only in orgs with Identity Threat Protection), so Pulumi can neither verify, enforce nor wait " +
        "for it. Check that the org has Okta Identity Threat Protection (Universal Logout needs it), then check the " +
        `setting by hand: ${oktaConsoleSteps(app.label, adminUrl)}${orWarn("Use cerby:oktaMode warn to proceed without the check.")}`
      );
    default:
      return (
        `Okta reported a Universal Logout status this module does not know for ${which}` +
        `${app.universalLogout ? ` (${JSON.stringify(app.universalLogout.status)})` : ""}, so it cannot be verified. ` +
        `Check the setting in the console: ${oktaConsoleSteps(app.label, adminUrl)}${orWarn("Use cerby:oktaMode warn to proceed.")}`
      );
  }
}

export const oktaUniversalLogoutProvider = {
  async configure(req: ConfigureRequest): Promise<void> {
    const config: Record<string, string | undefined> = {};
    for (const { key } of Object.values(oktaCredentialKeys())) config[key] = req.config.get(key);
    setProviderSettings<ProviderSettings>("okta", { config });
  },

  /** Stack config first, then OKTA_* variables. Throws OktaConfigError naming the key. */
  credentials(mode: OktaMode): OktaCredentials {
    const config = providerSettings<ProviderSettings>("okta").config ?? {};
    return oktaCredentials((k) => config[k], process.env, mode);
  },

  client(inputs: OktaUniversalLogoutInputs): OktaClient {
    return new OktaClient({
      orgUrl: inputs.orgUrl,
      credentials: this.credentials(inputs.mode),
      ...oktaHttpSettingsFromEnv(),
    });
  },

  async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkOktaInputs(news);
    try {
      const c = this.credentials(inputs.mode);
      // Parse the key now, offline, so a bad key fails the preview instead of the first token request.
      if (c.kind === "oauth") importOktaPrivateKey(c.privateKey, c.privateKeyId);
    } catch (e) {
      if ((e as Error).name !== "OktaConfigError") throw e;
      failures.push({ property: "credentials", reason: (e as Error).message });
    }
    return { inputs, failures };
  },

  async diff(
    _id: string,
    olds: Partial<OktaUniversalLogoutState>,
    news: OktaUniversalLogoutInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // State written by earlier versions may lack a field: compare against the same defaults check applies.
    const oldNorm = checkOktaInputs(olds as Record<string, unknown>).inputs;
    const changed = (
      ["orgUrl", "appInstanceId", "mode", "requireProvisioning", "waitTimeoutSeconds", "pollIntervalSeconds"] as const
    ).filter((k) => oldNorm[k] !== news[k]);
    // Drift: someone unticked the box. Every mode but warn then runs converge, which repairs, waits or fails.
    const drift = !oktaModeOnlyReports(news.mode) && olds.status !== "ENABLED";
    return { changes: changed.length > 0 || drift, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs: OktaUniversalLogoutInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await this.converge(inputs);
    return { id: `${inputs.orgUrl}/api/v1/apps/${inputs.appInstanceId}#universal-logout`, outs };
  },

  async update(
    _id: string,
    _olds: OktaUniversalLogoutState,
    news: OktaUniversalLogoutInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: await this.converge(news) };
  },

  /**
   * Read the app (unless the program read it in this run: `observedApp`), check the preconditions, then verify / warn /
   * enforce / wait by mode. Safe to repeat.
   */
  async converge(given: OktaUniversalLogoutInputs): Promise<OktaUniversalLogoutState> {
    const { observedApp, ...inputs } = given;
    const client = this.client(inputs);
    const seen = observedApp && observedApp.id === inputs.appInstanceId && observedApp.status === "ACTIVE";
    let app = seen ? observedApp : await resolveCerbyApp(client, { appInstanceId: inputs.appInstanceId });
    const adminUrl = oktaAdminUrl(inputs.orgUrl, app.name, app.id);
    const warnings: string[] = [];
    const warn = (msg: string) => {
      warnings.push(msg);
      logWarn(msg);
    };

    const provisioning = await client.provisioningOf(app);
    if (provisioning !== "ENABLED") {
      const msg =
        `Okta: the Cerby app "${app.label}" (${app.id}) does not provision users to Cerby (provisioning ` +
        `${provisioning === "NOT_SET_UP" ? "is not set up" : "is DISABLED"}); Universal Logout only reaches users ` +
        `Cerby knows from Okta. Admin Console → Applications → ${app.label} → Provisioning → Configure API ` +
        "Integration → Enable API integration (SCIM token from Cerby's IDP Settings → Directory Sync) → To App: " +
        `enable Create Users, Update User Attributes, Deactivate Users (${adminUrl}).`;
      if (inputs.requireProvisioning)
        throw new UserError(`${msg} Stopped before any change (requireProvisioning is set).`);
      warn(msg);
    }

    let status = oktaUniversalLogoutStatus(app);
    if (status !== "ENABLED") {
      switch (inputs.mode) {
        case "verify":
          throw new UserError(statusProblem(app, status, adminUrl));
        case "warn":
          warn(statusProblem(app, status, adminUrl, "warn"));
          break;
        case "enforce":
          app = await this.enforce(client, app, status, adminUrl, inputs.waitTimeoutSeconds);
          break;
        case "wait":
          app = await this.waitForAdmin(client, app, adminUrl, inputs);
          break;
        default:
          // A new mode must say here what it does when Okta does not show ENABLED.
          assertNever(inputs.mode, "Okta mode");
      }
      status = oktaUniversalLogoutStatus(app);
    }
    return { ...inputs, status, appName: app.name, appLabel: app.label, adminUrl, provisioning, warnings };
  },

  /** Express Configuration, then re-read until Okta shows ENABLED (it may apply asynchronously). */
  async enforce(
    client: OktaClient,
    app: OktaApplication,
    status: OktaUniversalLogoutStatus,
    adminUrl: string,
    waitTimeoutSeconds: number,
  ): Promise<OktaApplication> {
    // Nothing could confirm the result where Okta does not report the status: refuse before any write.
    if (status === "UNSUPPORTED" || status === "NOT_REPORTED")
      throw new UserError(statusProblem(app, status, adminUrl));
    try {
      await client.expressConfigureUniversalLogout(app.id);
    } catch (e) {
      if (!(e instanceof VendorError) || ![403, 404, 405].includes(e.status ?? 0) || isMissingScope(e)) throw e;
      throw new UserError(
        `Okta: could not turn on Universal Logout for the Cerby app "${app.label}" (${app.id}) by API (HTTP ` +
          `${e.status}). This is expected for Cerby: Express Configuration exists only in Okta's in-development API, ` +
          "and only for OIN apps built on Auth0 after an admin consents in the console; Cerby's own procedure is the " +
          "console checkbox. (Otherwise the token's admin lacks the Super Administrator / Application Administrator " +
          `role.) Turn it on in the console: ${oktaConsoleSteps(app.label, adminUrl)} Then use cerby:oktaMode verify ` +
          `(or wait, to let a person tick it during the run) — the expected modes for Cerby. Okta said: ${e.message}`,
      );
    }
    const deadline = Date.now() + waitTimeoutSeconds * 1000;
    let current = app;
    for (let read = 1; read <= ENFORCE_READS; read++) {
      current = await client.getApp(app.id);
      const now = oktaUniversalLogoutStatus(current);
      if (now === "ENABLED") return current;
      if (read === ENFORCE_READS || Date.now() + 1000 > deadline) {
        throw new UserError(
          `Okta accepted Express Configuration of Universal Logout for "${app.label}" (${app.id}) but still reports ` +
            `${now} after ${read} reads. Check it in the console: ${oktaConsoleSteps(app.label, adminUrl)} ` +
            "Rerunning is safe.",
        );
      }
      await sleep(1000);
    }
    return current;
  },

  /** Poll until an admin ticks the box in the console, or the timeout. */
  async waitForAdmin(
    client: OktaClient,
    app: OktaApplication,
    adminUrl: string,
    inputs: OktaUniversalLogoutInputs,
  ): Promise<OktaApplication> {
    const deadline = Date.now() + inputs.waitTimeoutSeconds * 1000;
    let current = app;
    for (;;) {
      const status = oktaUniversalLogoutStatus(current);
      if (status === "ENABLED") return current;
      // Waiting cannot help when the app can never do it, or the org can never report it.
      if (status === "UNSUPPORTED" || status === "NOT_REPORTED") {
        throw new UserError(statusProblem(current, status, adminUrl));
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new UserError(
          `Okta: Universal Logout is still ${status} for the Cerby app "${app.label}" (${app.id}) after waiting ` +
            `${inputs.waitTimeoutSeconds} s. ${oktaConsoleSteps(app.label, adminUrl)} Then rerun \`pulumi up\`.`,
        );
      }
      logInfo(
        `Okta: waiting for an admin to turn on Universal Logout for "${app.label}" (now ${status}, ` +
          `${Math.ceil(left / 1000)} s left, next check in ${inputs.pollIntervalSeconds} s): ${oktaConsoleSteps(app.label, adminUrl)}`,
      );
      await sleep(Math.min(inputs.pollIntervalSeconds * 1000, left));
      current = await client.getApp(app.id);
    }
  },

  async read(id: string, props: OktaUniversalLogoutState): Promise<pulumi.dynamic.ReadResult> {
    // Refresh reads live: an observedApp in state is what an earlier run saw, never used here.
    const { observedApp: _ignored, ...inputs } = checkOktaInputs(props as unknown as Record<string, unknown>).inputs;
    const client = this.client(inputs);
    const app = await client.getApp(inputs.appInstanceId);
    // Live values; returning inputs too makes `preview --refresh` diff against what Okta shows now.
    const next: OktaUniversalLogoutState = {
      ...props,
      status: oktaUniversalLogoutStatus(app),
      appName: app.name,
      appLabel: app.label,
      adminUrl: oktaAdminUrl(inputs.orgUrl, app.name, app.id),
      provisioning: await client.provisioningOf(app),
    };
    return { id, props: next, inputs };
  },

  /** No Okta call: there is no API to turn Universal Logout off. Says what the admin must do instead. */
  async delete(_id: string, props: OktaUniversalLogoutState): Promise<void> {
    const label = props.appLabel ?? "Cerby";
    const url = props.adminUrl ?? `${props.orgUrl} (app ${props.appInstanceId})`;
    logInfo(
      `Okta: Pulumi made no call (Okta has no API to turn Universal Logout off); Okta keeps sending logouts to Cerby ` +
        `until an admin turns it off: ${oktaConsoleSteps(label, url, false)}`,
    );
  },
};

/** Args of the Okta side, as a user writes them. */
export interface OktaUniversalLogoutArgs {
  /** Root URL of the Okta org, e.g. https://acme.okta.com (see oktaOrgUrl for okta:orgName / okta:baseUrl). */
  orgUrl: pulumi.Input<string>;
  /** The Okta app ID of the Cerby app (Cerby's "App instance ID"). */
  appInstanceId: pulumi.Input<string>;
  /** verify (default): fail unless Universal Logout is ENABLED. warn: report only. enforce: turn it on by Express
   * Configuration where the org allows. wait: poll until an admin turns it on in the console. */
  mode?: pulumi.Input<OktaMode>;
  /** wait/enforce: longest wait for ENABLED, 1–3600 s (default 600). */
  waitTimeoutSeconds?: pulumi.Input<number>;
  /** wait: seconds between reads, 1–300 (default 10). */
  pollIntervalSeconds?: pulumi.Input<number>;
  /** Fail instead of warning when the app does not provision users to Cerby. */
  requireProvisioning?: pulumi.Input<boolean>;
  /** The app as the program just read it (the component passes it): spares the provider a read of the app. */
  observedApp?: pulumi.Input<OktaApplication>;
}

/** The Okta Cerby app's Universal Logout setting, as a Pulumi resource. */
export class OktaUniversalLogout extends DynamicResource {
  declare readonly status: pulumi.Output<OktaUniversalLogoutStatus>;
  declare readonly appName: pulumi.Output<string>;
  declare readonly appLabel: pulumi.Output<string>;
  declare readonly adminUrl: pulumi.Output<string>;
  declare readonly provisioning: pulumi.Output<ProvisioningStatus>;
  declare readonly warnings: pulumi.Output<string[]>;

  constructor(name: string, args: OktaUniversalLogoutArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // A reference that loads oktaUniversalLogoutProvider at run time: state holds ~1 kB, not the implementation.
      { file: __filename, rel: "components/okta/provider", exportName: "oktaUniversalLogoutProvider" },
      name,
      {
        ...args,
        status: undefined,
        appName: undefined,
        appLabel: undefined,
        adminUrl: undefined,
        provisioning: undefined,
        warnings: undefined,
      },
      opts,
      "okta",
      "UniversalLogout",
    );
  }
}
