/**
 * The stack's program: stack config → one component per binding → exported outputs. `index.ts` runs it; tests run
 * it under mocks and through the end-to-end driver.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadProgramConfig } from "./config";
import { asRunError } from "./run-error";
import { CerbyOktaUniversalLogout } from "./index";
import { readStackConfig } from "./universal-logout";

export interface BindingOutputs {
  appInstanceId: pulumi.Output<string>;
  cerbyEnabled: pulumi.Output<boolean>;
  oktaUniversalLogoutStatus: pulumi.Output<string>;
  oktaAdminUrl: pulumi.Output<string>;
  summary: pulumi.Output<string>;
}

/** One binding's outputs at the top level; several bindings keyed by name under `bindings`. */
export async function main(
  get: (key: string) => string | undefined = readStackConfig,
): Promise<Record<string, unknown>> {
  const cfg = asRunError(() => loadProgramConfig(get));
  const outputs: Record<string, BindingOutputs> = {};
  for (const b of cfg.bindings) {
    const c = new CerbyOktaUniversalLogout(b.name, {
      cerby: {
        workspace: b.workspace,
        baseUrl: b.baseUrl,
        settingsPath: b.settingsPath,
        mode: b.cerbyMode,
        requireScimProvisioning: b.requireScimProvisioning,
        apiKeyConfig: b.apiKeyConfig,
        apiKeyEnv: b.apiKeyEnv,
      },
      okta: {
        orgUrl: cfg.oktaOrgUrl,
        mode: b.oktaMode,
        waitTimeoutSeconds: b.oktaWaitTimeoutSeconds,
        pollIntervalSeconds: b.oktaPollIntervalSeconds,
        requireProvisioning: b.requireProvisioning,
      },
      appInstanceId: b.appInstanceId,
      appLabel: b.appLabel,
    });
    outputs[b.name] = {
      appInstanceId: c.appInstanceId,
      cerbyEnabled: c.cerbyEnabled,
      oktaUniversalLogoutStatus: c.oktaUniversalLogoutStatus,
      oktaAdminUrl: c.oktaAdminUrl,
      summary: c.summary,
    };
  }
  const names = Object.keys(outputs);
  return names.length === 1 ? { ...outputs[names[0]] } : { bindings: outputs };
}
