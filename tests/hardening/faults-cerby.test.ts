// Fault suite (see ./faults.ts): the Cerby side, API token.
import { describeFaultSuite } from "./faults";

describeFaultSuite("cerby");
