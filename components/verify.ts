/**
 * The standalone check: read both sides of every binding without Pulumi and say whether they are converged. It reuses
 * the same clients and rules as the providers; nothing is written.
 */
import { CerbyClient } from "./cerby/client";
import { DEFAULT_API_KEY_ENV, cerbyBaseUrl } from "./cerby/inputs";
import { DEFAULT_SETTINGS_PATH } from "./cerby/contract";
import { cerbyModeCallsCerby } from "./modes";
import { Binding, ProgramConfig } from "./config";
import { OktaClient } from "./okta/client";
import { OktaCredentials } from "./okta/config";
import { cerbySettingMatches } from "./cerby/converge";
import { oktaSideConverged, readOktaSide } from "./okta/converge";
import { resolveCerbyAppShared } from "./okta/resolve";

export interface VerifyRow {
  binding: string;
  appInstanceId: string;
  cerbyEnabled: string;
  idMatches: string;
  oktaStatus: string;
  provisioning: string;
  converged: boolean;
  problem?: string;
}

/** `cerbyApiKey(variable)`: the value of a binding's API key variable (CERBY_API_KEY unless the binding names one). */
export async function verifyBindings(
  cfg: ProgramConfig,
  creds: { cerbyApiKey: (variable: string) => string | undefined; okta: OktaCredentials },
): Promise<VerifyRow[]> {
  const okta = new OktaClient({ orgUrl: cfg.oktaOrgUrl, credentials: creds.okta });
  return Promise.all(cfg.bindings.map((b) => verifyOne(b, okta, creds.cerbyApiKey)));
}

async function verifyOne(
  b: Binding,
  okta: OktaClient,
  cerbyApiKeyOf: (variable: string) => string | undefined,
): Promise<VerifyRow> {
  const row: VerifyRow = {
    binding: b.name,
    appInstanceId: "?",
    cerbyEnabled: "?",
    idMatches: "?",
    oktaStatus: "?",
    provisioning: "?",
    converged: false,
  };
  try {
    // One apps-bucket call at most per binding: the lookups share one walk of the org's apps, and the app found
    // already carries its Universal Logout status and enabled features (provisioning).
    const app = await resolveCerbyAppShared(okta, { appInstanceId: b.appInstanceId, label: b.appLabel });
    row.appInstanceId = app.id;
    const oktaSide = await readOktaSide(okta, app);
    row.oktaStatus = oktaSide.status;
    row.provisioning = oktaSide.provisioning;
    // Converged by the providers' own rules: Cerby on with this app's ID; Okta ENABLED (and provisioning if required).
    const callsCerby = cerbyModeCallsCerby(b.cerbyMode);
    let cerbyConverged = !callsCerby;
    if (!callsCerby) {
      row.cerbyEnabled = b.cerbyMode;
      row.idMatches = b.cerbyMode;
    } else {
      // Stack secrets need the Pulumi CLI to decrypt: this check reads the binding's variable only.
      const variable = b.apiKeyEnv ?? DEFAULT_API_KEY_ENV;
      const cerbyApiKey = cerbyApiKeyOf(variable);
      if (!cerbyApiKey) throw new Error(`no Cerby API key for binding ${b.name}: set ${variable}`);
      const cerby = new CerbyClient({
        baseUrl: cerbyBaseUrl({ workspace: b.workspace, baseUrl: b.baseUrl }),
        settingsPath: b.settingsPath ?? DEFAULT_SETTINGS_PATH,
        appInstanceId: app.id,
        apiKey: () => cerbyApiKey,
      });
      const live = await cerby.getUniversalLogout();
      row.cerbyEnabled = live.enabled ? "yes" : "no";
      row.idMatches = live.appInstanceId === app.id ? "yes" : `no (${live.appInstanceId ?? "none"})`;
      cerbyConverged = cerbySettingMatches(live, true, app.id);
    }
    row.converged = oktaSideConverged(oktaSide, !!b.requireProvisioning) && cerbyConverged;
  } catch (e) {
    row.problem = (e as Error).message;
  }
  return row;
}

/** A plain-text table, one line per binding, then any problems in full. */
export function renderTable(rows: VerifyRow[]): string {
  const head = [
    "binding",
    "App instance ID",
    "Cerby enabled",
    "ID matches Okta app",
    "Okta Universal Logout",
    "Okta provisioning",
    "converged",
  ];
  const body = rows.map((r) => [
    r.binding,
    r.appInstanceId,
    r.cerbyEnabled,
    r.idMatches,
    r.oktaStatus,
    r.provisioning,
    r.converged ? "yes" : "NO",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const problems = rows.filter((r) => r.problem).map((r) => `${r.binding}: ${r.problem}`);
  return [line(head), ...body.map(line), ...(problems.length ? ["", ...problems] : [])].join("\n");
}
