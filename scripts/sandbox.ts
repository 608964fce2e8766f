/**
 * `npm run sandbox`: starts the bundled emulators and runs `pulumi up` on the dev stack (Pulumi.dev.yaml) with a local
 * file backend. Needs the Pulumi CLI; without it, says how to get one and exits non-zero.
 */
import * as path from "node:path";
import { SANDBOX, startSandbox } from "../tests/emulators/sandbox";
import { NO_CLI_HELP, localBackendEnv, pulumi, pulumiVersion } from "./pulumi-cli";

async function sandbox(): Promise<number> {
  const version = pulumiVersion();
  if (!version) {
    console.error(NO_CLI_HELP);
    return 1;
  }
  const root = path.resolve(__dirname, "..");
  const s = await startSandbox();
  try {
    console.log(
      `Pulumi ${version}; emulators: Cerby ${s.cerby.workspaceUrl(SANDBOX.workspace)}, Okta ${s.okta.baseUrl}`,
    );
    // The emulators' throwaway credentials, passed as the environment variables the providers read.
    const env = localBackendEnv(path.join(root, ".pulumi-state"), {
      CERBY_API_KEY: SANDBOX.cerbyApiKey,
      OKTA_API_TOKEN: SANDBOX.oktaApiToken,
    });
    for (const args of [
      ["stack", "select", "dev", "--create"],
      ["up", "--yes", "--stack", "dev"],
    ]) {
      const r = pulumi(args, root, env);
      process.stdout.write(r.stdout ?? "");
      process.stderr.write(r.stderr ?? "");
      if (r.status !== 0) return r.status ?? 1;
    }
    return 0;
  } finally {
    await s.stop();
  }
}

void sandbox().then((code) => process.exit(code));
