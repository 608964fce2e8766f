/**
 * What the Cerby resource stores: its inputs plus what was read from Cerby. Its own module so that the provider and the
 * converge functions both depend on it, not on each other.
 */
import type { CerbyUniversalLogoutInputs } from "./inputs";

/** Inputs plus what was read from Cerby. `enabled` and `appInstanceId` hold the live values after create/read. */
export interface CerbyUniversalLogoutState extends CerbyUniversalLogoutInputs {
  /** The workspace API base the resource talks to. */
  url: string;
  idpType?: string | null;
  scimEnabled?: boolean | null;
  updatedAt?: string | null;
  warnings: string[];
}
