/** Finding and running the real Pulumi CLI against a local file backend (sandbox and the CLI end-to-end test). */
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";

/** The CLI's version, or undefined when no `pulumi` binary is on PATH. */
export function pulumiVersion(): string | undefined {
  const r = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export const NO_CLI_HELP =
  "The Pulumi CLI is not installed (no `pulumi` on PATH). Install it from https://www.pulumi.com/docs/install/ " +
  "(e.g. `curl -fsSL https://get.pulumi.com | sh`, or `brew install pulumi/tap/pulumi`), then rerun. " +
  "Without it, `npm test` still drives the same stack end to end through Pulumi's dynamic-provider plugin.";

/** Environment for a throwaway local backend: state in `stateDir`, secrets encrypted with a sandbox passphrase. */
export function localBackendEnv(stateDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  fs.mkdirSync(stateDir, { recursive: true });
  return {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "sandbox-passphrase-not-a-secret",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ...extra,
  };
}

export function pulumi(args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync("pulumi", [...args, "--non-interactive"], { cwd, env, encoding: "utf8", timeout: 10 * 60 * 1000 });
}
