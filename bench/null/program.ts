/**
 * The benchmark's null program (bench/README.md, "The null arm"): the module's shape with nothing to do. Per binding
 * of the stack config (read by the module's own `loadProgramConfig`, as the module's program reads it), one component
 * (`cerby:okta:UniversalLogout`) and two dynamic resources (`<name>-cerby`, then `<name>-okta` after it) of the
 * module's type tokens, declaring the same inputs the module's component declares for them, and the same five exports
 * per binding. Their providers (./provider-loader.ts) do nothing: they record the inputs as the outputs. What the null
 * program lacks is only what the module does: the Okta lookup (so the App instance ID is made up here, of Okta's
 * length, and there is no observed app), the vendor calls, and what the providers add to state. Their `__provider` is
 * the module's own reference text (components/provider-ref.ts `providerRefText`, from the module's dist/ copied into
 * the null project): a `require` of `<package>/provider-loader`, which the null project's package.json points at the
 * null loader — the same form and the same length as the module's.
 *
 * bench/cli-engine.ts transpiles this file to the null project's index.js (Pulumi.yaml `main`), run by the same
 * program host (scripts/program-host.js) through the same CLI as the module.
 */
import * as crypto from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as Config from "../../components/config";
import type * as ProviderRef from "../../components/provider-ref";

type Side = "cerby" | "okta";

// The compiled module's own functions, from the copy of its dist/ beside this program: the reference records this
// folder's loader path, of the same length as the module project's.
const dist = path.join(__dirname, "dist", "components");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { providerRefText } = require(path.join(dist, "provider-ref.js")) as typeof ProviderRef;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadProgramConfig } = require(path.join(dist, "config.js")) as typeof Config;

/** The entries that are set (the module's component passes only those). */
const definedOnly = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as pulumi.Inputs;

class NullResource extends pulumi.CustomResource {
  declare readonly appInstanceId: pulumi.Output<string>;

  constructor(side: Side, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(`pulumi-nodejs:dynamic/${side}:UniversalLogout`, name, { ...props, __provider: providerRefText(side) }, opts);
  }
}

interface Exports {
  appInstanceId: pulumi.Output<string>;
  cerbyEnabled: boolean;
  oktaUniversalLogoutStatus: string;
  oktaAdminUrl: string;
  summary: string;
}

class NullBinding extends pulumi.ComponentResource {
  readonly exports: Exports;

  constructor(b: Config.Binding, orgUrl: string) {
    super("cerby:okta:UniversalLogout", b.name, {}, undefined);
    const appInstanceId = appId(b.name);
    const cerby = new NullResource(
      "cerby",
      `${b.name}-cerby`,
      definedOnly({
        workspace: b.workspace,
        baseUrl: b.baseUrl,
        settingsPath: b.settingsPath,
        mode: b.cerbyMode,
        requireScimProvisioning: b.requireScimProvisioning,
        apiKeyConfig: b.apiKeyConfig,
        apiKeyEnv: b.apiKeyEnv,
        appInstanceId,
        labelledApp: b.appInstanceId === undefined ? { orgUrl, label: b.appLabel ?? "Cerby" } : undefined,
      }),
      { parent: this },
    );
    const okta = new NullResource(
      "okta",
      `${b.name}-okta`,
      definedOnly({
        orgUrl,
        appInstanceId,
        mode: b.oktaMode,
        waitTimeoutSeconds: b.oktaWaitTimeoutSeconds,
        pollIntervalSeconds: b.oktaPollIntervalSeconds,
        requireProvisioning: b.requireProvisioning,
      }),
      { parent: this, dependsOn: [cerby] },
    );
    // The module's five exports per binding, of the same form (made from what is declared: no vendor was asked).
    const adminUrl = `${orgUrl}/admin/app/cerby/instance/${appInstanceId}/`;
    this.exports = {
      appInstanceId: okta.appInstanceId,
      cerbyEnabled: true,
      oktaUniversalLogoutStatus: "ENABLED",
      oktaAdminUrl: adminUrl,
      summary:
        `Cerby ${b.baseUrl ?? b.workspace}: Okta Universal Logout enabled for App instance ID ${appInstanceId}; ` +
        `Okta app "${b.appLabel ?? "Cerby"}": logout on`,
    };
    this.registerOutputs();
  }
}

/** An App instance ID of Okta's length (20 characters), derived from the binding's name: no Okta call. */
const appId = (name: string) => `0oa${crypto.createHash("sha256").update(name).digest("hex").slice(0, 17)}`;

function main(): Record<string, unknown> {
  const cfg = loadProgramConfig((key) => pulumi.runtime.getConfig(key.includes(":") ? key : `cerby:${key}`));
  const outputs: Record<string, Exports> = {};
  for (const b of cfg.bindings) outputs[b.name] = new NullBinding(b, cfg.oktaOrgUrl).exports;
  // The module's rule: one binding's outputs at the top level, several under `bindings`.
  const names = Object.keys(outputs);
  return names.length === 1 ? { ...outputs[names[0]] } : { bindings: outputs };
}

module.exports = main();
