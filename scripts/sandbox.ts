/**
 * `npm run sandbox`: starts the bundled emulators and runs the real `pulumi up --refresh` on the dev stack
 * (Pulumi.dev.yaml) with a local file backend, then prints the stack's outputs. Builds the Pulumi CLI from Go modules
 * first when none is usable (once per machine); without Go or a CLI, says how to get one and exits 1.
 *
 * `--refresh`: the emulators start empty at every run while the sandbox's state persists (.pulumi-state/, or
 * CERBY_SANDBOX_STATE_DIR), so each run converges the fresh emulators from what it reads, as a drift-repair run would.
 */
import * as path from "node:path";
import { SANDBOX, portInUseMessage, startSandbox } from "../tests/emulators/sandbox";
import { NO_ENGINE_HELP, findEngine, localBackendEnv, pulumi } from "./pulumi-cli";

async function sandbox(): Promise<number> {
  const engine = findEngine({ build: true });
  if (!engine) {
    console.error(NO_ENGINE_HELP);
    return 1;
  }
  const root = path.resolve(__dirname, "..");
  let s;
  try {
    s = await startSandbox();
  } catch (e) {
    const message = portInUseMessage(e);
    if (!message) throw e;
    console.error(message);
    return 1;
  }
  try {
    console.log(
      `Pulumi CLI ${engine.version} (${engine.source}: ${engine.bin}); emulators: Cerby ` +
        `${s.cerby.workspaceUrl(SANDBOX.workspace)}, Okta ${s.okta.baseUrl}`,
    );
    // The emulators' throwaway credentials, passed as the environment variables the providers read.
    const env = localBackendEnv(process.env.CERBY_SANDBOX_STATE_DIR ?? path.join(root, ".pulumi-state"), {
      CERBY_API_KEY: SANDBOX.cerbyApiKey,
      OKTA_API_TOKEN: SANDBOX.oktaApiToken,
    });
    for (const args of [
      ["stack", "select", "dev", "--create"],
      ["up", "--yes", "--refresh", "--stack", "dev"],
      ["stack", "output", "--json", "--stack", "dev"],
    ]) {
      console.log(`$ pulumi ${args.join(" ")}`);
      const r = await pulumi(engine, args, root, env, { echo: true });
      if (r.status !== 0) return r.status ?? 1;
    }
    return 0;
  } finally {
    await s.stop();
  }
}

void sandbox().then((code) => process.exit(code));
