/**
 * Runs cut short, through the real Pulumi CLI (./cli-rig.ts) as an operator meets them:
 *
 * - Ctrl-C (SIGINT to the `pulumi` process: a terminal's Ctrl-C reaches only the CLI, which starts plugins in process
 *   groups of their own) during `cerby:oktaMode wait` ends the run within seconds, with a message;
 * - `kill -9` of `pulumi` during `destroy` while Cerby answers 503 with a long Retry-After, then the README's way back:
 *   the emulator receives no write after the recovery, even once the Retry-After has passed, and the drift check is
 *   clean — with this project's plugin (Pulumi.yaml `plugins:`) and with Pulumi's own (the entry removed);
 * - `kill -9` during `up` (a stale lock, a pending create), then a truncated checkpoint: recovered with exactly the
 *   commands of the README's "When a run was interrupted", read from the README itself;
 * - the program's process dying mid-run (`error reading from server: EOF`).
 *
 * The Retry-After is 30 s: the recovery must be over before it passes, or the test could not tell an orphaned write
 * from the recovery's own (the test checks that it was, and fails as inconclusive otherwise; the README's three
 * commands took 5–7 s on an idle machine, 15 s beside other test runs).
 */
import { expect } from "chai";
import { ChildProcess, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CliResult } from "../../scripts/pulumi-cli";
import { projectCopy } from "../helpers/project-copy";
import { CliRig, ROOT, useCliRig } from "./cli-rig";

const RETRY_AFTER_S = 30;
const UL_PATH = "/api/v1/settings/idp/universal-logout";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, f: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The README's section "When a run was interrupted", and its `sh` code blocks in order. */
function recoveryBlocks(): { steps: string; restore: string; leftovers: string; section: string } {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## When a run was interrupted\n");
  expect(start, "the README's recovery section").to.be.greaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/^ {3}/gm, ""));
  expect(blocks, "its sh blocks: the way back, the restore, the leftover processes").to.have.length(3);
  const [steps, restore, leftovers] = blocks;
  return { steps, restore, leftovers, section };
}

/** The `pulumi` commands of a block, as argument lists (comments dropped). */
function pulumiCommands(block: string): string[][] {
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l.startsWith("pulumi "))
    .map((l) => l.split(/\s+/).slice(1));
}

/** Processes whose working folder is `dir`, with their command lines. */
function processesIn(dir: string): Array<{ pid: number; args: string }> {
  const out: Array<{ pid: number; args: string }> = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (fs.readlinkSync(`/proc/${e}/cwd`) !== dir) continue;
      const args = fs.readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0").join(" ").trim();
      out.push({ pid: Number(e), args });
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

/** The Node.js dynamic-provider plugin of a run in `dir` (ours runs provider/dynamic-provider.ts, Pulumi's its own). */
function pluginIn(dir: string): { pid: number; args: string } | undefined {
  return processesIn(dir).find((p) => /^node .*dynamic-provider/.test(p.args));
}

/** Whether `pid` still runs (an exited process that no parent has reaped yet, a zombie, does not). */
/** The process listening on 127.0.0.1:`port` (IPv4), from /proc/net/tcp and each process's sockets. */
function listenerOn(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inode = fs
    .readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === "0A")?.[9];
  if (!inode) return undefined;
  for (const e of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      if (fs.readdirSync(`/proc/${e}/fd`).some((fd) => fs.readlinkSync(`/proc/${e}/fd/${fd}`) === `socket:[${inode}]`))
        return Number(e);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Starts `pulumi <args>` and returns the process (to interrupt) and the result once it ends. */
async function started(
  rig: CliRig,
  args: string[],
  cwd: string,
): Promise<{ child: ChildProcess; done: Promise<CliResult & { at: number }> }> {
  let child: ChildProcess | undefined;
  const done = rig.cli(args, { cwd, onSpawn: (c) => (child = c) }).then((r) => ({ ...r, at: Date.now() }));
  await until("pulumi to start", () => child !== undefined);
  return { child: child!, done };
}

describe("real `pulumi` CLI: runs cut short (Ctrl-C, kill -9) and the way back", function () {
  this.timeout(10 * 60 * 1000);
  const rig = useCliRig();
  const { cerby, okta, cerbyKey, oktaToken, must, mustFail } = rig;
  /** Cerby answers the workspace's next Universal Logout PUT with 503 and a Retry-After; returns the PUT's path. */
  const holdNextPut = (ws: string, retryAfterS: number): string => {
    const putPath = `${new URL(cerby.workspaceUrl(ws)).pathname}${UL_PATH}`;
    cerby.server.inject({
      kind: "status",
      status: 503,
      times: 1,
      method: "PUT",
      pathPrefix: putPath,
      headers: { "Retry-After": String(retryAfterS) },
    });
    return putPath;
  };
  const output = (r: CliResult) => r.stdout + r.stderr;
  const stateDir = () => path.join(rig.tmp, "state", ".pulumi");
  /** Plugins of killed runs: any still running at the end (a regression) are ended by their id. */
  const plugins: number[] = [];
  after(() => {
    for (const pid of plugins) if (alive(pid)) process.kill(pid, "SIGKILL");
  });

  /** A new stack in `cwd` for workspace `ws` of the Cerby emulator (created here), verifying the rig's Okta app. */
  async function stack(name: string, ws: string, cwd: string, extra: Record<string, string> = {}): Promise<void> {
    cerby.addWorkspace(ws);
    cerby.addApiKey(ws, cerbyKey, { role: "admin" });
    const opts = { cwd };
    await must(["stack", "init", name], opts);
    await must(["config", "set", "cerby:baseUrl", cerby.workspaceUrl(ws)], opts);
    await must(["config", "set", "cerby:oktaOrgUrl", okta.baseUrl], opts);
    await must(["config", "set", "cerby:appInstanceId", rig.appId], opts);
    for (const [k, v] of Object.entries(extra)) await must(["config", "set", k, v], opts);
    await must(["config", "set", "--secret", "cerby:apiKey"], { ...opts, stdin: cerbyKey });
    await must(["config", "set", "--secret", "okta:apiToken"], { ...opts, stdin: oktaToken });
  }

  it("Ctrl-C during `wait` ends the run within seconds, saying what was and was not done; the next `up` converges", async () => {
    const app = okta.addApp({ label: "Cerby (wait)", universalLogout: "DISABLED", gtrEndpoint: rig.gtrEndpoint() });
    await stack("ctrl-c", "waiting", rig.project, {
      "cerby:oktaMode": "wait",
      "cerby:oktaWaitTimeoutSeconds": "300",
      "cerby:oktaPollIntervalSeconds": "2",
    });
    await must(["config", "set", "cerby:appInstanceId", app.id]);
    const reads = () => okta.server.count({ method: "GET", pathPrefix: `/api/v1/apps/${app.id}` });
    const { child, done } = await started(rig, ["up", "--yes", "--skip-preview"], rig.project);
    // The program reads the app once; the provider's polls follow, 2 s apart.
    await until("the provider to be waiting for an admin", () => reads() >= 3);
    const plugin = pluginIn(rig.project);
    const interruptedAt = Date.now();
    child.kill("SIGINT");
    // Bounded: a CLI that ignored Ctrl-C would poll on for 300 s.
    const r = await Promise.race([done, sleep(15_000).then(() => undefined)]);
    if (!r) {
      child.kill("SIGKILL");
      const killed = await done;
      expect.fail(`the run did not end within 15 s of Ctrl-C:\n${output(killed)}`);
    }
    const ms = r.at - interruptedAt;
    console.log(`      Ctrl-C to the end of the run: ${ms} ms`);
    expect(ms, output(r)).to.be.below(10_000);
    expect(r.status).to.not.equal(0);
    expect(output(r)).to.contain("^C received; cancelling");
    expect(output(r)).to.match(
      new RegExp(
        `Okta: stopped trying to converge Universal Logout on the Okta app \\(create, mode wait\\) while waiting for an admin to turn on Universal Logout for "Cerby \\(wait\\)" \\(${app.id}\\) in the Okta Admin Console \\(Okta showed DISABLED; waited \\d+ s of 300 s\\): the run was cancelled`,
      ),
    );
    expect(output(r)).to.contain("Nothing was written to Okta.");
    expect(okta.server.writes()).to.have.length(0);
    expect(plugin?.args, "the CLI ran the plugin Pulumi.yaml names").to.match(/dist\/provider\/dynamic-provider\.js/);
    // No lock, nothing pending: once the box is ticked, the next run converges.
    okta.setUniversalLogout(app.id, "ENABLED");
    await must(["up", "--yes", "--skip-preview"]);
    await must(["preview", "--refresh", "--expect-no-changes"]);
  });

  for (const plugin of ["this project's plugin", "Pulumi's own plugin (no `plugins:` entry)"] as const) {
    it(`kill -9 during \`destroy\` under a ${RETRY_AFTER_S} s Retry-After, then the README's way back: no write after it (${plugin})`, async () => {
      const ours = plugin === "this project's plugin";
      let cwd = rig.project;
      if (!ours) {
        cwd = projectCopy("cerby-project-stock-");
        const yaml = path.join(cwd, "Pulumi.yaml");
        fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace(/^plugins:\n(?: .*\n)+/m, ""));
        expect(fs.readFileSync(yaml, "utf8")).not.to.contain("plugins:");
      }
      const ws = ours ? "killed-ours" : "killed-stock";
      try {
        await stack(ws, ws, cwd);
        await must(["up", "--yes", "--skip-preview"], { cwd });
        expect(cerby.getSetting(ws)).to.include({ enabled: true });
        const putPath = holdNextPut(ws, RETRY_AFTER_S);
        cerby.server.clearLog();
        const { child, done } = await started(rig, ["destroy", "--yes", "--skip-preview"], cwd);
        await until("the disabling PUT", () => cerby.server.count({ method: "PUT", pathPrefix: putPath }) === 1);
        const heldAt = Date.now();
        const p = pluginIn(cwd);
        plugins.push(p!.pid);
        const killedAt = Date.now();
        child.kill("SIGKILL");
        await done;
        // The plugin of the killed run goes away by itself (checked at the end: the writes are what matters most).
        const exited = await until("the plugin's exit", () => !alive(p!.pid), 5000).then(
          () => Date.now() - killedAt,
          () => undefined,
        );
        console.log(`      kill -9 to the plugin's exit: ${exited ?? "not within 5 s"} ms`);

        const { steps } = recoveryBlocks();
        const commands = pulumiCommands(steps);
        expect(commands.map((c) => c[0])).to.deep.equal(["cancel", "refresh", "up"]);
        const recoveryFrom = Date.now();
        for (const c of commands) await must(c, { cwd });
        const recoveredAt = Date.now();
        console.log(`      the README's three commands: ${((recoveredAt - recoveryFrom) / 1000).toFixed(1)} s`);
        expect(
          recoveredAt,
          "the recovery ended before the Retry-After passed (else this test cannot tell)",
        ).to.be.below(heldAt + RETRY_AFTER_S * 1000);
        expect(cerby.getSetting(ws)).to.include({ enabled: true, appInstanceId: rig.appId });
        await sleep(heldAt + RETRY_AFTER_S * 1000 + 3000 - Date.now());
        const late = cerby.server.requests.filter((q) => q.method !== "GET" && q.at > recoveredAt);
        expect(late, "writes after the recovery").to.deep.equal([]);
        expect(cerby.getSetting(ws)).to.include({ enabled: true });
        await must(["preview", "--refresh", "--expect-no-changes"], { cwd });
        expect(p?.args, "which plugin ran").to.match(
          ours ? /dist\/provider\/dynamic-provider\.js/ : /cmd\/dynamic-provider\/index\.js/,
        );
        expect(exited, "the killed run's plugin exited within 5 s").to.not.equal(undefined);
      } finally {
        if (!ours) fs.rmSync(cwd, { recursive: true, force: true });
      }
    });
  }

  it("kill -9 during `up` (stale lock, pending create), then a truncated checkpoint: the README's commands, exactly", async () => {
    // The README's restore block names project cerby, stack dev, in ~/.pulumi: this test's backend, with HOME there.
    const { steps, restore, leftovers } = recoveryBlocks();
    cerby.addWorkspace("two");
    cerby.addApiKey("two", cerbyKey, { role: "admin" });
    const one = { name: "one", baseUrl: cerby.workspaceUrl("one") };
    await stack("dev", "one", rig.project, { "cerby:bindings": JSON.stringify([one]) });
    await must(["config", "set", "cerby:baseUrl", ""]);
    await must(["up", "--yes", "--skip-preview"]);
    // A second binding, whose Cerby create the killed run leaves pending.
    const two = { name: "two", baseUrl: cerby.workspaceUrl("two") };
    await must(["config", "set", "cerby:bindings", JSON.stringify([one, two])]);
    const putPath = holdNextPut("two", RETRY_AFTER_S);
    const { child, done } = await started(rig, ["up", "--yes", "--skip-preview"], rig.project);
    await until("binding two's PUT", () => cerby.server.count({ method: "PUT", pathPrefix: putPath }) === 1);
    const plugin = pluginIn(rig.project)!;
    plugins.push(plugin.pid);
    child.kill("SIGKILL");
    await done;
    await until("the killed run's plugin to exit", () => !alive(plugin.pid), 5000);

    // What the killed run left: a lock, and a pending create.
    const locked = await mustFail(["up", "--yes", "--skip-preview"]);
    expect(output(locked)).to.contain("the stack is currently locked by 1 lock(s)");
    const exported = JSON.parse((await must(["stack", "export"])).stdout);
    expect(
      (exported.deployment.pending_operations ?? []).map((o: { type: string; resource: { urn: string } }) => [
        o.type,
        o.resource.urn.split("::").pop(),
      ]),
    ).to.deep.include(["creating", "two-cerby"]);
    // Nothing lingers: the README's listing shows no plugin of the killed run.
    const listed = spawnSync("sh", ["-c", leftovers], { encoding: "utf8" }).stdout;
    expect(listed.split("\n").map((l) => Number(l.trim().split(/\s+/)[0]))).not.to.include(plugin.pid);

    // Why step 2 needs its flag: without it, a non-interactive refresh keeps the pending create, and says nothing.
    await must(["cancel", "--yes"]);
    const plain = await must(["refresh", "--yes", "--skip-preview"]);
    expect(output(plain)).not.to.contain("two-cerby");
    const kept = JSON.parse((await must(["stack", "export"])).stdout).deployment.pending_operations ?? [];
    expect(kept.map((o: { type: string }) => o.type)).to.deep.equal(["creating"]);

    // The way back, exactly as the README says.
    for (const c of pulumiCommands(steps)) await must(c);
    const after = JSON.parse((await must(["stack", "export"])).stdout);
    expect(after.deployment.pending_operations ?? []).to.deep.equal([]);
    expect(cerby.getSetting("two")).to.include({ enabled: true, appInstanceId: rig.appId });
    await must(["preview", "--refresh", "--expect-no-changes"]);

    // A full disk truncates the checkpoint and its .bak; the README restores the newest one in the history.
    const checkpoint = path.join(stateDir(), "stacks", "cerby", "dev.json");
    for (const f of [checkpoint, `${checkpoint}.bak`]) {
      const text = fs.readFileSync(f, "utf8");
      fs.writeFileSync(f, text.slice(0, Math.floor(text.length / 2)));
    }
    const broken = await mustFail(["stack", "export"]);
    expect(output(broken)).to.contain("failed to load checkpoint");
    const restored = spawnSync("sh", ["-c", restore], {
      encoding: "utf8",
      env: { ...process.env, HOME: path.dirname(stateDir()) },
    });
    expect(restored.status, restored.stderr).to.equal(0);
    for (const c of pulumiCommands(steps)) await must(c);
    expect(JSON.parse((await must(["stack", "export"])).stdout).deployment.pending_operations ?? []).to.deep.equal([]);
    expect(cerby.getSetting("one")).to.include({ enabled: true });
    expect(cerby.getSetting("two")).to.include({ enabled: true });
    await must(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("the program's process dying mid-run: `error reading from server: EOF`, steps under way finish, no lock is left", async () => {
    // What the README's sentence about this error says, observed: kill -9 of the process serving the program.
    const { section } = recoveryBlocks();
    expect(section).to.contain("`error reading from server: EOF`");
    await stack("eof", "eof", rig.project);
    cerby.server.clearLog();
    const retryAfter = 4;
    const putPath = holdNextPut("eof", retryAfter);
    const { child, done } = await started(rig, ["up", "--yes", "--skip-preview"], rig.project);
    await until("Cerby's PUT", () => cerby.server.count({ method: "PUT", pathPrefix: putPath }) === 1);
    // The process that serves this run's program: the one listening on the port `pulumi` was given (--client), or
    // Pulumi's own Node.js language host where one is installed.
    const client = /--client=127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/cmdline`, "utf8"));
    const host = client
      ? listenerOn(Number(client[1]))
      : processesIn(rig.project).find((p) => /pulumi-language-nodejs/.test(p.args))?.pid;
    expect(host, "the process serving the program").to.not.equal(undefined);
    process.kill(host!, "SIGKILL");
    const r = await done;
    expect(r.status).to.equal(1);
    expect(output(r)).to.contain("error: error reading from server: EOF");
    // The step under way (Cerby's create, waiting out the Retry-After) finished and was recorded; nothing started after.
    expect(output(r)).to.match(/cerby-cerby created/);
    expect(cerby.getSetting("eof")).to.include({ enabled: true });
    expect(output(r)).not.to.match(/cerby-okta created/);
    const state = JSON.parse((await must(["stack", "export"])).stdout);
    expect(state.deployment.pending_operations ?? []).to.deep.equal([]);
    // No lock: the next run simply converges.
    await must(["up", "--yes", "--skip-preview"]);
    await must(["preview", "--refresh", "--expect-no-changes"]);
  });
});
