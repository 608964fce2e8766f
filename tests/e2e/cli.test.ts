/**
 * Scenarios 1–3 and 6 through the real Pulumi CLI, with a local file backend, against the emulators. Runs only where a
 * `pulumi` binary is on PATH; elsewhere the suite is skipped and says why (lifecycle.test.ts covers the same scenarios
 * through the dynamic-provider plugin without the CLI).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NO_CLI_HELP, localBackendEnv, pulumi, pulumiVersion } from "../../scripts/pulumi-cli";
import { SANDBOX, Sandbox, startSandbox } from "../emulators/sandbox";

describe("real `pulumi` CLI against the emulators (local file backend)", function () {
  this.timeout(10 * 60 * 1000);
  const root = path.resolve(__dirname, "../..");
  const stack = `e2e${process.pid}`;
  let dir: string;
  let s: Sandbox;
  let env: NodeJS.ProcessEnv;
  let configFile: string;

  // --config-file keeps the test stack's settings out of the repository; only these commands take it.
  const takesConfigFile = new Set(["config", "up", "preview", "refresh", "destroy"]);
  const run = (...args: string[]) =>
    pulumi(
      [...args, "--stack", stack, ...(takesConfigFile.has(args[0]) ? ["--config-file", configFile] : [])],
      root,
      env,
    );
  const must = (...args: string[]) => {
    const r = run(...args);
    expect(r.status, `pulumi ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).to.equal(0);
    return r;
  };

  before(async function () {
    const version = pulumiVersion();
    if (!version) {
      console.log(`      skipped: ${NO_CLI_HELP}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-cli-"));
    configFile = path.join(dir, `Pulumi.${stack}.yaml`);
    s = await startSandbox({ cerby: 0, okta: 0 });
    s.okta.setUniversalLogout(SANDBOX.appId, "ENABLED");
    env = localBackendEnv(path.join(dir, "state"), {
      CERBY_HTTP_BASE_DELAY_MS: "5",
      OKTA_HTTP_BASE_DELAY_MS: "5",
    });
    must("stack", "init", stack);
    must("config", "set", "cerby:baseUrl", s.cerby.workspaceUrl(SANDBOX.workspace));
    must("config", "set", "cerby:oktaOrgUrl", s.okta.baseUrl);
    must("config", "set", "--secret", "cerby:apiKey", SANDBOX.cerbyApiKey);
    must("config", "set", "--secret", "okta:apiToken", SANDBOX.oktaApiToken);
  });

  after(async () => {
    if (!dir) return;
    run("stack", "rm", "--yes", "--force");
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("1. `pulumi up` from nothing enables Cerby and verifies Okta", () => {
    must("up", "--yes", "--skip-preview");
    expect(s.cerby.getSetting(SANDBOX.workspace)).to.include({ enabled: true, appInstanceId: SANDBOX.appId });
    const out = JSON.parse(must("stack", "output", "--json").stdout);
    expect(out).to.include({ appInstanceId: SANDBOX.appId, cerbyEnabled: true, oktaUniversalLogoutStatus: "ENABLED" });
  });

  it("2. a second `pulumi preview --expect-no-changes` passes and nothing is written", () => {
    s.cerby.server.clearLog();
    s.okta.server.clearLog();
    must("preview", "--expect-no-changes");
    expect([...s.cerby.server.writes(), ...s.okta.server.writes()]).to.have.length(0);
  });

  it("3. drift in Cerby fails `preview --refresh --expect-no-changes`, and `up --refresh` repairs it", () => {
    s.cerby.setSetting(SANDBOX.workspace, { enabled: false });
    expect(run("preview", "--refresh", "--expect-no-changes").status).to.not.equal(0);
    must("up", "--refresh", "--yes", "--skip-preview");
    expect(s.cerby.getSetting(SANDBOX.workspace)).to.include({ enabled: true, appInstanceId: SANDBOX.appId });
  });

  it("6. `pulumi destroy` disables Cerby and leaves Okta untouched", () => {
    s.okta.server.clearLog();
    must("destroy", "--yes", "--skip-preview");
    expect(s.cerby.getSetting(SANDBOX.workspace).enabled).to.equal(false);
    expect(s.okta.server.writes()).to.have.length(0);
    const state = must("stack", "export", "--show-secrets=false").stdout;
    expect(state).not.to.contain(SANDBOX.cerbyApiKey);
  });
});
