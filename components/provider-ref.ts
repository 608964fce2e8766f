/**
 * What a dynamic resource stores as its provider (`__provider`): a `require` of the module's provider loader
 * (./provider-loader, shipped as `cerby-okta-universal-logout/provider-loader`), not the provider itself.
 * `pulumi.dynamic.Resource` serializes a provider's closure into state by value, in the inputs and the outputs of
 * every resource (tens of kB each); the reference is ~480 bytes and runs the code installed now (so export names of
 * the loader stay stable).
 *
 * Which copy of the module a command runs, in the process that runs the provider (Pulumi's dynamic-provider plugin,
 * started in the project's folder):
 *   1. the checkout named by `CERBY_OKTA_MODULE_ROOT`, when set;
 *   2. the one the folder the command runs in resolves: this repository itself (its package.json names the package),
 *      or the package installed in the project's node_modules (or on NODE_PATH, which the plugin wrappers in bin/
 *      set for projects without node_modules, e.g. Pulumi YAML);
 *   3. only when neither exists (state without its program), the path the program recorded — and it says so.
 * So moving or replacing a checkout never runs code from another folder while the project has its own.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ProviderSide } from "./provider-loader";

/** The package's name: what a project's require resolves (package.json `name`, `exports["./provider-loader"]`). */
export const PACKAGE_NAME = "cerby-okta-universal-logout";
const LOADER = `${PACKAGE_NAME}/provider-loader`;

/** The compiled loader this program would load: dist/components/provider-loader.js (also when run by ts-node). */
function recordedLoaderPath(): string {
  const file = path.join(__dirname, "provider-loader.js");
  const m = /^(.*)[\\/]components[\\/]provider-loader\.js$/.exec(file);
  return m && !file.includes(`${path.sep}dist${path.sep}`)
    ? path.join(m[1], "dist", "components", "provider-loader.js")
    : file;
}

/**
 * The `__provider` text for `side`: the form Pulumi's plugin loads (`require-from-string(text).handler()` returns the
 * provider), resolving the loader as the header comment says. Only the side and the recorded path vary.
 */
export function providerRefText(side: ProviderSide, recorded = recordedLoaderPath()): string {
  return (
    `const n=${JSON.stringify(LOADER)},r=process.env.CERBY_OKTA_MODULE_ROOT,p=require("path");let l;` +
    `try{l=require("module").createRequire(p.join(r||process.cwd(),"package.json"))(n)}` +
    `catch(e){if(r||!String(e.message).includes(n))throw e;l=require(${JSON.stringify(recorded)});` +
    `l.noteRecordedPath(${JSON.stringify(recorded)},process.cwd())}` +
    `exports.handler=()=>l.provider(${JSON.stringify(side)});`
  );
}

/**
 * What `pulumi.dynamic.Resource` registers, with the provider given as a reference instead of an object to serialize:
 * the same type token (`pulumi-nodejs:dynamic/<side>:<type>`) and the same `__provider` input, so Pulumi's
 * dynamic-provider plugin runs it exactly as it runs `dynamic.Resource`s (and states written by earlier versions load
 * unchanged). Functions, not a base class: the resource classes extend `pulumi.CustomResource` directly, so the stack
 * trace Pulumi records for each resource starts at the component that declares it (one frame less in state).
 */
export function dynamicType(side: ProviderSide, type: string): string {
  return `pulumi-nodejs:dynamic/${side}:${type}`;
}

/** `props` plus the `__provider` reference of `side`. */
export function withProviderRef(side: ProviderSide, props: pulumi.Inputs): pulumi.Inputs {
  if (props.__provider) throw new Error("A dynamic resource must not define the __provider key");
  return { ...props, __provider: providerRefText(side) };
}
