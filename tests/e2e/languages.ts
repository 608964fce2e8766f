/**
 * The TypeScript sandbox's lifecycle, run from another Pulumi language's example (examples/<language>/) through the
 * real CLI against both emulators: the component reached through its provider plugin (pulumi-resource-cerby) and
 * its children through the package's pulumi-nodejs plugin. Each language's test file gives the way to run a command
 * (YAML: the CLI and its YAML host; Python and Go: their Automation API's inline program, as no language host can be
 * had here) and this module runs the same steps and assertions for all of them.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { scan } from "../hardening/scan";
import { consumerNodeModules } from "../helpers/project-copy";
import { CliRig, ROOT, filesUnder } from "./cli-rig";

/** What a language's example must be able to do, each as one command of that language's own tooling. */
export type Step = "up" | "preview-refresh-expect-no-changes" | "up-refresh" | "destroy" | "preview";

export interface LanguageDriver {
  /** The example's folder under examples/. */
  example: string;
  /**
   * Prepares the copy of the example (install, generate an SDK, `stack init`…), after node_modules is in place; `ctx`
   * is the `before` hook's, to skip (outside CI) when a host is missing.
   */
  prepare?(dir: string, env: NodeJS.ProcessEnv, ctx: Mocha.Context): Promise<void>;
  /** Runs one step in the example's copy with the stack's environment; never throws for a failed command. */
  run(step: Step, dir: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }>;
  /**
   * Sets a stack config value (the examples' own keys, and the credentials); default: `pulumi config set`, which needs
   * no language host.
   */
  config?(dir: string, env: NodeJS.ProcessEnv, key: string, value: string, secret?: boolean): Promise<void>;
}

/** Runs a command, collecting its output; never rejects for a non-zero exit. */
export function runProcess(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; output: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** A copy of examples/<name> with the package installed as `npm install cerby-okta-universal-logout` leaves it. */
export function exampleCopy(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cerby-example-${name}-`));
  fs.cpSync(path.join(ROOT, "examples", name), dir, { recursive: true });
  consumerNodeModules(dir, ROOT);
  return dir;
}

/** Registers the lifecycle's tests in the calling `describe`. */
export function languageLifecycle(rig: CliRig, driver: LanguageDriver): void {
  const { cerby, okta } = rig;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const transcript: Array<{ source: string; text: string }> = [];
  const run = async (step: Step) => {
    const r = await driver.run(step, dir, env);
    transcript.push({ source: `${driver.example}: ${step}`, text: r.output });
    return r;
  };
  const config = (key: string, value: string, secret = false) =>
    driver.config
      ? driver.config(dir, env, key, value, secret)
      : rig
          .must(["config", "set", ...(secret ? ["--secret", key] : [key, value])], {
            cwd: dir,
            env,
            stdin: secret ? value : undefined,
          })
          .then(() => undefined);
  const must = async (step: Step) => {
    const r = await run(step);
    expect(r.status, `${step}:\n${r.output}`).to.equal(0);
    return r;
  };

  before(async function () {
    // Long enough for a cold build of what the language needs (the YAML host, the SDK generator…).
    this.timeout(20 * 60 * 1000);
    dir = exampleCopy(driver.example);
    env = { ...rig.env, PULUMI_HOME: path.join(rig.tmp, `pulumi-home-${driver.example}`) };
    await driver.prepare?.(dir, env, this);
    await rig.must(["stack", "init", "dev"], { cwd: dir, env });
    cerby.addWorkspace(driver.example);
    cerby.addApiKey(driver.example, rig.cerbyKey, { role: "admin" });
    await config("cerbyUrl", cerby.workspaceUrl(driver.example));
    await config("oktaOrgUrl", okta.baseUrl);
    await config("cerby:apiKey", rig.cerbyKey, true);
    await config("okta:apiToken", rig.oktaToken, true);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("`up` converges both sides, Cerby bound to the Cerby app's App instance ID", async () => {
    const r = await must("up");
    expect(r.output).to.match(/4 created/);
    expect(cerby.getSetting(driver.example)).to.include({ enabled: true, appInstanceId: rig.appId });
    expect(okta.server.writes()).to.have.length(0);
  });

  it("`preview --refresh --expect-no-changes` passes on the converged stack", async () => {
    await must("preview-refresh-expect-no-changes");
  });

  it("drift made in Cerby fails the drift check; `up --refresh` repairs it", async () => {
    cerby.setSetting(driver.example, { enabled: false });
    const drift = await run("preview-refresh-expect-no-changes");
    expect(drift.status, drift.output).to.not.equal(0);
    expect(drift.output).to.match(/enabled/);
    await must("up-refresh");
    expect(cerby.getSetting(driver.example)).to.include({ enabled: true, appInstanceId: rig.appId });
    await must("preview-refresh-expect-no-changes");
  });

  it("a bad input gets the TypeScript component's message, and nothing is written", async () => {
    await config("cerbyUrl", "ftp://cerby.example.com");
    rig.cerby.server.clearLog();
    const r = await run("preview");
    expect(r.status, r.output).to.not.equal(0);
    // The Cerby resource's own check, as a TypeScript program gets it.
    expect(r.output).to.match(/baseUrl[^\n]*"ftp:\/\/cerby\.example\.com" must use https:\/\//);
    expect(r.output).not.to.contain("Unhandled exception");
    expect(rig.writes()).to.have.length(0);
    await config("cerbyUrl", cerby.workspaceUrl(driver.example));
  });

  it("`destroy` switches Universal Logout off in Cerby and makes no Okta call that writes", async () => {
    const r = await must("destroy");
    expect(r.output).to.contain("Okta has no API to turn Universal Logout off");
    expect(cerby.getSetting(driver.example)).to.include({ enabled: false });
    expect(okta.server.writes()).to.have.length(0);
  });

  it("secrets: no output, state or Pulumi home of this stack holds a credential, in any form", () => {
    const artifacts = [
      ...transcript,
      ...filesUnder(path.join(rig.tmp, "state")),
      ...filesUnder(env.PULUMI_HOME!),
      ...filesUnder(dir).filter((f) => !f.source.includes(`${path.sep}node_modules${path.sep}`)),
    ];
    const secrets = [
      { name: "cerby:apiKey", value: rig.cerbyKey },
      { name: "okta:apiToken", value: rig.oktaToken },
    ];
    expect(artifacts.length).to.be.greaterThan(3);
    expect(scan(artifacts, secrets)).to.deep.equal([]);
    const planted = [...artifacts, { source: "planted", text: `x${Buffer.from(rig.oktaToken).toString("base64")}` }];
    expect([...new Set(scan(planted, secrets).map((h) => h.source))]).to.deep.equal(["planted"]);
  });
}
