/**
 * The modes of both sides, each list declared once. Types, zod enums, check messages, defaults and docs derive from
 * these lists, and every question about a mode is answered by one exhaustive table (a `Record` over the mode type):
 * adding a mode is a compile error at each place that must decide what it does (docs/architecture.md, "Adding a mode").
 */
import { CheckFailure, isBlank, isKnown, orList } from "./shared";

/** Cerby side (`cerby:mode`). */
export const CERBY_MODES = ["api", "manual"] as const;
export type CerbyMode = (typeof CERBY_MODES)[number];
export const DEFAULT_CERBY_MODE: CerbyMode = "api";

/** Okta side (`cerby:oktaMode`). */
export const OKTA_MODES = ["verify", "warn", "enforce", "wait"] as const;
export type OktaMode = (typeof OKTA_MODES)[number];
export const DEFAULT_OKTA_MODE: OktaMode = "verify";

/** What each Cerby mode does, as check messages name it. A Record: a new mode without a line does not compile. */
const CERBY_MODE_HELP: Record<CerbyMode, string> = {
  api: "Pulumi calls Cerby",
  manual: "you do the web-app step; Pulumi records it",
};

/** What each Okta mode does, as check messages name it. */
const OKTA_MODE_HELP: Record<OktaMode, string> = {
  verify: "fail unless Okta shows Universal Logout on",
  warn: "report only",
  enforce: "turn it on by API where Okta allows",
  wait: "poll until an admin turns it on",
};

export function isCerbyMode(v: unknown): v is CerbyMode {
  return (CERBY_MODES as readonly unknown[]).includes(v);
}

export function isOktaMode(v: unknown): v is OktaMode {
  return (OKTA_MODES as readonly unknown[]).includes(v);
}

/** `"api" or "manual"`: the modes as a config message lists them. */
export function modeChoices(modes: readonly string[]): string {
  return orList(modes.map((m) => JSON.stringify(m)));
}

/** `use "api" (default: …) or "manual" (…)`: the modes with what each does, for check messages. */
function modeHelp<M extends string>(modes: readonly M[], dflt: M, help: Record<M, string>): string {
  return `use ${orList(modes.map((m) => `${JSON.stringify(m)} (${m === dflt ? "default: " : ""}${help[m]})`))}`;
}

export function cerbyModeHelp(): string {
  return modeHelp(CERBY_MODES, DEFAULT_CERBY_MODE, CERBY_MODE_HELP);
}

export function oktaModeHelp(): string {
  return modeHelp(OKTA_MODES, DEFAULT_OKTA_MODE, OKTA_MODE_HELP);
}

/**
 * The questions about a mode, one table each. A `Record` over the mode type is as exhaustive as a switch: a new mode
 * without its row does not compile, so adding a mode is a compile error here, at each question it must answer.
 */
const CERBY_MODE_CALLS_CERBY: Record<CerbyMode, boolean> = { api: true, manual: false };
const OKTA_MODE_WRITES: Record<OktaMode, boolean> = { verify: false, warn: false, enforce: true, wait: false };
const OKTA_MODE_ONLY_REPORTS: Record<OktaMode, boolean> = { verify: false, warn: true, enforce: false, wait: false };

/** Whether Pulumi calls Cerby in this mode (manual: it records the desired state and logs the web-app steps). */
export function cerbyModeCallsCerby(mode: CerbyMode): boolean {
  return CERBY_MODE_CALLS_CERBY[mode];
}

/** Whether the Okta mode may write to Okta (Express Configuration), so needs okta.apps.manage. */
export function oktaModeWrites(mode: OktaMode): boolean {
  return OKTA_MODE_WRITES[mode];
}

/** Whether the Okta mode only reports a status that is not ENABLED (warn) instead of failing, repairing or waiting. */
export function oktaModeOnlyReports(mode: OktaMode): boolean {
  return OKTA_MODE_ONLY_REPORTS[mode];
}

/**
 * The `mode` input of a side's check: the default when left out; a value not in the list (and known) is a failure
 * listing the modes. Returns the mode to use (the raw value when it is not a mode: the failure says so).
 */
export function checkModeInput<M extends string>(
  raw: unknown,
  side: { default: M; isMode: (v: unknown) => v is M; help: () => string },
  failures: CheckFailure[],
): M {
  const mode = isBlank(raw) ? side.default : raw;
  if (isKnown(mode) && !side.isMode(mode)) {
    failures.push({ property: "mode", reason: `${JSON.stringify(mode)} is not a mode: ${side.help()}` });
  }
  return mode as M;
}

/** The Cerby and Okta sides, for checkModeInput. */
export const CERBY_MODE_INPUT = { default: DEFAULT_CERBY_MODE, isMode: isCerbyMode, help: cerbyModeHelp };
export const OKTA_MODE_INPUT = { default: DEFAULT_OKTA_MODE, isMode: isOktaMode, help: oktaModeHelp };
