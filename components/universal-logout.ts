/**
 * The component users instantiate: one binding of a Cerby workspace to the Okta app of Cerby. It resolves the
 * App instance ID, turns on Universal Logout in Cerby first, then declares the Okta app's logout setting after it.
 */
import * as pulumi from "@pulumi/pulumi";
import { CerbyUniversalLogout, CerbyUniversalLogoutArgs } from "./cerby/provider";
import { OktaUniversalLogout } from "./okta/provider";
import { oktaUniversalLogoutStatus, statusProblem } from "./okta/converge";
import { OktaClient, oktaHttpSettings } from "./okta/client";
import { UserError } from "./http";
import { asRunError, toRunError } from "./run-error";
import { oktaCredentials, OktaCredentials } from "./okta/config";
import { OktaMode, cerbyModeCallsCerby, isCerbyMode, isOktaMode, oktaModeOnlyReports } from "./modes";
import { DEFAULT_APP_LABEL, oktaAdminUrl, resolveCerbyAppShared } from "./okta/resolve";
import { OktaApplication } from "./okta/client";
import { runStep } from "./lifecycle";
import { SETTINGS, configInteger } from "./settings-table";

/** The component's type token, in every language (the schema's, read from the `super` call by schema/generate.ts). */
export const UNIVERSAL_LOGOUT_TYPE = "cerby:okta:UniversalLogout";

/** An Okta app, by its id: the App instance ID. */
export interface OktaAppRef {
  /** The Okta app ID (the segment after /instance/ in the app's admin URL). */
  id: pulumi.Input<string>;
}

/**
 * The Cerby side of a binding: which workspace, how Pulumi reaches it, and where its API key is read from.
 */
// The Cerby resource's own args (one definition: ./cerby/provider), less what the component supplies: the App
// instance ID it resolves, `enabled` (a binding turns Universal Logout on) and, for a lookup by label, `labelledApp`.
export interface CerbySideArgs extends Omit<CerbyUniversalLogoutArgs, "appInstanceId" | "enabled" | "labelledApp"> {}

/** The Okta side of a binding: the org, and what Pulumi does about the Cerby app's Universal Logout setting. */
export interface OktaSideArgs {
  /** Root URL of the Okta org, e.g. https://acme.okta.com (see `oktaOrgUrl` for building it from okta:orgName). */
  orgUrl: string;
  /** verify (default): fail unless Okta shows Universal Logout ENABLED. warn: log instead. enforce: turn it on by API
   * (Express Configuration, not in every org). wait: poll until an admin ticks the box in the console. */
  mode?: OktaMode;
  /** wait/enforce: how long to wait for ENABLED (default 600 s). */
  waitTimeoutSeconds?: number;
  /** wait: seconds between reads (default 10). */
  pollIntervalSeconds?: number;
  /** Fail instead of warning when the Okta app does not provision users to Cerby (USER_PROVISIONING not ENABLED). */
  requireProvisioning?: boolean;
}

export interface CerbyOktaUniversalLogoutArgs {
  cerby: CerbySideArgs;
  okta: OktaSideArgs;
  /** The App instance ID (Okta app ID of the Cerby app), when you know it. */
  appInstanceId?: pulumi.Input<string>;
  /**
   * The Okta app of Cerby when the same program manages it (an app resource of Pulumi's Okta provider, e.g.
   * okta.app.Saml, or any object with its `id`); its `id` is the App instance ID.
   */
  app?: OktaAppRef;
  /** Look the app up by label in Okta (default "Cerby") when neither appInstanceId nor app is given. */
  appLabel?: string;
  /** Keep Universal Logout on in Cerby when this binding is destroyed (Pulumi's retainOnDelete on the Cerby child). */
  retainOnDelete?: boolean;
  /** Credentials for the label lookup; default: the okta:* stack config and OKTA_* environment, read at run time. */
  oktaCredentials?: () => OktaCredentials;
}

/** Okta Universal Logout for Cerby, on both sides, as one resource. */
export class CerbyOktaUniversalLogout extends pulumi.ComponentResource {
  /** The App instance ID bound on both sides: the Okta app ID of the Cerby app (given, from `app`, or looked up). */
  readonly appInstanceId: pulumi.Output<string>;
  /** Whether "Enable Okta Universal Logout" is on in the Cerby workspace (as recorded, in `manual` mode). */
  readonly cerbyEnabled: pulumi.Output<boolean>;
  /**
   * Universal Logout on the Okta app as Okta reports it: ENABLED, DISABLED, UNSUPPORTED, NOT_REPORTED (the org has no
   * Identity Threat Protection, so Okta reports nothing) or UNKNOWN (a value this module does not know).
   */
  readonly oktaUniversalLogoutStatus: pulumi.Output<string>;
  /** The Okta admin console page of the Cerby app, where an admin ticks Universal Logout by hand. */
  readonly oktaAdminUrl: pulumi.Output<string>;
  /** One line for people: both sides' state and the App instance ID. */
  readonly summary: pulumi.Output<string>;
  /** Non-fatal findings of both sides (provisioning off, Okta status in `warn` mode, …); empty when all is well. */
  readonly warnings: pulumi.Output<string[]>;
  /** The Cerby side: the workspace's Universal Logout setting (child `<name>-cerby`). */
  readonly cerby: CerbyUniversalLogout;
  /** The Okta side: the Cerby app's Universal Logout setting (child `<name>-okta`, after the Cerby side). */
  readonly okta: OktaUniversalLogout;

  constructor(name: string, args: CerbyOktaUniversalLogoutArgs, opts?: pulumi.ComponentResourceOptions) {
    super(UNIVERSAL_LOGOUT_TYPE, name, {}, opts);
    const app = resolveApp(args);
    this.appInstanceId = app.apply((a) => a.id);

    this.cerby = new CerbyUniversalLogout(
      `${name}-cerby`,
      definedOnly({
        workspace: args.cerby.workspace,
        baseUrl: args.cerby.baseUrl,
        settingsPath: args.cerby.settingsPath,
        mode: args.cerby.mode,
        requireScimProvisioning: args.cerby.requireScimProvisioning,
        apiKeyConfig: args.cerby.apiKeyConfig,
        apiKeyEnv: args.cerby.apiKeyEnv,
        appInstanceId: this.appInstanceId,
        // Found by its label: the Cerby provider reads the app by its ID in Okta right before it writes it.
        labelledApp: byLabel(args) ? { orgUrl: args.okta.orgUrl, label: appLabelOf(args) } : undefined,
      }),
      { parent: this, retainOnDelete: args.retainOnDelete },
    );
    // Cerby first: Okta starts sending logouts the moment its box is ticked, and Cerby must accept them by then.
    this.okta = new OktaUniversalLogout(
      `${name}-okta`,
      definedOnly({
        orgUrl: args.okta.orgUrl,
        appInstanceId: this.appInstanceId,
        mode: args.okta.mode,
        waitTimeoutSeconds: args.okta.waitTimeoutSeconds,
        pollIntervalSeconds: args.okta.pollIntervalSeconds,
        requireProvisioning: args.okta.requireProvisioning,
        // What the program just read: the provider uses it instead of reading the app again in this run.
        observedApp: app,
      }),
      { parent: this, dependsOn: [this.cerby] },
    );

    this.cerbyEnabled = this.cerby.enabled;
    this.oktaUniversalLogoutStatus = this.okta.status;
    this.oktaAdminUrl = this.okta.adminUrl;
    // Providers run in a plugin whose logs the CLI does not show; surface their warnings here, where it does.
    this.warnings = pulumi.all([this.cerby.warnings, this.okta.warnings]).apply(([c, o]) => {
      const ws = [...(c ?? []), ...(o ?? [])];
      for (const w of ws) void pulumi.log.warn(w, this);
      return ws;
    });
    this.summary = pulumi
      .all([
        this.cerby.url,
        this.cerby.enabled,
        this.cerby.mode,
        this.appInstanceId,
        this.okta.appLabel,
        this.okta.status,
      ])
      .apply(([url, enabled, mode, id, label, status]) =>
        summarize({
          cerbyUrl: url,
          cerbyEnabled: enabled,
          cerbyMode: mode,
          appInstanceId: id,
          oktaLabel: label,
          oktaStatus: status,
        }),
      );
    // Done registering. The outputs are this object's fields (and, from another language, what `construct` returns):
    // registered here as well they would be stored in state a second time, beside the stack's exports (issue 21).
    this.registerOutputs();
  }
}

/**
 * The entries of `args` that are set: an input left undefined would still become a property, an Output and a
 * dependency entry of the resource (check applies the same defaults either way).
 */
function definedOnly<T extends object>(args: T): T {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as T;
}

/** The one-line summary exported per binding. */
export function summarize(s: {
  cerbyUrl: string;
  cerbyEnabled: boolean;
  cerbyMode: string;
  appInstanceId: string;
  oktaLabel?: string;
  oktaStatus?: string;
}): string {
  const recordedOnly = isCerbyMode(s.cerbyMode) && !cerbyModeCallsCerby(s.cerbyMode);
  const cerby = recordedOnly ? `recorded (${s.cerbyMode} mode)` : s.cerbyEnabled ? "enabled" : "NOT enabled";
  const okta = s.oktaStatus === "ENABLED" ? "logout on" : `Universal Logout ${s.oktaStatus ?? "unknown"}`;
  return `Cerby ${s.cerbyUrl}: Okta Universal Logout ${cerby} for App instance ID ${s.appInstanceId}; Okta app "${s.oktaLabel ?? "?"}": ${okta}`;
}

/** Whether the App instance ID is looked up by the app's label (neither given nor from an app resource). */
function byLabel(args: CerbyOktaUniversalLogoutArgs): boolean {
  return args.appInstanceId === undefined && args.app === undefined;
}

function appLabelOf(args: Pick<CerbyOktaUniversalLogoutArgs, "appLabel">): string {
  return (args.appLabel ?? DEFAULT_APP_LABEL).trim();
}

/** Exactly one way to get the App instance ID: given, from an Okta app resource, or looked up by label. */
export function resolveAppInstanceId(args: CerbyOktaUniversalLogoutArgs): pulumi.Output<string> {
  return resolveApp(args).apply((a) => a.id);
}

/** The Cerby app as Okta shows it now, found the one way args name it (see resolveAppInstanceId). */
export function resolveApp(args: CerbyOktaUniversalLogoutArgs): pulumi.Output<OktaApplication> {
  const ways = [args.appInstanceId, args.app, args.appLabel].filter((x) => x !== undefined);
  if (ways.length > 1) {
    throw new pulumi.ResourceError(
      "Give only one of appInstanceId, app and appLabel: they are three ways to name the same Okta app.",
      undefined,
    );
  }
  const readCredentials = args.oktaCredentials ?? (() => oktaCredentials(readStackConfig, process.env, args.okta.mode));
  // Read now: unusable Okta credentials are a config problem, reported once and before any resource is registered.
  const creds = asRunError(readCredentials);
  const known = args.appInstanceId ?? args.app?.id;
  // An app resource's id is unknown during the preview of its creation: then there is nothing to confirm yet.
  // A UserError becomes Pulumi's RunError, which the engine prints as the message alone.
  // Each lookup is a step with its deadline (cerby:oktaOperationTimeoutSeconds), stopped by Ctrl-C (../lifecycle).
  const confirmed = (given: string | undefined) =>
    runStep(
      {
        side: "Okta",
        doing: `look up the Cerby app ${given ?? `labelled "${appLabelOf(args)}"`} in ${args.okta.orgUrl}`,
        timeoutSeconds:
          configInteger(SETTINGS.oktaOperationTimeoutSeconds, readStackConfig).value ??
          SETTINGS.oktaOperationTimeoutSeconds.default,
        timeoutSetting: SETTINGS.oktaOperationTimeoutSeconds.key,
      },
      () => confirmCerbyApp(args, creds, given),
    ).catch((e: unknown) => {
      throw toRunError(e);
    });
  return known !== undefined ? pulumi.output(known).apply(confirmed) : pulumi.output(confirmed(undefined));
}

/**
 * The program's read of the Cerby app, the one way `args` names it (`given`: the App instance ID, else the label).
 * Every way ends with one read of the app in Okta, here in the program: a wrong ID, an INACTIVE or UNSUPPORTED app, or
 * unusable Okta credentials then fail before anything is written to Cerby. Lookups of one run share one walk of the
 * org's apps (resolveCerbyAppShared). Throws UserErrors for everything a user or Okta can cause.
 */
export async function confirmCerbyApp(
  args: Pick<CerbyOktaUniversalLogoutArgs, "okta" | "appLabel">,
  credentials: OktaCredentials,
  given: string | undefined,
): Promise<OktaApplication> {
  const client = new OktaClient({ orgUrl: args.okta.orgUrl, credentials, ...oktaHttpSettings(readStackConfig) });
  const app = await resolveCerbyAppShared(
    client,
    given !== undefined ? { appInstanceId: given } : { label: appLabelOf(args) },
  );
  // An app that can never do Universal Logout fails here (warn mode only reports it, from the Okta resource).
  const onlyReports = isOktaMode(args.okta.mode) && oktaModeOnlyReports(args.okta.mode);
  if (!onlyReports && oktaUniversalLogoutStatus(app) === "UNSUPPORTED") {
    throw new UserError(statusProblem(app, "UNSUPPORTED", oktaAdminUrl(client.orgUrl, app.name, app.id)));
  }
  return app;
}

/** `okta:apiToken` → the stack config value (secrets included: this runs in the program, never serialized). */
export function readStackConfig(key: string): string | undefined {
  const [ns, name] = key.includes(":") ? key.split(":", 2) : [undefined, key];
  // runtime.getConfig reads the decrypted value without the "use getSecret" warning; it is never exported.
  return pulumi.runtime.getConfig(ns ? `${ns}:${name}` : `cerby:${name}`);
}
