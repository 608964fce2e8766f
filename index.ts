// Okta Universal Logout for Cerby: the stack program. Configure it with `pulumi config` (see Pulumi.yaml, README).
import { main } from "./components/program";

export = main();
