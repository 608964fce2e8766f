/**
 * `npm run verify [-- --stack dev]`: reads both sides of every binding, prints a table, exits 0 only when all are
 * converged. Non-secret settings come from Pulumi.<stack>.yaml; credentials from the environment (CERBY_API_KEY or each
 * binding's apiKeyEnv, OKTA_API_TOKEN or OKTA_API_CLIENT_ID + OKTA_API_PRIVATE_KEY), since `secure:` values need the
 * Pulumi CLI to decrypt.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { loadProgramConfig } from "../components/config";
import { oktaCredentials } from "../components/okta/config";
import { renderTable, verifyBindings } from "../components/verify";

export async function runVerify(
  argv: string[],
  env = process.env,
  cwd = process.cwd(),
): Promise<{ code: number; text: string }> {
  const i = argv.indexOf("--stack");
  const stack = i >= 0 ? argv[i + 1] : (env.PULUMI_STACK ?? "dev");
  const file = path.join(cwd, `Pulumi.${stack}.yaml`);
  try {
    const doc = fs.existsSync(file)
      ? ((load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }) ?? {})
      : {};
    const values = doc.config ?? {};
    const get = (k: string) => {
      const v = values[k];
      return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
    };
    const cfg = loadProgramConfig(get);
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
