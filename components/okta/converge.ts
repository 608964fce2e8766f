/**
 * The Okta side's orchestration, as plain functions of a client and inputs: verify / warn / enforce / wait by mode,
 * Express Configuration's follow-up reads, the wait for an admin, and the read of the app. The provider's CRUD methods
 * call these; `npm run verify` reuses the read and the status rules. No Pulumi here, no credentials held.
 */
import { UserError, VendorError } from "../http";
import { stepSleep } from "../lifecycle";
import { logInfo, logWarn } from "../log";
import { OktaApplication, OktaClient, ProvisioningStatus } from "./client";
import { OktaMode, isOktaMode, oktaModeOnlyReports } from "../modes";
import { assertNever } from "../shared";
import { isMissingScope } from "./errors";
import { OktaUniversalLogoutInputs, checkOktaInputs, observedApp } from "./inputs";
import { oktaAdminUrl, resolveCerbyApp } from "./resolve";
import type { OktaUniversalLogoutState, OktaUniversalLogoutStatus } from "./state";

export type { OktaUniversalLogoutStatus };

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

/**
 * Read the app (unless the program read it in this run: `observedApp`), check the preconditions, then verify / warn /
 * enforce / wait by mode. Safe to repeat.
 */
export async function convergeOkta(
  client: OktaClient,
  given: OktaUniversalLogoutInputs,
): Promise<OktaUniversalLogoutState> {
  const { observedApp, ...inputs } = given;
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
        app = await enforceUniversalLogout(client, app, status, adminUrl, inputs.waitTimeoutSeconds);
        break;
      case "wait":
        app = await waitForAdmin(client, app, adminUrl, inputs);
        break;
      default:
        // A new mode must say here what it does when Okta does not show ENABLED.
        assertNever(inputs.mode, "Okta mode");
    }
    status = oktaUniversalLogoutStatus(app);
  }
  return { ...inputs, status, appName: app.name, appLabel: app.label, adminUrl, provisioning, warnings };
}

/** Express Configuration, then re-read until Okta shows ENABLED (it may apply asynchronously). */
export async function enforceUniversalLogout(
  client: OktaClient,
  app: OktaApplication,
  status: OktaUniversalLogoutStatus,
  adminUrl: string,
  waitTimeoutSeconds: number,
): Promise<OktaApplication> {
  // Nothing could confirm the result where Okta does not report the status: refuse before any write.
  if (status === "UNSUPPORTED" || status === "NOT_REPORTED") throw new UserError(statusProblem(app, status, adminUrl));
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
    await stepSleep(
      1000,
      `re-reading the app until Okta shows Universal Logout ENABLED after Express Configuration (now ${now}, read ${read} of ${ENFORCE_READS})`,
    );
  }
  return current;
}

/** Poll until an admin ticks the box in the console, or the timeout. */
export async function waitForAdmin(
  client: OktaClient,
  app: OktaApplication,
  adminUrl: string,
  inputs: OktaUniversalLogoutInputs,
): Promise<OktaApplication> {
  const started = Date.now();
  const deadline = started + inputs.waitTimeoutSeconds * 1000;
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
    // Ctrl-C (the engine's Cancel) or the step's deadline ends this wait at once, saying how far it got.
    await stepSleep(
      Math.min(inputs.pollIntervalSeconds * 1000, left),
      () =>
        `waiting for an admin to turn on Universal Logout for "${app.label}" (${app.id}) in the Okta Admin Console ` +
        `(Okta showed ${status}; waited ${Math.round((Date.now() - started) / 1000)} s of ${inputs.waitTimeoutSeconds} s)`,
    );
    current = await client.getApp(app.id);
  }
}

/** What Okta shows now for the Cerby app: its Universal Logout status and whether it provisions users to Cerby. */
export async function readOktaSide(
  client: OktaClient,
  app: OktaApplication,
): Promise<{ status: OktaUniversalLogoutStatus; provisioning: ProvisioningStatus }> {
  return { status: oktaUniversalLogoutStatus(app), provisioning: await client.provisioningOf(app) };
}

/** The Okta side is converged when Okta shows ENABLED and, where required, the app provisions users to Cerby. */
export function oktaSideConverged(
  side: { status: OktaUniversalLogoutStatus; provisioning: ProvisioningStatus },
  requireProvisioning: boolean,
): boolean {
  return side.status === "ENABLED" && (side.provisioning === "ENABLED" || !requireProvisioning);
}

/** Suffix of the resource id, after `${orgUrl}/api/v1/apps/${appInstanceId}`. */
const ID_SUFFIX = "#universal-logout";

/** Stable id of the resource: the app's Management API URL, so the id alone locates the app (import, `get`). */
export function oktaUniversalLogoutId(inputs: Pick<OktaUniversalLogoutInputs, "orgUrl" | "appInstanceId">): string {
  return `${inputs.orgUrl}/api/v1/apps/${inputs.appInstanceId}${ID_SUFFIX}`;
}

/**
 * Whether `read` was given the resource's state (refresh), as opposed to the serialized provider alone (`get`): the
 * state names the org and the App instance ID.
 */
export function oktaHasState(props?: Partial<OktaUniversalLogoutState>): props is OktaUniversalLogoutState {
  return !!props && !!props.orgUrl && !!props.appInstanceId;
}

/**
 * What read works from. With state (refresh), its inputs. Without (`OktaUniversalLogout.get`, where Pulumi's plugin
 * passes only the serialized provider and any properties given to `get`), the id names the org and the App instance
 * ID; the other inputs take what `get` was given, else their defaults (mode verify). The observed app of an earlier run
 * is never used: read reads live.
 */
export function oktaReadInputs(id: string, props?: Partial<OktaUniversalLogoutState>): OktaUniversalLogoutInputs {
  const fromState = oktaHasState(props);
  const m = fromState ? null : id.match(/^(.+)\/api\/v1\/apps\/([^/#?]+)#universal-logout$/);
  const raw = { ...props, ...(m ? { orgUrl: m[1], appInstanceId: m[2] } : {}) };
  const { inputs, failures } = checkOktaInputs(raw as Record<string, unknown>);
  if (!fromState) {
    const bad = failures.find((f) => f.property === "orgUrl" || f.property === "appInstanceId");
    if (!m || bad) {
      throw new UserError(
        `Cannot read the Okta Universal Logout resource ${JSON.stringify(id)}: expected an id of the form ` +
          `<org URL>/api/v1/apps/<App instance ID>${ID_SUFFIX}, e.g. https://acme.okta.com/api/v1/apps/` +
          `0oa1b2c3d4e5f6g7h8i9${ID_SUFFIX} (the id \`pulumi up\` records)${bad ? `; ${bad.property} ${bad.reason}` : ""}.`,
      );
    }
  }
  const { observedApp: _ignored, ...rest } = inputs;
  return rest;
}

/**
 * The app as Okta shows it now, as state plus inputs. With prior state, the state keeps what it had (warnings);
 * without, it is complete from the read. Returning inputs makes `preview --refresh` and the next `up` diff against
 * what Okta shows now: the inputs record the live status (where the mode asks for one) and the app as read now, so an
 * unticked box shows as a diff of `status` alone, and an unchanged app as no change.
 */
export async function readOkta(
  client: OktaClient,
  inputs: OktaUniversalLogoutInputs,
  props?: Partial<OktaUniversalLogoutState>,
): Promise<{ props: OktaUniversalLogoutState; inputs: OktaUniversalLogoutInputs }> {
  const app = await client.getApp(inputs.appInstanceId);
  const side = await readOktaSide(client, app);
  const live = {
    status: side.status,
    appName: app.name,
    appLabel: app.label,
    adminUrl: oktaAdminUrl(inputs.orgUrl, app.name, app.id),
    provisioning: side.provisioning,
  };
  const base = props ? (props as OktaUniversalLogoutState) : { ...inputs, warnings: [] };
  const nextInputs = {
    ...inputs,
    ...(inputs.status ? { status: side.status } : {}),
    observedApp: observedApp(app),
  };
  return { props: { ...base, ...live }, inputs: nextInputs };
}
