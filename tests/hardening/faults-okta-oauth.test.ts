// Fault suite (see ./faults.ts): the Okta side, OAuth service app.
import { describeFaultSuite } from "./faults";

describeFaultSuite("oktaOAuth");
