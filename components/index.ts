// The public names of the module: the one entry of the installable package (package.json `main`/`types`/`exports`
// point at its compiled form, dist/index.js + dist/index.d.ts) and of this repository's own stack program.
export {
  CerbyOktaUniversalLogout,
  CerbyOktaUniversalLogoutArgs,
  CerbySideArgs,
  OktaSideArgs,
  OktaAppRef,
} from "./universal-logout";
export { CerbyUniversalLogout, CerbyUniversalLogoutArgs } from "./cerby/provider";
export { CERBY_MODES, OKTA_MODES } from "./modes";
export type { CerbyMode, OktaMode } from "./modes";
export { OktaUniversalLogout, OktaUniversalLogoutArgs, OktaUniversalLogoutStatus } from "./okta/provider";
export type { ProvisioningStatus } from "./okta/client";
export { oktaOrgUrl, OktaConfigError } from "./okta/config";
export type { OktaCredentials, OktaOrgSettings } from "./okta/config";
export { VendorError, UserError } from "./http";
