/**
 * Stacks other than the lifecycle's (./cli.test.ts), through the real Pulumi CLI against both emulators: a user's own
 * program declaring the component, the config errors a user makes, and the README's and the template's stack
 * commands, typed literally. Each test has a stack (or a project copy) of its own; ./cli-rig.ts is what the real-CLI
 * files share.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ASKED_ID, DynamicPrism, runOf } from "../contract/prism-dynamic";
import { scan } from "../hardening/scan";
import { ADVICE } from "../helpers/errors";
import { freshSecret } from "../helpers/keys";
import { consumerNodeModules, projectCopy } from "../helpers/project-copy";
import { ROOT, filesUnder, useCliRig } from "./cli-rig";

/**
 * Seeds of the random-answer test (tests/contract/random-answers.test.ts) run through the CLI: an answer for another
 * app (16), the asked app ACTIVE with random settings (17), the asked app in a random status (13).
 */
const PRISM_SAMPLE = [16, 17, 13];

describe("real `pulumi` CLI against the emulators: other stacks (a consumer's program, config errors, templates)", function () {
  this.timeout(5 * 60 * 1000);
  const rig = useCliRig();
  const { cerby, okta, cerbyKey, oktaToken, transcript, writes, cli, must, mustFail } = rig;

  it("6. `retainOnDelete` (component API) leaves Universal Logout on in Cerby after `destroy`", async () => {
    // A user's own program that declares the component, as in the README's "As a component in your own program".
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-consumer-"));
    try {
      cerby.addWorkspace("retain");
      cerby.addApiKey("retain", cerbyKey, { role: "admin" });
      // The package installed as `npm install` leaves it (the project copy, built), and a TypeScript program.
      consumerNodeModules(consumer, rig.project);
      fs.writeFileSync(
        path.join(consumer, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { strict: true, target: "es2022", module: "commonjs", esModuleInterop: true },
        }),
      );
      fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", main: "index.ts" }));
      fs.writeFileSync(
        path.join(consumer, "Pulumi.yaml"),
        "name: consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
      );
      fs.writeFileSync(
        path.join(consumer, "index.ts"),
        `import { CerbyOktaUniversalLogout } from "cerby-okta-universal-logout";\n` +
          `const c = new CerbyOktaUniversalLogout("kept", {\n` +
          `  cerby: { baseUrl: ${JSON.stringify(cerby.workspaceUrl("retain"))} },\n` +
          `  okta: { orgUrl: ${JSON.stringify(okta.baseUrl)}, mode: "verify" },\n` +
          `  appInstanceId: ${JSON.stringify(rig.appId)},\n  retainOnDelete: true,\n});\n` +
          `export const cerbyEnabled = c.cerbyEnabled;\n`,
      );
      // Transpile-only, as Pulumi's language host does with PULUMI_NODEJS_TRANSPILE_ONLY (npm run lint type-checks).
      const consumerEnv = {
        ...rig.env,
        CERBY_API_KEY: cerbyKey,
        OKTA_API_TOKEN: oktaToken,
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      };
      const opts = { cwd: consumer, env: consumerEnv };
      await must(["stack", "init", "kept"], opts);
      await must(["up", "--yes", "--skip-preview"], opts);
      expect(cerby.getSetting("retain")).to.include({ enabled: true, appInstanceId: rig.appId });
      cerby.server.clearLog();
      await must(["destroy", "--yes", "--skip-preview"], opts);
      expect(cerby.server.writes(), "no Cerby write on destroy").to.have.length(0);
      expect(cerby.getSetting("retain")).to.include({ enabled: true, appInstanceId: rig.appId });
    } finally {
      fs.rmSync(consumer, { recursive: true, force: true });
    }
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
    const fresh = projectCopy("cerby-project-");
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
    const fresh = projectCopy("cerby-project-");
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

  it("only the code you run: a moved checkout runs its own module, never another checkout put at its old path", async () => {
    // Issue 20: `up` in checkout A; A moves to B; a different checkout (an impostor whose delete only logs) takes
    // A's old path. `refresh` and `destroy` from B must run B's code: the state's references resolve from the project
    // the command runs in, and the path recorded at `up` is only a fallback.
    const a = projectCopy("cerby-moved-");
    const b = `${a}-b`;
    cerby.addWorkspace("moved");
    cerby.addApiKey("moved", cerbyKey, { role: "admin" });
    const stack = ["--stack", "moved"];
    try {
      await must(["stack", "init", "moved"], { cwd: a });
      await must(["config", "set", ...stack, "cerby:baseUrl", cerby.workspaceUrl("moved")], { cwd: a });
      await must(["config", "set", ...stack, "cerby:oktaOrgUrl", okta.baseUrl], { cwd: a });
      await must(["config", "set", ...stack, "cerby:appInstanceId", rig.appId], { cwd: a });
      await must(["config", "set", ...stack, "--secret", "cerby:apiKey"], { cwd: a, stdin: cerbyKey });
      await must(["config", "set", ...stack, "--secret", "okta:apiToken"], { cwd: a, stdin: oktaToken });
      await must(["up", "--yes", "--skip-preview", ...stack], { cwd: a });
      const exported = (await must(["stack", "export", ...stack], { cwd: a })).stdout;
      expect(exported, "the state records A's path (the fallback)").to.contain(path.join(a, "dist"));
      fs.renameSync(a, b);
      // The impostor at A's old path: the same project, whose Cerby delete logs a marker and writes nothing.
      fs.cpSync(b, a, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(a, "node_modules"), "dir");
      const file = path.join(a, "components", "cerby", "provider.ts");
      const marker = "impostor checkout deleting";
      const impostor = fs
        .readFileSync(file, "utf8")
        .replace(/(async delete\([^)]*\)[^{]*\{\n)/, `$1    console.error("${marker}");\n    return;\n`);
      fs.writeFileSync(file, impostor);
      require(path.join(a, "scripts", "build.js")).ensureBuilt(a);
      const refreshed = await must(["refresh", "--yes", "--skip-preview", "--expect-no-changes", ...stack], { cwd: b });
      expect(refreshed.stdout + refreshed.stderr).not.to.contain("loading the copy the state records");
      const destroyed = await must(["destroy", "--yes", "--skip-preview", ...stack], { cwd: b });
      expect(destroyed.stdout + destroyed.stderr).not.to.contain(marker);
      expect(cerby.getSetting("moved").enabled, "B's delete switched Cerby off").to.equal(false);
    } finally {
      await cli(["stack", "rm", "--yes", "--force", ...stack], { cwd: b });
      for (const d of [a, b]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  describe("11. what the vendors answer is checked, not trusted (issue 19): one stack, each failure one user error", () => {
    const stack = ["--stack", "vendors"];
    const up = ["up", "--yes", "--skip-preview", ...stack];
    /** The CLI's summary of diagnostics (each failure once there; the progress lines above repeat it as they run). */
    const diagnostics = (text: string) => {
      const d = text.slice(Math.max(0, text.indexOf("\nDiagnostics:")));
      const end = d.search(/\n(Outputs|Resources):/);
      return end < 0 ? d : d.slice(0, end);
    };
    /** A failure a user can act on, reported once: no stack, no SDK wrapping, no plugin echo of the same error. */
    const reportedOnce = (r: { stdout: string; stderr: string }, key: string) => {
      const text = r.stdout + r.stderr;
      expect(text).not.to.contain("Unhandled exception");
      expect(text).not.to.match(/\n\s+at .*\.(ts|js):\d+/);
      expect(text).not.to.contain("error serializing property");
      expect(text).not.to.contain("VendorError:");
      const d = diagnostics(text);
      expect(d.split(key).length - 1, d).to.equal(1);
    };
    const setting = (enabled: boolean, appInstanceId: string | null) => ({
      data: {
        id: "okta",
        type: "universal-logout-settings",
        attributes: { provider: "okta", enabled, appInstanceId, updatedAt: null, updatedBy: null },
      },
    });

    before(async () => {
      await must(["stack", "init", "vendors"]);
      await must(["config", "set", ...stack, "cerby:baseUrl", cerby.workspaceUrl("acme")]);
      await must(["config", "set", ...stack, "cerby:oktaOrgUrl", okta.baseUrl]);
      await must(["config", "set", ...stack, "cerby:appInstanceId", rig.appId]);
      await must(["config", "set", ...stack, "--secret", "cerby:apiKey"], { stdin: cerbyKey });
      await must(["config", "set", ...stack, "--secret", "okta:apiToken"], { stdin: oktaToken });
    });
    afterEach(() => {
      cerby.server.clearFaults();
      okta.server.clearFaults();
    });

    it("1. Okta answering for the App instance ID with another app stops `up` before any write, naming both", async () => {
      const other = okta.addApp({ label: "Other app", universalLogout: "ENABLED" });
      const b = await fetch(`${okta.baseUrl}/api/v1/apps/${other.id}`, {
        headers: { authorization: `SSWS ${oktaToken}` },
      });
      const body = await b.json();
      okta.server.clearLog();
      okta.server.inject({ kind: "status", status: 200, times: 100, pathPrefix: `/api/v1/apps/${rig.appId}`, body });
      const r = await mustFail(up);
      expect(r.stdout + r.stderr).to.contain(`the answer is the app ${other.id} ("Other app"), not ${rig.appId}`);
      reportedOnce(r, "carries another app's ID");
      expect(writes(), "nothing written to Cerby or Okta").to.have.length(0);
      expect(cerby.getSetting("acme").enabled).to.equal(false);
    });

    it("1. Cerby answering the PUT with another App instance ID fails the step: Cerby did not store what was asked", async () => {
      const other = okta.addApp({ label: "Another" }).id;
      cerby.server.inject({ kind: "status", status: 200, times: 100, method: "PUT", body: setting(true, other) });
      const r = await mustFail(up);
      expect(r.stdout + r.stderr).to.contain(`Universal Logout is on with App instance ID ${other}`);
      reportedOnce(r, `Cerby did not store what was asked (Universal Logout on with App instance ID ${rig.appId})`);
      // Cerby first: the Okta side never ran, and the stack records no Cerby setting it was not given.
      expect((await must(["stack", "export", ...stack])).stdout).not.to.contain("dynamic/cerby:UniversalLogout");
    });

    it("2. an INACTIVE Cerby app is one user error with what to do, not an unhandled exception", async () => {
      const inactive = okta.addApp({ label: "Cerby", status: "INACTIVE", universalLogout: "ENABLED" }).id;
      await must(["config", "set", ...stack, "cerby:appInstanceId", inactive]);
      try {
        const r = await mustFail(["preview", ...stack]);
        expect(r.stdout + r.stderr).to.contain(`the Cerby app ${inactive} "Cerby"`);
        reportedOnce(r, "is INACTIVE. Activate it in the Okta Admin Console");
        expect(writes()).to.have.length(0);
      } finally {
        await must(["config", "set", ...stack, "cerby:appInstanceId", rig.appId]);
      }
    });

    it("3. a 401 echoing the API key or the Okta token in base64 never reaches `up`, `refresh` or `destroy` output", async () => {
      await must(up);
      const b64 = (s: string) => Buffer.from(s).toString("base64");
      const secrets = [
        { name: "cerby:apiKey", value: cerbyKey },
        { name: "okta:apiToken", value: oktaToken },
      ];
      const leaks = (r: { stdout: string; stderr: string }) =>
        scan([{ source: "output", text: r.stdout + r.stderr }], secrets);
      okta.server.inject({
        kind: "status",
        status: 401,
        times: 100,
        pathPrefix: "/api/v1/apps",
        body: { errorCode: "E0000011", errorSummary: `Invalid token provided: ${b64(oktaToken)}` },
      });
      const failedUp = await mustFail(up);
      expect(failedUp.stdout).to.contain("E0000011: Invalid token provided: [redacted]");
      expect(leaks(failedUp)).to.deep.equal([]);
      okta.server.clearFaults();
      const unauthorized = { errors: [{ status: "401", code: "Unauthorized", detail: `bad key ${b64(cerbyKey)}` }] };
      cerby.server.inject({ kind: "status", status: 401, times: 100, body: unauthorized });
      const failedRefresh = await mustFail(["refresh", "--yes", "--skip-preview", ...stack]);
      reportedOnce(failedRefresh, "Unauthorized: bad key [redacted]");
      expect(leaks(failedRefresh)).to.deep.equal([]);
      const failedDestroy = await mustFail(["destroy", "--yes", "--skip-preview", ...stack]);
      reportedOnce(failedDestroy, "Unauthorized: bad key [redacted]");
      expect(leaks(failedDestroy)).to.deep.equal([]);
      cerby.server.clearFaults();
      await must(["destroy", "--yes", "--skip-preview", ...stack]);
    });

    it("2. Okta's random answers (Prism, dynamic mode; a sample of the random-answer test's seeds) end in success or one user error", async () => {
      const prism = await DynamicPrism.start();
      try {
        await must(["config", "set", ...stack, "cerby:oktaOrgUrl", prism.url]);
        await must(["config", "set", ...stack, "cerby:appInstanceId", ASKED_ID]);
        await must(["config", "set", ...stack, "cerby:oktaWaitTimeoutSeconds", "1"]);
        await must(["config", "set", ...stack, "cerby:oktaPollIntervalSeconds", "1"]);
        const outcomes: string[] = [];
        for (const i of PRISM_SAMPLE) {
          const run = runOf(i);
          prism.use(run);
          await must(["config", "set", ...stack, "cerby:oktaMode", run.mode]);
          cerby.server.clearLog();
          const r = await cli(up);
          const text = r.stdout + r.stderr;
          const wroteCerby = cerby.server.writes().length > 0;
          expect(text).not.to.contain("Unhandled exception");
          expect(text).not.to.match(/\n\s+at .*\.(ts|js):\d+/);
          expect(text).not.to.contain("error serializing property");
          expect(text).not.to.contain("VendorError:");
          if (r.status === 0) {
            outcomes.push(`${run.seed}: up (Cerby written)`);
            await must(["destroy", "--yes", "--skip-preview", ...stack]);
            continue;
          }
          const errors = diagnostics(text)
            .split("\n")
            .filter((l) => /^\s+error: /.test(l) && !/error: update failed/.test(l));
          expect(errors, `${run.seed}:\n${text}`).to.have.length(1);
          expect(errors[0], run.seed).to.match(ADVICE);
          outcomes.push(`${run.seed}: ${wroteCerby ? "(Cerby written) " : ""}${errors[0].trim().slice(7, 90)}`);
        }
        console.log(outcomes.map((o) => `      ${o}`).join("\n"));
        // The sample reaches both the program's checks and the providers (a run that gets past the program).
        expect(outcomes.length).to.equal(PRISM_SAMPLE.length);
        expect(outcomes.filter((o) => o.includes("Cerby written")).length, outcomes.join("\n")).to.be.greaterThan(0);
      } finally {
        await prism.stop();
        await cli(["destroy", "--yes", "--skip-preview", ...stack]);
      }
    });
  });

  // A suite of its own so that it runs last: mocha runs a suite's tests before its nested suites (10. above).
  describe("after every command of this file", () => {
    it("secrets: no command's output, state or Pulumi home of these stacks holds a credential", () => {
      const artifacts = [
        ...filesUnder(path.join(rig.tmp, "state")),
        ...filesUnder(path.join(rig.tmp, "pulumi-home")),
        ...transcript,
        { source: "Cerby emulator log", text: JSON.stringify(cerby.server.requests) },
        { source: "Okta emulator log", text: JSON.stringify(okta.server.requests) },
      ];
      expect(transcript.length, "commands run in this file").to.be.greaterThan(10);
      const secrets = [
        { name: "Cerby API key", value: cerbyKey },
        { name: "Okta API token", value: oktaToken },
      ];
      expect(scan(artifacts, secrets)).to.deep.equal([]);
    });
  });
});
