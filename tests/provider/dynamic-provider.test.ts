/**
 * The module's dynamic-provider plugin (bin/pulumi-resource-pulumi-nodejs → provider/dynamic-provider.ts), driven over
 * gRPC as the engine drives it, with a Cerby resource whose delete is held by a 503 with Retry-After:
 *
 * - the engine's Cancel (what `pulumi` sends on Ctrl-C) ends the wait at once with a message, and nothing more is
 *   sent — while Pulumi's own plugin answers Cancel and carries on (the control);
 * - when the engine is gone — stdin closes, the parent dies, the engine's address refuses — the plugin exits and
 *   nothing more is sent; in Pulumi's own plugin, the module's code does the same (components/lifecycle.ts);
 * - it starts through a symlink (npm's node_modules/.bin) from a folder without node_modules (a YAML project).
 *
 * The Retry-After is 3 s: long enough to act inside it, short enough to wait past it and see that no write follows.
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { providerRefText } from "../../components/provider-ref";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { freshSecret } from "../helpers/keys";
import { projectCopy } from "../helpers/project-copy";

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-require-imports */
const structpb = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }));
const emptypb = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdkDir] }));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const provpb = require("@pulumi/pulumi/proto/provider_pb");
const provgrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const RETRY_AFTER_S = 3;

interface Plugin {
  child: ChildProcess;
  client: any;
  stderr(): string;
  exited: Promise<void>;
  /** Whether the process has exited. */
  gone(): boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `pid` still runs (an exited process not yet reaped by its parent, a zombie, does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until(what: string, f: () => boolean, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts a plugin as the CLI does (`<bin> <engine address>`, stdin a pipe) and connects to the port it prints. */
async function startPlugin(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Plugin> {
  const child = spawn(bin, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`plugin exited (${code}) before serving: ${err}`)));
    child.once("error", reject);
  });
  return {
    child,
    client: new provgrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()),
    stderr: () => err,
    exited,
    gone: () => child.exitCode !== null || child.signalCode !== null,
  };
}

function rpc(p: Plugin, method: string, req: unknown): Promise<any> {
  return new Promise((resolve, reject) =>
    p.client[method](req, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))),
  );
}

async function stopPlugin(p: Plugin | undefined): Promise<void> {
  if (!p) return;
  p.client.close();
  if (!p.gone()) {
    p.child.kill("SIGKILL");
    await p.exited;
  }
}

describe("the module's dynamic-provider plugin (bin/pulumi-resource-pulumi-nodejs)", function () {
  this.timeout(60_000);
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const key = freshSecret("cby_");
  const oktaToken = freshSecret("00");
  let tmp = "";
  /** A copy of the project (its TypeScript transpiled once, through the tests' cache) that the plugins load. */
  let pkg = "";
  let ours = "";
  let project = "";
  let plugin: Plugin | undefined;
  let ws = "";
  /** The setting's path as messages name it (relative to the workspace URL), and on the emulator (under /ws/acme). */
  const UL_PATH = "/api/v1/settings/idp/universal-logout";
  let ulOnEmulator = "";

  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CERBY_HTTP_BASE_DELAY_MS: "5",
    ...(process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {}),
  });
  /** Our plugin through an npm-style symlink, started in a folder without node_modules. */
  const startOurs = (args = ["127.0.0.1:1"]) => startPlugin(ours, args, project, env());
  /** Pulumi's own plugin as the CLI starts it (its shim resolves @pulumi/pulumi from the working folder). */
  const startPulumis = () =>
    startPlugin(path.join(sdkDir, "pulumi-resource-pulumi-nodejs"), ["127.0.0.1:1"], pkg, env());

  const props = () =>
    structpb.Struct.fromJavaScript({
      baseUrl: ws,
      mode: "api",
      url: ws,
      enabled: true,
      warnings: [],
      __provider: providerRefText("cerby", path.join(pkg, "dist", "components", "provider-loader.js")),
    });
  const configure = (p: Plugin) => {
    const req = new provpb.ConfigureRequest();
    req.setArgs(structpb.Struct.fromJavaScript({ "cerby:apiKey": key, "okta:apiToken": oktaToken }));
    return rpc(p, "configure", req);
  };
  /** Delete of the Cerby resource (a PUT that switches Universal Logout off), as the engine sends it. */
  const del = (p: Plugin): Promise<unknown> => {
    const req = new provpb.DeleteRequest();
    req.setId(`${ws}#okta-universal-logout`);
    req.setUrn("urn:pulumi:dev::cerby::pulumi-nodejs:dynamic/cerby:UniversalLogout::acme-cerby");
    req.setProperties(props());
    return rpc(p, "delete", req);
  };
  const puts = () => cerby.server.count({ method: "PUT", pathPrefix: ulOnEmulator });
  /** Holds the next PUT with a 503 and Retry-After, then starts a delete and returns once the 503 was sent. */
  const deleteHeldByRetryAfter = async (p: Plugin) => {
    await configure(p);
    cerby.server.inject({
      kind: "status",
      status: 503,
      times: 1,
      method: "PUT",
      pathPrefix: ulOnEmulator,
      headers: { "Retry-After": String(RETRY_AFTER_S) },
    });
    const outcome = del(p).then(
      () => ({ ok: true as const, at: Date.now() }),
      (e: { details?: string; message?: string }) => ({
        ok: false as const,
        at: Date.now(),
        error: e.details ?? e.message,
      }),
    );
    await until("the first PUT", () => puts() === 1);
    return { outcome, heldAt: Date.now() };
  };
  /** Waits until the Retry-After would have passed, plus a margin for a retry to arrive. */
  const pastRetryAfter = (heldAt: number) => sleep(Math.max(0, heldAt + RETRY_AFTER_S * 1000 + 1500 - Date.now()));

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-plugin-"));
    pkg = projectCopy("cerby-plugin-package-");
    // npm links package binaries into node_modules/.bin; a YAML project has no node_modules of its own.
    fs.mkdirSync(path.join(tmp, "links", ".bin"), { recursive: true });
    ours = path.join(tmp, "links", ".bin", "pulumi-resource-pulumi-nodejs");
    fs.symlinkSync(path.join(pkg, "bin", "pulumi-resource-pulumi-nodejs"), ours);
    project = path.join(tmp, "yaml-project");
    fs.mkdirSync(project);
    await cerby.start();
    cerby.addWorkspace("acme");
    cerby.addApiKey("acme", key, { role: "admin" });
    ws = cerby.workspaceUrl("acme");
    await okta.start();
    okta.addApiToken(oktaToken);
    ulOnEmulator = `${new URL(ws).pathname.replace(/\/$/, "")}${UL_PATH}`;
  });
  after(async () => {
    await cerby.stop();
    await okta.stop();
    for (const d of [tmp, pkg]) fs.rmSync(d, { recursive: true, force: true });
  });
  beforeEach(() => {
    cerby.server.clearFaults();
    cerby.server.clearLog();
  });
  afterEach(async () => {
    await stopPlugin(plugin);
    plugin = undefined;
  });

  it("serves through a symlink from a folder without node_modules, and a delete works", async () => {
    plugin = await startOurs();
    const info = await rpc(plugin, "getPluginInfo", new emptypb.Empty());
    expect(info.getVersion()).to.match(/^\d+\.\d+\.\d+/);
    await configure(plugin);
    await del(plugin);
    expect(puts()).to.equal(1);
  });

  it("Cancel (Ctrl-C) ends a Retry-After wait at once, says what was and was not done, and nothing more is sent", async () => {
    plugin = await startOurs();
    const { outcome, heldAt } = await deleteHeldByRetryAfter(plugin);
    const cancelledAt = Date.now();
    await rpc(plugin, "cancel", new emptypb.Empty());
    const r = await outcome;
    expect(r.ok).to.equal(false);
    expect(r.at - cancelledAt).to.be.below(1000);
    const error = r.ok ? "" : r.error;
    expect(error).to.match(
      new RegExp(
        `^Cerby: stopped trying to turn off Universal Logout in Cerby \\(delete\\) while waiting ${RETRY_AFTER_S} s that Cerby asked for \\(Retry-After\\) before retrying PUT ${UL_PATH}: the run was cancelled`,
      ),
    );
    expect(error).to.contain(
      `Done: PUT ${UL_PATH} → 503. Of the writes: PUT ${UL_PATH} was refused (HTTP 503) and changed nothing.`,
    );
    await pastRetryAfter(heldAt);
    expect(puts(), "no PUT after Cancel").to.equal(1);
    // Nothing starts after Cancel either: a new step fails before any request.
    const again = await del(plugin).then(
      () => "succeeded",
      (e: { details?: string }) => e.details ?? "",
    );
    expect(again).to.match(/while starting: the run was cancelled/);
    expect(again).to.contain("Done: no request had been sent. Nothing was written to Cerby.");
    expect(puts()).to.equal(1);
  });

  it("Cancel ends enforce's re-reads at once: the Express Configuration POST is reported as applied", async () => {
    plugin = await startOurs();
    await configure(plugin);
    const app = okta.addApp({ universalLogout: "DISABLED" });
    okta.expressConfigure = "available";
    okta.expressConfigureDelayReads = 30;
    const req = new provpb.CreateRequest();
    req.setUrn("urn:pulumi:dev::cerby::pulumi-nodejs:dynamic/okta:UniversalLogout::acme-okta");
    req.setProperties(
      structpb.Struct.fromJavaScript({
        orgUrl: okta.baseUrl,
        appInstanceId: app.id,
        mode: "enforce",
        waitTimeoutSeconds: 600,
        pollIntervalSeconds: 10,
        requireProvisioning: false,
        __provider: providerRefText("okta", path.join(pkg, "dist", "components", "provider-loader.js")),
      }),
    );
    const outcome = rpc(plugin, "create", req).then(
      () => ({ ok: true as const, at: Date.now(), error: "" }),
      (e: { details?: string }) => ({ ok: false as const, at: Date.now(), error: e.details ?? "" }),
    );
    const reads = () => okta.server.count({ method: "GET", pathPrefix: `/api/v1/apps/${app.id}` });
    await until("Express Configuration and two re-reads", () => okta.server.writes().length === 1 && reads() >= 3);
    const cancelledAt = Date.now();
    await rpc(plugin, "cancel", new emptypb.Empty());
    const r = await outcome;
    expect(r.ok).to.equal(false);
    expect(r.at - cancelledAt).to.be.below(1000);
    expect(r.error).to.match(
      /^Okta: stopped trying to converge Universal Logout on the Okta app \(create, mode enforce\) while re-reading the app until Okta shows Universal Logout ENABLED after Express Configuration \(now DISABLED, read \d+ of 10\): the run was cancelled/,
    );
    expect(r.error).to.contain(
      `Of the writes: POST /api/v1/apps/${app.id}/express-configure/UNIVERSAL_LOGOUT was applied.`,
    );
    const readsAtCancel = reads();
    await sleep(2500);
    expect(reads(), "no re-read after Cancel").to.equal(readsAtCancel);
  });

  it("control: Pulumi's own plugin answers Cancel and carries on — its PUT lands after the Retry-After", async () => {
    plugin = await startPulumis();
    const { outcome } = await deleteHeldByRetryAfter(plugin);
    await rpc(plugin, "cancel", new emptypb.Empty());
    const r = await outcome;
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    expect(puts()).to.equal(2);
  });

  it("exits when its stdin closes (the CLI is gone), and nothing more is sent", async () => {
    plugin = await startOurs();
    const { heldAt } = await deleteHeldByRetryAfter(plugin);
    plugin.child.stdin!.end();
    await Promise.race([plugin.exited, sleep(2000)]);
    expect(plugin.gone(), "exited within 2 s").to.equal(true);
    expect(plugin.stderr()).to.contain("the Pulumi engine is gone (the plugin's standard input closed)");
    await pastRetryAfter(heldAt);
    expect(puts(), "no PUT after the engine is gone").to.equal(1);
  });

  it("in Pulumi's own plugin, the module's code stops the same way when stdin closes", async () => {
    plugin = await startPulumis();
    const { heldAt } = await deleteHeldByRetryAfter(plugin);
    plugin.child.stdin!.end();
    await pastRetryAfter(heldAt);
    expect(puts(), "no PUT after the engine is gone").to.equal(1);
    expect(plugin.gone(), "the plugin exited").to.equal(true);
  });

  it("exits when its parent dies (stdin still open), and nothing more is sent", async () => {
    // A parent that starts the plugin with our stdin and stdout, then is killed: the plugin gets a new parent.
    const parentScript = `const c = require("child_process").spawn(${JSON.stringify(ours)}, ["127.0.0.1:1"], { stdio: "inherit" }); process.stderr.write("child " + c.pid + "\\n"); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", parentScript], { cwd: project, env: env(), stdio: "pipe" });
    let err = "";
    let pid = 0;
    let client: any;
    try {
      parent.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const port = await new Promise<string>((resolve) => {
        let out = "";
        parent.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /^(\d+)\n/.exec(out);
          if (m) resolve(m[1]);
        });
      });
      await until("the plugin's pid", () => /child (\d+)/.test(err));
      pid = Number(/child (\d+)/.exec(err)![1]);
      client = new provgrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const p: Plugin = { child: parent, client, stderr: () => err, exited: Promise.resolve(), gone: () => true };
      const { heldAt } = await deleteHeldByRetryAfter(p);
      expect(running(pid)).to.equal(true);
      parent.kill("SIGKILL");
      await pastRetryAfter(heldAt);
      expect(puts(), "no PUT after the parent died").to.equal(1);
      expect(running(pid), "the plugin exited").to.equal(false);
    } finally {
      client?.close();
      parent.kill("SIGKILL");
      if (pid && running(pid)) process.kill(pid, "SIGKILL");
    }
  });

  it("sends no write once the engine's address stops answering, and exits", async () => {
    // A stand-in engine that accepts connections, then goes away during the Retry-After.
    let probes = 0;
    const engine = net.createServer((s) => {
      probes++;
      s.destroy();
    });
    await new Promise<void>((r) => engine.listen(0, "127.0.0.1", () => r()));
    const address = `127.0.0.1:${(engine.address() as net.AddressInfo).port}`;
    plugin = await startOurs([address]);
    // The plugin must have seen the engine answer (it trusts a refusal only from an address that answered before):
    // waited for, not assumed after a fixed time, which a loaded machine can exceed.
    await until("the plugin to reach the engine once", () => probes > 0, 10_000);
    const { heldAt } = await deleteHeldByRetryAfter(plugin);
    await new Promise<void>((r) => engine.close(() => r()));
    await pastRetryAfter(heldAt);
    expect(puts(), "no PUT to a vendor once the engine is gone").to.equal(1);
    await until("the plugin to exit", () => plugin!.gone(), 3000);
    expect(plugin.stderr()).to.contain(`the Pulumi engine at ${address} no longer answers`);
  });
});
