/**
 * `npm run verify [-- --stack dev]`: reads both sides of every binding, prints a table, exits 0 only when all are
 * converged. Non-secret settings go through the program's own loader (loadProgramConfig) from Pulumi.yaml's defaults
 * and Pulumi.<stack>.yaml (./stack-config); credentials from the environment (CERBY_API_KEY or each binding's
 * apiKeyEnv, OKTA_API_TOKEN or OKTA_API_CLIENT_ID + OKTA_API_PRIVATE_KEY), since `secure:` values need the Pulumi CLI
 * to decrypt.
 */
import { loadProgramConfig } from "../components/config";
import { oktaCredentials } from "../components/okta/config";
import { SETTINGS } from "../components/settings-table";
import { renderTable, verifyBindings } from "../components/verify";
import { stackConfigFromFiles } from "./stack-config";

export async function runVerify(
  argv: string[],
  env = process.env,
  cwd = process.cwd(),
): Promise<{ code: number; text: string }> {
  const i = argv.indexOf("--stack");
  const stack = i >= 0 ? argv[i + 1] : (env[SETTINGS.verifyStack.env] ?? SETTINGS.verifyStack.default);
  try {
    const cfg = loadProgramConfig(stackConfigFromFiles(cwd, stack));
    const rows = await verifyBindings(cfg, {
      cerbyApiKey: (variable) => env[variable],
      okta: oktaCredentials(() => undefined, env),
    });
    return { code: rows.every((r) => r.converged) ? 0 : 1, text: renderTable(rows) };
  } catch (e) {
    return { code: 2, text: `verify: ${(e as Error).message}` };
  }
}

if (require.main === module) {
  void runVerify(process.argv.slice(2)).then(({ code, text }) => {
    console.log(text);
    process.exit(code);
  });
}
