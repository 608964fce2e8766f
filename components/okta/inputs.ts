/**
 * Validation and normalization of the Okta resource's inputs: what `check` runs before any call to Okta.
 * Pure functions, no network.
 */
import { z } from "zod";
import { checkAppInstanceIdInput } from "../app-instance-id";
import { OKTA_MODE_INPUT, OktaMode, checkModeInput, isOktaMode, oktaModeOnlyReports } from "../modes";
import { IntegerSetting, SETTINGS, integerValue } from "../settings-table";
import { Checked, addProblem, once, isBlank, isKnown, startCheck, urlInputProblem } from "../shared";
import { oktaOrgUrlProblem } from "./config";
import { type OktaApplication, TO_APP_FEATURES } from "./client";
import type { OktaUniversalLogoutStatus } from "./state";

/** Normalized inputs of the Okta Universal Logout resource, as stored in state. */
export interface OktaUniversalLogoutInputs {
  /** Root URL of the Okta org, e.g. https://acme.okta.com (see oktaOrgUrl for okta:orgName / okta:baseUrl). */
  orgUrl: string;
  /** The Okta app ID of the Cerby app (Cerby's "App instance ID"). */
  appInstanceId: string;
  /** verify (default): fail unless Universal Logout is ENABLED. warn: report only. enforce: turn it on by Express
   * Configuration where the org allows. wait: poll until an admin turns it on in the console. */
  mode: OktaMode;
  /** wait/enforce: longest wait for ENABLED, 1–3600 s (default 600). */
  waitTimeoutSeconds: number;
  /** wait: seconds between reads, 1–300 (default 10). */
  pollIntervalSeconds: number;
  /** Fail instead of warning when the app does not provision users to Cerby. */
  requireProvisioning: boolean;
  /**
   * The Universal Logout status the mode asks of Okta: ENABLED, or none in warn mode (which only reports). Set by
   * `check` from the mode (never given). A refresh records what Okta shows here, so when someone unticked the box the
   * engine's diff names `status` (Okta's status is the one thing that drifts; see `read`).
   */
  status?: OktaUniversalLogoutStatus;
  /** The app as the program read it in this run (id, status, Universal Logout, features); the provider then does not
   * read it again. Not compared by diff (a refresh records the app as read then, so an unchanged app is no change);
   * dropped when unknown or malformed (the provider reads the app instead). */
  observedApp?: OktaApplication;
}

/** The inputs `check` reads. */
const INPUT_KEYS = [
  "orgUrl",
  "appInstanceId",
  "mode",
  "waitTimeoutSeconds",
  "pollIntervalSeconds",
  "requireProvisioning",
  "observedApp",
] as const;

/** Validates raw inputs; every failure names its property, the problem with the value, and the fix. */
export function checkOktaInputs(raw: Record<string, unknown>): Checked<OktaUniversalLogoutInputs> {
  const { news, failures } = startCheck(INPUT_KEYS, raw);

  if (isBlank(news.orgUrl)) {
    failures.push({
      property: "orgUrl",
      reason:
        "is required: the root URL of the Okta org, e.g. https://acme.okta.com (built from okta:orgName and okta:baseUrl)",
    });
  } else if (isKnown(news.orgUrl)) {
    addProblem(failures, "orgUrl", urlInputProblem(news.orgUrl, oktaOrgUrlProblem));
  }

  checkAppInstanceIdInput(news.appInstanceId, failures);
  const mode = checkModeInput(news.mode, OKTA_MODE_INPUT, failures);

  // The limits and defaults of cerby:oktaWaitTimeoutSeconds / cerby:oktaPollIntervalSeconds; a resource input must be
  // a number (text is for stack config).
  const seconds = (
    key: "waitTimeoutSeconds" | "pollIntervalSeconds",
    setting: IntegerSetting & { default: number },
  ) => {
    const v = news[key];
    if (isBlank(v) || !isKnown(v)) return setting.default;
    const r = integerValue(setting, v, { text: false });
    if (r.problem) failures.push({ property: key, reason: r.problem });
    return r.value ?? setting.default;
  };
  const waitTimeoutSeconds = seconds("waitTimeoutSeconds", SETTINGS.oktaWaitTimeoutSeconds);
  const pollIntervalSeconds = seconds("pollIntervalSeconds", SETTINGS.oktaPollIntervalSeconds);

  const rp = news.requireProvisioning;
  if (!isBlank(rp) && typeof rp !== "boolean" && isKnown(rp)) {
    failures.push({
      property: "requireProvisioning",
      reason: `${JSON.stringify(rp)} is not a boolean: use true or false`,
    });
  }

  const inputs: OktaUniversalLogoutInputs = {
    orgUrl:
      typeof news.orgUrl === "string" && isKnown(news.orgUrl)
        ? news.orgUrl.replace(/\/+$/, "")
        : (news.orgUrl as string),
    appInstanceId: news.appInstanceId as string,
    mode: mode as OktaMode,
    waitTimeoutSeconds,
    pollIntervalSeconds,
    requireProvisioning: rp === true,
  };
  if (isOktaMode(mode) && !oktaModeOnlyReports(mode)) inputs.status = "ENABLED";
  const seen = observedAppOf(news.observedApp);
  if (seen) inputs.observedApp = seen;
  return { inputs, failures };
}

/** A well-formed observed app, as state stores it (`observedApp`), or undefined. */
function observedAppOf(v: unknown): OktaApplication | undefined {
  const r = observedAppSchema().safeParse(v);
  return r.success ? observedApp(r.data) : undefined;
}

/**
 * The app as an input of the Okta resource: only what the provider uses (identity, status, Universal Logout status,
 * whether a "To App" provisioning feature is on), so that state keeps no more of Okta's answer than it needs (issue 21).
 */
export function observedApp(app: OktaApplication): OktaApplication {
  const toApp = app.features?.filter((f) => TO_APP_FEATURES.includes(f)) ?? [];
  return {
    id: app.id,
    name: app.name,
    label: app.label,
    status: app.status,
    ...(app.universalLogout ? { universalLogout: { status: app.universalLogout.status } } : {}),
    ...(toApp.length > 0 ? { features: toApp } : {}),
  };
}

/** The observed app's schema, built anew by each call (exported so bench/micro.ts can price building it per call). */
export const buildObservedAppSchema = () =>
  z.object({
    id: z.string(),
    name: z.string(),
    label: z.string(),
    status: z.string(),
    signOnMode: z.string().optional(),
    universalLogout: z
      .object({
        status: z.string(),
        supportType: z.string().optional(),
        protocol: z.string().optional(),
        identityStack: z.string().optional(),
      })
      .optional(),
    features: z.array(z.string()).optional(),
  });
const observedAppSchema = once(buildObservedAppSchema);
