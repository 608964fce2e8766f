// Fault suite (see ./faults.ts): the Okta side, API token.
import { describeFaultSuite } from "./faults";

describeFaultSuite("okta");
