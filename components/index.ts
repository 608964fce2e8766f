// The public names of the module.
export {
  CerbyOktaUniversalLogout,
  CerbyOktaUniversalLogoutArgs,
  CerbySideArgs,
  OktaSideArgs,
} from "./universal-logout";
export { CerbyUniversalLogout, CerbyUniversalLogoutArgs } from "./cerby/provider";
export { OktaUniversalLogout, OktaUniversalLogoutArgs } from "./okta/provider";
export { VendorError, UserError } from "./http";
