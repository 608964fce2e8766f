/**
 * The lifecycle through the real Pulumi CLI (built from Go modules when none is installed: scripts/pulumi-engine.sh),
 * with a local file backend, against both emulators. Commands run literally, in a copy of the project (stack files
 * land there, not in the repository). The program and the dynamic-provider plugin may resolve loopback names only
 * (tests/helpers/loopback-only.js). Numbers refer to the scenarios of the real-engine issue; the README's
 * "Tests" section says which scenarios also run through the faster driver (./engine.ts).
 *
 * Speed: the program and the plugin transpile TypeScript without type-checking (PULUMI_NODEJS_TRANSPILE_ONLY, as
 * Pulumi's language host reads it) through a cache of the transpiled files (tests/helpers/cached-transpiler.js), so
 * each `pulumi` command does not transpile components/ again in two processes. `npm run lint` type-checks the same
 * code, and tests/component/sandbox.test.ts runs the project exactly as a user does (default ts-node, type-checking
 * under Pulumi's language host).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliResult, Engine, ProgramHosts, localBackendEnv, pulumi } from "../../scripts/pulumi-cli";
import { CerbyEmulator, GTR_PATH } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { scan } from "../hardening/scan";
import { freshSecret } from "../helpers/keys";
import { projectCopy, transpileOnlyEnv, useCachedTranspiler } from "../helpers/project-copy";
import { ENGINE_BUILD_TIMEOUT_MS, requireEngine } from "../helpers/pulumi-engine";

const ROOT = path.resolve(__dirname, "../..");
const LOOPBACK_ONLY = path.join(ROOT, "tests", "helpers", "loopback-only.js");

/** Every file under `dir`, as text (state, backups, history). */
function filesUnder(dir: string): Array<{ source: string; text: string }> {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((f) => ({ source: f, text: fs.readFileSync(f).toString("utf8") }));
}

describe("real `pulumi` CLI against the emulators (local file backend)", function () {
  this.timeout(5 * 60 * 1000);
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const cerbyKey = freshSecret("cby_");
  const [euKey, usKey] = [freshSecret("cby_"), freshSecret("cby_")];
  const oktaToken = freshSecret("00");
  const user = "ada@example.com";
  const transcript: Array<{ source: string; text: string }> = [];
  // One program host per project copy and environment, kept between commands (see ProgramHosts).
  const hosts = new ProgramHosts();
  let engine: Engine;
  let tmp: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let appId: string;

  const gtrEndpoint = (ws = "acme") => `${cerby.workspaceUrl(ws)}${GTR_PATH}`;
  const writes = () => [...cerby.server.writes(), ...okta.server.writes()];

  /** `pulumi <args>` in `cwd`, as a user types it (plus --non-interactive); every output kept for the secret scan. */
  async function cli(args: string[], opts: { cwd?: string; stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
    const r = await pulumi(engine, args, opts.cwd ?? project, opts.env ?? env, { stdin: opts.stdin, hosts });
    transcript.push({ source: `pulumi ${args.join(" ")}`, text: r.stdout + r.stderr });
    return r;
  }
  const show = (args: string[], r: CliResult) => `pulumi ${args.join(" ")} → ${r.status}\n${r.stdout}\n${r.stderr}`;
  async function must(args: string[], opts: Parameters<typeof cli>[1] = {}) {
    const r = await cli(args, opts);
    expect(r.status, show(args, r)).to.equal(0);
    return r;
  }
  async function mustFail(args: string[], opts: Parameters<typeof cli>[1] = {}) {
    const r = await cli(args, opts);
    expect(r.status, show(args, r)).to.not.equal(0);
    return r;
  }
  const outputs = async () => JSON.parse((await must(["stack", "output", "--json"])).stdout) as Record<string, unknown>;

  before(async function () {
    this.timeout(ENGINE_BUILD_TIMEOUT_MS);
    engine = requireEngine(this);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-cli-"));
    project = projectCopy("cerby-project-", { cachedTranspile: true });
    await cerby.start();
    const oktaUrl = await okta.start();
    cerby.oktaJwksUrl = `${oktaUrl}/oauth2/v1/keys`;
    cerby.addWorkspace("acme");
    cerby.addApiKey("acme", cerbyKey, { role: "admin" });
    cerby.addUser("acme", user, { provisionedBy: "scim" });
    okta.addApiToken(oktaToken);
    appId = okta.addApp({ label: "Cerby", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() }).id;
    env = localBackendEnv(path.join(tmp, "state"), {
      PULUMI_HOME: path.join(tmp, "pulumi-home"),
      NODE_OPTIONS: `--require ${LOOPBACK_ONLY}`,
      CERBY_HTTP_BASE_DELAY_MS: "5",
      OKTA_HTTP_BASE_DELAY_MS: "5",
      CERBY_HTTP_RETRIES: "2",
      ...transpileOnlyEnv,
    });
    await must(["stack", "init", "e2e"]);
    await must(["config", "set", "cerby:baseUrl", cerby.workspaceUrl("acme")]);
    await must(["config", "set", "cerby:oktaOrgUrl", oktaUrl]);
    // As the README says: the secret read from standard input, never on the command line.
    await must(["config", "set", "--secret", "cerby:apiKey"], { stdin: cerbyKey });
    await must(["config", "set", "--secret", "okta:apiToken"], { stdin: oktaToken });
  });

  after(async () => {
    hosts.stop();
    await cerby.stop();
    await okta.stop();
    for (const d of [tmp, project]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  beforeEach(() => {
    cerby.server.clearLog();
    okta.server.clearLog();
  });

  it("8a. before `up`, a logout fired in Okta does not reach Cerby (the user stays logged in)", async () => {
    cerby.login("acme", user);
    expect(await okta.triggerUniversalLogout(appId, user)).to.include({ sent: true, status: 401 });
    expect(cerby.activeSessions("acme", user)).to.equal(1);
  });

  it("1. `pulumi preview` on a new stack plans both children, Cerby before Okta, and writes nothing", async () => {
    const r = await must(["preview"]);
    const cerbyAt = r.stdout.indexOf("pulumi-nodejs:dynamic/cerby:UniversalLogout");
    const oktaAt = r.stdout.indexOf("pulumi-nodejs:dynamic/okta:UniversalLogout");
    expect(cerbyAt, r.stdout).to.be.greaterThan(-1);
    expect(oktaAt, r.stdout).to.be.greaterThan(cerbyAt);
    expect(r.stdout).to.match(/\+ 4 to create/);
    expect(writes()).to.have.length(0);
    expect(cerby.getSetting("acme").enabled).to.equal(false);
  });

  it("1. `pulumi up` converges both sides", async () => {
    const r = await must(["up", "--yes"]);
    expect(r.stdout).to.match(/\+ 4 created/);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    expect(okta.server.writes()).to.have.length(0);
    const out = await outputs();
    expect(out).to.include({ appInstanceId: appId, cerbyEnabled: true, oktaUniversalLogoutStatus: "ENABLED" });
    expect(out.oktaAdminUrl).to.contain(`/instance/${appId}/`);
    // Issue 11's goal, ≤ 20 kB of state per binding, through the CLI's own checkpoint (here the whole file, stack
    // resource and default provider included, for one binding).
    const stateFile = path.join(tmp, "state", ".pulumi", "stacks", "cerby", "e2e.json");
    expect(fs.statSync(stateFile).size, "state file bytes for one binding").to.be.at.most(20_000);
  });

  it("8b. after `up`, a logout fired in Okta logs the user out of Cerby", async () => {
    expect(cerby.activeSessions("acme", user)).to.equal(1);
    expect(await okta.triggerUniversalLogout(appId, user)).to.include({ sent: true, status: 204 });
    expect(cerby.activeSessions("acme", user)).to.equal(0);
  });

  it("2. on a converged stack `preview --expect-no-changes` and `refresh --expect-no-changes` pass, at the floor of calls", async () => {
    await must(["preview", "--expect-no-changes"]);
    // preview: the program confirms the App instance ID in Okta (1 read); diff works from state (no Cerby call).
    expect(writes()).to.have.length(0);
    expect(cerby.server.count(), "Cerby calls on preview").to.equal(0);
    expect(okta.server.count({ pathPrefix: "/api/v1/apps" }), "Okta calls on preview").to.equal(1);
    cerby.server.clearLog();
    okta.server.clearLog();
    await must(["refresh", "--expect-no-changes", "--yes", "--skip-preview"]);
    // refresh: one read of each side (the program does not run).
    expect(writes()).to.have.length(0);
    expect(cerby.server.count(), "Cerby calls on refresh").to.equal(1);
    expect(okta.server.count({ pathPrefix: "/api/v1/apps" }), "Okta reads on refresh").to.equal(1);
  });

  it("3a. drift in Cerby fails `preview --refresh --expect-no-changes` naming the field; `up --refresh` repairs it", async () => {
    cerby.setSetting("acme", { enabled: false });
    const r = await mustFail(["preview", "--refresh", "--expect-no-changes", "--diff"]);
    expect(r.stdout + r.stderr).to.match(/enabled\s*:\s*false\s*=>\s*true/);
    expect(writes()).to.have.length(0);
    await must(["up", "--refresh", "--yes", "--skip-preview"]);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    await must(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("3b. drift in Okta (box unticked) fails the drift check; `up --refresh` in verify mode fails with the console steps", async () => {
    okta.setUniversalLogout(appId, "DISABLED");
    const r = await mustFail(["preview", "--refresh", "--expect-no-changes", "--diff"]);
    expect(r.stdout + r.stderr).to.match(/status\s*:\s*"ENABLED"\s*=>\s*"DISABLED"/);
    const up = await mustFail(["up", "--refresh", "--yes", "--skip-preview"]);
    expect(up.stdout + up.stderr).to.contain("Okta system or admin initiates logout");
    expect(up.stdout + up.stderr).to.contain(`/instance/${appId}/`);
    expect(okta.server.writes()).to.have.length(0);
    okta.setUniversalLogout(appId, "ENABLED");
    await must(["up", "--refresh", "--yes", "--skip-preview"]);
    await must(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("4. a replaced Okta app (new App instance ID) updates Cerby in place, never replaces it", async () => {
    okta.removeApp(appId);
    const newId = okta.addApp({ label: "Cerby", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() }).id;
    const r = await must(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).to.match(/dynamic\/cerby:UniversalLogout\s+cerby-cerby\s+updated/);
    expect(r.stdout).not.to.match(/replace/i);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: newId });
    expect((await outputs()).appInstanceId).to.equal(newId);
    appId = newId;
  });

  it("4. setting cerby:appInstanceId in config updates Cerby in place too", async () => {
    const otherId = okta.addApp({ label: "Cerby (new)", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() }).id;
    await must(["config", "set", "cerby:appInstanceId", otherId]);
    const r = await must(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).to.match(/cerby-cerby\s+updated/);
    expect(cerby.getSetting("acme").appInstanceId).to.equal(otherId);
    await must(["config", "rm", "cerby:appInstanceId"]);
    await must(["up", "--yes", "--skip-preview"]);
    expect(cerby.getSetting("acme").appInstanceId).to.equal(appId);
  });

  it("7. Cerby failing beyond its retries mid-`up` fails clearly, and the next `up` converges", async () => {
    await must(["destroy", "--yes", "--skip-preview"]);
    cerby.server.inject({ kind: "status", status: 503, times: 1000, method: "PUT" });
    const failed = await mustFail(["up", "--yes", "--skip-preview"]);
    expect(failed.stdout + failed.stderr).to.match(/Cerby: could not enable Okta Universal Logout: PUT .*503/);
    expect(failed.stdout + failed.stderr).not.to.match(/\n\s+at .*\.(ts|js):\d+/); // no stack trace
    const state = (await must(["stack", "export"])).stdout;
    expect(state).not.to.contain("cerby-okta"); // Okta's child never ran: Cerby first
    expect(cerby.getSetting("acme").enabled).to.equal(false);
    cerby.server.clearFaults();
    cerby.server.clearLog();
    await must(["up", "--yes", "--skip-preview"]);
    expect(cerby.server.writes()).to.have.length(1);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    await must(["preview", "--expect-no-changes"]);
  });

  it("6. `destroy` disables Cerby and leaves Okta as it is, with the Okta admin's console note", async () => {
    const r = await must(["destroy", "--yes", "--skip-preview"]);
    expect(r.stdout).to.contain("Okta: Pulumi made no call (Okta has no API to turn Universal Logout off)");
    expect(r.stdout).to.contain("Okta system or admin initiates logout");
    expect(cerby.getSetting("acme")).to.include({ enabled: false, appInstanceId: null });
    expect(okta.server.writes()).to.have.length(0);
    expect(okta.getApp(appId).universalLogout).to.equal("ENABLED");
  });

  it("6. `retainOnDelete` (component API) leaves Universal Logout on in Cerby after `destroy`", async () => {
    // A user's own program that declares the component, as in the README's "As a component in your own program".
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-consumer-"));
    try {
      cerby.addWorkspace("retain");
      cerby.addApiKey("retain", cerbyKey, { role: "admin" });
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(consumer, "node_modules"), "dir");
      fs.copyFileSync(path.join(ROOT, "tsconfig.json"), path.join(consumer, "tsconfig.json"));
      useCachedTranspiler(consumer);
      fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", main: "index.ts" }));
      fs.writeFileSync(
        path.join(consumer, "Pulumi.yaml"),
        "name: consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
      );
      fs.writeFileSync(
        path.join(consumer, "index.ts"),
        `import { CerbyOktaUniversalLogout } from ${JSON.stringify(path.join(project, "components", "universal-logout"))};\n` +
          `const c = new CerbyOktaUniversalLogout("kept", {\n` +
          `  cerby: { baseUrl: ${JSON.stringify(cerby.workspaceUrl("retain"))} },\n` +
          `  okta: { orgUrl: ${JSON.stringify(okta.baseUrl)}, mode: "verify" },\n` +
          `  appInstanceId: ${JSON.stringify(appId)},\n  retainOnDelete: true,\n});\n` +
          `export const cerbyEnabled = c.cerbyEnabled;\n`,
      );
      const consumerEnv = { ...env, CERBY_API_KEY: cerbyKey, OKTA_API_TOKEN: oktaToken };
      const opts = { cwd: consumer, env: consumerEnv };
      await must(["stack", "init", "kept"], opts);
      await must(["up", "--yes", "--skip-preview"], opts);
      expect(cerby.getSetting("retain")).to.include({ enabled: true, appInstanceId: appId });
      cerby.server.clearLog();
      await must(["destroy", "--yes", "--skip-preview"], opts);
      expect(cerby.server.writes(), "no Cerby write on destroy").to.have.length(0);
      expect(cerby.getSetting("retain")).to.include({ enabled: true, appInstanceId: appId });
    } finally {
      fs.rmSync(consumer, { recursive: true, force: true });
    }
  });

  it("9. after a program upgrade, `refresh`, `preview` and `destroy` run the upgraded provider code", async () => {
    await must(["up", "--yes", "--skip-preview"]);
    // v2 of the Cerby provider: its delete says so. The state holds only a reference to the provider module.
    const file = path.join(project, "components", "cerby", "provider.ts");
    const v1 = fs.readFileSync(file, "utf8");
    const marker = "provider v2 deleting";
    // The first line of delete's body logs the marker (through the SDK, so the test does not depend on the file's imports).
    const v2 = v1.replace(
      /(async delete\([^)]*\)[^{]*\{\n)/,
      `$1    require("@pulumi/pulumi").log.info("${marker}");\n`,
    );
    expect(v2).not.to.equal(v1);
    fs.writeFileSync(file, v2);
    try {
      await must(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
      // An upgrade alone changes no input a user set: nothing to do.
      await must(["preview", "--expect-no-changes"]);
      // No `up` since the upgrade: destroy still runs v2 (the state references the module; it does not embed it).
      const r = await must(["destroy", "--yes", "--skip-preview"]);
      expect(r.stdout).to.contain(marker);
      expect(cerby.getSetting("acme").enabled).to.equal(false);
    } finally {
      fs.writeFileSync(file, v1);
    }
  });

  it("many workspaces in one stack, each with its own API key: a binding's secret config key reaches the provider", async () => {
    cerby.addWorkspace("acme-eu");
    cerby.addApiKey("acme-eu", euKey, { role: "admin" });
    cerby.addWorkspace("acme-us");
    cerby.addApiKey("acme-us", usKey, { role: "admin" });
    okta.addApp({ label: "Cerby EU", universalLogout: "ENABLED" });
    okta.addApp({ label: "Cerby US", universalLogout: "ENABLED" });
    const stack = ["--stack", "keys"];
    await must(["stack", "init", "keys"]);
    try {
      const bindings = [
        { name: "eu", baseUrl: cerby.workspaceUrl("acme-eu"), appLabel: "Cerby EU", apiKeyConfig: "cerby:apiKeyEu" },
        { name: "us", baseUrl: cerby.workspaceUrl("acme-us"), appLabel: "Cerby US" },
      ];
      await must(["config", "set", ...stack, "cerby:bindings", JSON.stringify(bindings)]);
      await must(["config", "set", ...stack, "cerby:oktaOrgUrl", okta.baseUrl]);
      await must(["config", "set", ...stack, "--secret", "cerby:apiKeyEu"], { stdin: euKey });
      await must(["config", "set", ...stack, "--secret", "cerby:apiKey"], { stdin: usKey });
      await must(["config", "set", ...stack, "--secret", "okta:apiToken"], { stdin: oktaToken });
      await must(["up", "--yes", "--skip-preview", ...stack]);
      // Each workspace accepts only its own key: both enabled means each binding sent its own.
      expect(cerby.getSetting("acme-eu")).to.include({ enabled: true });
      expect(cerby.getSetting("acme-us")).to.include({ enabled: true });
      const exported = (await must(["stack", "export", ...stack])).stdout;
      expect(exported).to.contain("cerby:apiKeyEu");
      for (const key of [euKey, usKey]) expect(exported).not.to.contain(key);
      await must(["destroy", "--yes", "--skip-preview", ...stack]);
      expect(cerby.getSetting("acme-eu").enabled).to.equal(false);
    } finally {
      await cli(["stack", "rm", "--yes", "--force", ...stack]);
      await cli(["stack", "select", "e2e"]);
    }
  });

  it("5. secrets: stack config holds ciphertext; state, exports, CLI output and logs hold no credential", async () => {
    await must(["up", "--yes", "--skip-preview"]);
    const stackFile = fs.readFileSync(path.join(project, "Pulumi.e2e.yaml"), "utf8");
    expect(stackFile).to.match(/cerby:apiKey:\s*\n\s*secure:/);
    expect(stackFile).to.match(/okta:apiToken:\s*\n\s*secure:/);
    const exported = (await must(["stack", "export"])).stdout;
    expect(exported).to.contain("__provider"); // the serialized providers are there, and were scanned
    const artifacts = [
      { source: "Pulumi.e2e.yaml", text: stackFile },
      { source: "pulumi stack export", text: exported },
      ...filesUnder(path.join(tmp, "state")),
      ...filesUnder(path.join(tmp, "pulumi-home")),
      ...transcript,
      { source: "Cerby emulator log", text: JSON.stringify(cerby.server.requests) },
      { source: "Okta emulator log", text: JSON.stringify(okta.server.requests) },
    ];
    const secrets = [
      { name: "cerby:apiKey", value: cerbyKey },
      { name: "okta:apiToken", value: oktaToken },
      { name: "cerby:apiKeyEu (keys stack)", value: euKey },
      { name: "cerby:apiKey (keys stack)", value: usKey },
    ];
    expect(scan(artifacts, secrets)).to.deep.equal([]);
    // Negative control: the scan does find a planted credential in the same artifacts.
    const planted = [...artifacts, { source: "planted", text: Buffer.from(cerbyKey).toString("base64") }];
    expect([...new Set(scan(planted, secrets).map((h) => h.source))]).to.deep.equal(["planted"]);
  });

  describe("10. config errors as a user makes them get the program's message, not a CLI schema error", () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      [
        "no Cerby workspace or URL",
        {},
        /cerby:workspace: is required \(the Cerby workspace name\), or set cerby:baseUrl/,
      ],
      [
        "both workspace and baseUrl",
        { "cerby:workspace": "acme", "cerby:baseUrl": "https://acme.cerby.com" },
        /cerby:baseUrl: set either workspace or baseUrl, not both/,
      ],
      ["a bad App instance ID", { "cerby:workspace": "acme", "cerby:appInstanceId": "my-app" }, /cerby:appInstanceId:/],
    ];
    for (const [what, config, message] of cases) {
      it(what, async () => {
        const stack = `bad${cases.findIndex((c) => c[0] === what)}`;
        await must(["stack", "init", stack]);
        await must(["config", "set", "cerby:oktaOrgUrl", okta.baseUrl, "--stack", stack]);
        for (const [k, v] of Object.entries(config)) await must(["config", "set", k, v, "--stack", stack]);
        const r = await mustFail(["preview", "--stack", stack]);
        const text = r.stdout + r.stderr;
        expect(text).to.match(message);
        expect(text).not.to.contain("Unhandled exception");
        expect(text).not.to.contain("is missing configuration");
        expect(text).not.to.match(/\n\s+at .*\.(ts|js):\d+/);
        expect(writes()).to.have.length(0);
        await must(["stack", "rm", "--yes", "--force", "--stack", stack]);
      });
    }
  });

  it("Pulumi.prod.example.yaml (its placeholders for secrets aside) is accepted by the CLI and reaches the program", async () => {
    const fresh = projectCopy("cerby-project-", { cachedTranspile: true });
    try {
      const example = fs.readFileSync(path.join(ROOT, "Pulumi.prod.example.yaml"), "utf8");
      // The template's `secure:` values are placeholders for `pulumi config set --secret`; they cannot decrypt.
      const withoutSecrets = example.replace(/^ {2}[\w:]+:\n {4}secure: .*\n/gm, "");
      expect(withoutSecrets.replace(/^#.*$/gm, "")).not.to.contain("secure:");
      fs.writeFileSync(path.join(fresh, "Pulumi.prod.yaml"), withoutSecrets);
      await must(["stack", "init", "prod"], { cwd: fresh });
      const r = await mustFail(["preview"], { cwd: fresh });
      const text = r.stdout + r.stderr;
      expect(text).not.to.contain("is missing configuration");
      expect(text).not.to.match(/must be of type/);
      // The program ran and validated the stack: the template's OAuth client lacks its (removed) private key.
      expect(text).to.contain("okta:privateKey is not set but okta:clientId is");
      expect(text).not.to.contain("Unhandled exception");
    } finally {
      await cli(["stack", "rm", "--yes", "--force", "--stack", "prod"], { cwd: fresh });
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("the README's stack commands, typed literally, are accepted by the CLI and reach the program", async () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### As a stack"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
    const lines = block
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim())
      .filter((l) => l.startsWith("pulumi "));
    expect(lines[0]).to.equal("pulumi stack init prod");
    expect(lines[lines.length - 1]).to.equal("pulumi up");
    const fresh = projectCopy("cerby-project-", { cachedTranspile: true });
    try {
      for (const line of lines.slice(0, -1)) {
        const args = line.split(/\s+/).slice(1);
        // `config set --secret KEY` with no value reads it from standard input, as the README intends.
        await must(args, { cwd: fresh, stdin: freshSecret("readme_") });
      }
      // `pulumi up` (as a preview: this test may not write): the CLI accepts the stack's config and runs the program,
      // which then stops at the first vendor call, since a test reaches loopback only.
      const r = await mustFail(["preview"], { cwd: fresh });
      const text = r.stdout + r.stderr;
      expect(text).not.to.contain("is missing configuration");
      expect(text).to.match(/Okta: .*https:\/\/acme\.okta\.com/);
    } finally {
      await cli(["stack", "rm", "--yes", "--force", "--stack", "prod"], { cwd: fresh });
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
