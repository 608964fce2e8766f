// Okta Universal Logout for Cerby: the stack program (Pulumi.yaml `main`; package.json `main` is the library, dist/).
// Configure it with `pulumi config` (see Pulumi.yaml, README). It builds on the public entry, components/index.ts.
import { main } from "./components/program";

export = main();
