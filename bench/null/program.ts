/**
 * The benchmark's null program (bench/README.md, "The null arm"): the module's shape with nothing to do. Per binding
 * of `cerby:bindings`, one component (`cerby:okta:UniversalLogout`) and two dynamic resources (`<name>-cerby`, then
 * `<name>-okta` after it, as the module orders them) of the module's type tokens, whose providers
 * (./provider-loader.ts) do nothing. Their `__provider` is the module's own reference text (components/provider-ref.ts
 * `providerRefText`, copied from dist/ into the null project): a `require` of `<package>/provider-loader`, which the
 * null project's package.json points at the null loader — the same form and the same length as the module's.
 *
 * bench/cli-engine.ts transpiles this file to the null project's index.js (Pulumi.yaml `main`), run by the same
 * program host (scripts/program-host.js) through the same CLI as the module.
 */
import * as crypto from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as ProviderRef from "../../components/provider-ref";

type Side = "cerby" | "okta";

// The compiled module's own function, from the copy beside this program (dist/components/provider-ref.js): the
// reference records this folder's loader path, of the same length as the module project's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { providerRefText } = require(
  path.join(__dirname, "dist", "components", "provider-ref.js"),
) as typeof ProviderRef;

class NullResource extends pulumi.CustomResource {
  declare readonly appInstanceId: pulumi.Output<string>;

  constructor(
    side: Side,
    name: string,
    props: Record<string, pulumi.Input<string>>,
    opts: pulumi.CustomResourceOptions,
  ) {
    super(`pulumi-nodejs:dynamic/${side}:UniversalLogout`, name, { ...props, __provider: providerRefText(side) }, opts);
  }
}

class NullBinding extends pulumi.ComponentResource {
  readonly appInstanceId: pulumi.Output<string>;

  constructor(name: string, args: { baseUrl: string; orgUrl: string; appInstanceId: string }) {
    super("cerby:okta:UniversalLogout", name, {}, undefined);
    const cerby = new NullResource(
      "cerby",
      `${name}-cerby`,
      { baseUrl: args.baseUrl, appInstanceId: args.appInstanceId },
      { parent: this },
    );
    const okta = new NullResource(
      "okta",
      `${name}-okta`,
      { orgUrl: args.orgUrl, appInstanceId: args.appInstanceId },
      { parent: this, dependsOn: [cerby] },
    );
    this.appInstanceId = okta.appInstanceId;
    this.registerOutputs({ appInstanceId: this.appInstanceId });
  }
}

/** An App instance ID of Okta's length (20 characters), derived from the binding's name: no Okta call. */
const appId = (name: string) => `0oa${crypto.createHash("sha256").update(name).digest("hex").slice(0, 17)}`;

function main(): Record<string, unknown> {
  const cfg = new pulumi.Config("cerby");
  const orgUrl = cfg.require("oktaOrgUrl");
  const bindings = JSON.parse(cfg.require("bindings")) as Array<{ name: string; baseUrl: string }>;
  const outputs: Record<string, { appInstanceId: pulumi.Output<string> }> = {};
  for (const b of bindings) {
    const c = new NullBinding(b.name, { baseUrl: b.baseUrl, orgUrl, appInstanceId: appId(b.name) });
    outputs[b.name] = { appInstanceId: c.appInstanceId };
  }
  // The module's rule: one binding's outputs at the top level, several under `bindings`.
  const names = Object.keys(outputs);
  return names.length === 1 ? { ...outputs[names[0]] } : { bindings: outputs };
}

module.exports = main();
