/**
 * What a dynamic resource hands Pulumi as its provider: a small object whose methods `require()` the implementation
 * at run time, instead of the implementation itself. Pulumi serializes a provider's closure into state by value
 * (~56 kB + ~85 kB of code per resource, stored twice, for every binding); this reference serializes to ~2 kB and
 * always runs the code that is installed now (after an upgrade, the new code — so export names here stay stable).
 *
 * Where the implementation is found, in the process that runs the provider (the plugin, whose working directory is the
 * program's; a test):
 *   1. `$CERBY_OKTA_MODULE_ROOT/<file>` when that variable is set (unusual layouts);
 *   2. the installed package, `cerby-okta-universal-logout/<file>` resolved from the working directory's node_modules;
 *   3. `<working directory>/<file>` (this repository run as the stack's program).
 * There, ./load.js loads `<file>`: a compiled `.js` if there is one, else the `.ts` source through the project's ts-node
 * (transpile only), registered once per process. Nothing here is module state: `require` caches the module itself.
 */
import type * as pulumi from "@pulumi/pulumi";

export const PACKAGE_NAME = "cerby-okta-universal-logout";

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/** A provider whose every method forwards to `require(<file>)[exportName]`, loaded on first use (see ./load.js). */
export function providerRef(file: string, exportName: string): pulumi.dynamic.ResourceProvider {
  // Everything the methods capture is a string or this small function: that is all Pulumi serializes.
  const load = () => {
    const root = process.env.CERBY_OKTA_MODULE_ROOT;
    let at = root ? require("path").join(root, "components/load.js") : undefined;
    if (!at) {
      try {
        at = require.resolve("cerby-okta-universal-logout/components/load.js", { paths: [process.cwd()] });
      } catch {
        at = require("path").resolve("components/load.js");
      }
    }
    return require(at!)(file, exportName);
  };
  const ref: Record<string, unknown> = {};
  for (const m of METHODS) {
    ref[m] = (...a: unknown[]) => {
      const impl = load();
      return impl[m](...a);
    };
  }
  return ref as unknown as pulumi.dynamic.ResourceProvider;
}
