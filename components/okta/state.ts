/**
 * What the Okta resource stores: its inputs plus what was read from Okta. Its own module so that the provider and the
 * converge functions both depend on it, not on each other.
 */
import type { ProvisioningStatus } from "./client";
import type { OktaUniversalLogoutInputs } from "./inputs";

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
