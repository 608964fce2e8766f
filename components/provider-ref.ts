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
 * A compiled `.js` is preferred; a `.ts` source is loaded through the project's ts-node (transpile only), registered
 * once per process. Nothing here is module state: the loaded module is cached by `require` itself.
 */
import type * as pulumi from "@pulumi/pulumi";

export const PACKAGE_NAME = "cerby-okta-universal-logout";

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/** A provider whose every method forwards to `require(<file>)[exportName]`, loaded on first use. */
export function providerRef(file: string, exportName: string): pulumi.dynamic.ResourceProvider {
  // Everything the methods capture is a string or this small function: that is all Pulumi serializes.
  const load = (): Record<string, (...args: unknown[]) => Promise<unknown>> => {
    const path = require("path");
    const candidates: string[] = [];
    if (process.env.CERBY_OKTA_MODULE_ROOT) candidates.push(path.join(process.env.CERBY_OKTA_MODULE_ROOT, file));
    try {
      candidates.push(require.resolve(`cerby-okta-universal-logout/${file}`, { paths: [process.cwd()] }));
    } catch {
      // not installed as a package: this repository is the program
    }
    candidates.push(path.join(process.cwd(), file));
    for (const c of candidates) {
      let resolved: string | undefined;
      try {
        resolved = require.resolve(c);
      } catch {
        const ts = `${c}.ts`;
        if (!require("fs").existsSync(ts)) continue;
        if (!require.extensions[".ts"]) {
          const tsNode = require(require.resolve("ts-node", { paths: [process.cwd(), path.dirname(ts)] }));
          tsNode.register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
        }
        resolved = require.resolve(ts);
      }
      const impl = require(resolved)[exportName];
      if (impl) return impl;
    }
    throw new Error(
      `Cannot load the provider ${exportName} from ${candidates.join(" or ")}: install ${"cerby-okta-universal-logout"} ` +
        "or run Pulumi from the program's directory (or set CERBY_OKTA_MODULE_ROOT to it).",
    );
  };
  const ref: Record<string, unknown> = {};
  for (const m of METHODS) {
    ref[m] = (...args: unknown[]) => {
      const impl = load();
      return impl[m].apply(impl, args);
    };
  }
  return ref as unknown as pulumi.dynamic.ResourceProvider;
}
