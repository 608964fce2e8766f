/**
 * What a dynamic resource hands Pulumi as its provider: a small object whose methods `require()` the implementation
 * at run time, instead of the implementation itself. Pulumi serializes a provider's closure into state by value
 * (~56 kB + ~85 kB of code per resource, stored twice, for every binding); this reference serializes to ~2 kB and
 * runs the code that is installed now (after an upgrade, the new code — so export names here stay stable).
 *
 * Where the implementation is found, in the process that runs the provider (Pulumi's plugin runs on the machine that
 * runs the program):
 *   1. `$CERBY_OKTA_MODULE_ROOT/<rel>` when that variable is set (a checkout moved since the state was written);
 *   2. the absolute path of the implementation module as the program saw it (this repository, the installed package
 *      under a user's node_modules, a consumer program anywhere);
 *   3. `<working directory>/<rel>` (this repository run as the stack's program, from another checkout).
 * A compiled `.js` loads as is; a `.ts` source through the project's ts-node (transpile only), registered once.
 * Nothing here is module state: `require` caches the module itself.
 */
import type * as pulumi from "@pulumi/pulumi";

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/**
 * A provider whose every method forwards to `require(file)[exportName]`, loaded on first use. `file` is the
 * implementation module's own path (`__filename`); `rel` is the same module relative to this repository's root.
 */
export function providerRef(file: string, rel: string, exportName: string): pulumi.dynamic.ResourceProvider {
  // Everything the methods capture is a string or this small function: that is all Pulumi serializes, in the inputs
  // and the outputs of every resource, so it is kept short (each copy counts against the state size per binding).
  const load = () => {
    const { join, resolve } = require("path");
    const { existsSync } = require("fs");
    const root = process.env.CERBY_OKTA_MODULE_ROOT;
    const bases = [root && join(root, rel), file.replace(/\.(ts|js)$/, ""), resolve(rel)].filter(Boolean);
    const base = bases.find((b: string) => existsSync(`${b}.js`) || existsSync(`${b}.ts`));
    if (!base) throw new Error(`cannot find the provider module ${rel} (looked at ${bases.join(", ")})`);
    if (!existsSync(`${base}.js`) && !require.extensions[".ts"]) {
      const tsNode = require(require.resolve("ts-node", { paths: [process.cwd(), base] }));
      tsNode.register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
    }
    const impl = require(base)[exportName];
    if (!impl) throw new Error(`${base} does not export ${exportName}: the installed module is not this one.`);
    return impl;
  };
  const ref: Record<string, unknown> = {};
  for (const m of METHODS) ref[m] = (...a: unknown[]) => load()[m](...a);
  return ref as unknown as pulumi.dynamic.ResourceProvider;
}
