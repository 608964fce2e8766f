/**
 * What a dynamic resource stores as its provider (`__provider`): a few hundred bytes of JavaScript that `require()` the
 * implementation at run time, instead of the implementation itself. `pulumi.dynamic.Resource` serializes a provider's
 * closure into state by value (~56 kB + ~85 kB of code per resource); even a small forwarding object costs ~3 kB
 * there, because every method becomes its own wrapped function — and `__provider` is stored in the inputs and the
 * outputs of both resources of every binding. So `DynamicResource` writes the module text itself, in the one form
 * Pulumi's dynamic-provider plugin loads (`require-from-string(text).handler()` must return the provider: see
 * @pulumi/pulumi cmd/dynamic-provider), and the reference runs the code that is installed now (after an upgrade, the
 * new code — so export names here stay stable).
 *
 * Where the implementation is found, in the process that runs the provider (Pulumi's plugin runs on the machine that
 * runs the program):
 *   1. `$CERBY_OKTA_MODULE_ROOT/<rel>` when that variable is set (a checkout moved since the state was written);
 *   2. the absolute path of the implementation module as the program saw it (this repository, the installed package
 *      under a user's node_modules, a consumer program anywhere);
 *   3. `<working directory>/<rel>` (this repository run as the stack's program, from another checkout).
 * A compiled `.js` loads as is; a `.ts` source through the project's ts-node (transpile only), registered once.
 */
import * as pulumi from "@pulumi/pulumi";

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/**
 * Finds and loads the implementation. Its source text is copied into the reference (`toString()`), so it must stay
 * self-contained: no imports, no outer names, no comments inside (they would be stored in every resource's state).
 */
function loadProvider(rel: string, file: string, exportName: string): Record<string, (...a: unknown[]) => unknown> {
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
}

/**
 * The `__provider` text for the implementation `exportName` of module `file` (its own `__filename`); `rel` is the same
 * module relative to this repository's root. Only these three strings and the loader's code are stored.
 */
export function providerRefText(file: string, rel: string, exportName: string): string {
  const args = [rel, file, exportName].map((s) => JSON.stringify(s)).join(", ");
  return [
    `const load = ${loadProvider.toString()};`,
    "let impl;",
    `exports.handler = () => Object.fromEntries(${JSON.stringify(METHODS)}.map((m) => [m, (...a) => (impl ??= load(${args}))[m](...a)]));`,
    "",
  ].join("\n");
}

/** Where a resource's implementation lives: see `providerRefText`. */
export interface ProviderRef {
  file: string;
  rel: string;
  exportName: string;
}

/**
 * `pulumi.dynamic.Resource`, with the provider given as a reference instead of an object to serialize: the same type
 * token (`pulumi-nodejs:dynamic/<module>:<type>`), the same `__provider` input, so Pulumi's dynamic-provider plugin
 * runs it exactly as it runs `dynamic.Resource`s (and states written by earlier versions load unchanged).
 */
export abstract class DynamicResource extends pulumi.CustomResource {
  protected constructor(
    ref: ProviderRef,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    if (props.__provider) throw new Error("A dynamic resource must not define the __provider key");
    super(
      `pulumi-nodejs:dynamic/${module}:${type}`,
      name,
      { ...props, __provider: providerRefText(ref.file, ref.rel, ref.exportName) },
      opts,
    );
  }
}
