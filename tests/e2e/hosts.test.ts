/**
 * The other languages' hosts (scripts/hosts.ts) proven through the real Pulumi CLI, with TOY programs: a component
 * provider plugin written in Node.js (tests/e2e/hosts-toy/pulumi-resource-toy, serving hosts-toy/schema.json) consumed
 * from a Pulumi YAML program, a Python Automation API inline program (a hand-written remote component class and the
 * generated Python SDK) and a Go one (scripts/go-consumer-template, with the generated Go SDK). Each runs `up`,
 * `preview --expect-no-changes` and `destroy` against a local file backend.
 *
 * The toys stand in until the real package's scenarios (the cerby plugin, the examples/ consumers) replace them: what
 * stays is the way each host is found or built, and how a program reaches the CLI and the plugin.
 */
import { expect } from "chai";
import { SpawnSyncReturns, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  PythonSdk,
  findGo,
  findPythonSdk,
  findSdkGenerator,
  findYamlHost,
  generateSdk,
  installPythonPackage,
  pulumiCommandRoot,
} from "../../scripts/hosts";
import { Engine, localBackendEnv } from "../../scripts/pulumi-cli";
import { requireHost } from "../helpers/hosts";
import { ENGINE_BUILD_TIMEOUT_MS, requireEngine } from "../helpers/pulumi-engine";

const ROOT = path.resolve(__dirname, "../..");
const TOY = path.join(__dirname, "hosts-toy");
const TOY_SCHEMA = path.join(TOY, "schema.json");
const GO_TEMPLATE = path.join(ROOT, "scripts", "go-consumer-template");

function show(what: string, r: SpawnSyncReturns<string>): string {
  return `${what} → ${r.status}${r.error ? ` (${r.error.message})` : ""}\n${r.stdout}\n${r.stderr}`;
}

/** The last line of a toy program's stdout: its JSON report. */
function report(r: SpawnSyncReturns<string>): Record<string, unknown> {
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as Record<string, unknown>;
}

describe("other-language hosts through the real Pulumi CLI (toy programs)", function () {
  let engine: Engine;
  let tmp: string;
  let generator: string;

  before(function () {
    this.timeout(ENGINE_BUILD_TIMEOUT_MS);
    engine = requireEngine(this);
    generator = requireHost(this, "generator", findSdkGenerator({ build: true }));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-hosts-"));
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A project folder whose Pulumi.yaml names the toy plugin by path (found without a warning, unlike on PATH). */
  function project(name: string, runtime: string, body = ""): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    const plugins = `plugins:\n  providers:\n    - name: toy\n      path: ${JSON.stringify(TOY)}\n`;
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: ${runtime}\n${plugins}${body}`);
    return dir;
  }

  function backend(name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return localBackendEnv(path.join(tmp, `${name}-state`), { PULUMI_HOME: path.join(tmp, `${name}-home`), ...extra });
  }

  it("only looks without `build`: an empty cache has no YAML host, generator or Python environment", () => {
    const saved = process.env.CERBY_PULUMI_ENGINE_CACHE;
    process.env.CERBY_PULUMI_ENGINE_CACHE = path.join(tmp, "empty-cache");
    try {
      const cached: Engine = { ...engine, source: "cache" };
      expect(findYamlHost(cached, { build: false })).to.equal(undefined);
      expect(findSdkGenerator({ build: false })).to.equal(undefined);
      expect(findPythonSdk({ build: false })).to.equal(undefined);
      expect(fs.existsSync(path.join(tmp, "empty-cache"))).to.equal(false);
    } finally {
      if (saved === undefined) delete process.env.CERBY_PULUMI_ENGINE_CACHE;
      else process.env.CERBY_PULUMI_ENGINE_CACHE = saved;
    }
  });

  describe("the SDK generator", () => {
    it("writes the Python and Go SDKs at the schema's version, with the language section's names", () => {
      const py = path.join(tmp, "gen-python");
      const go = path.join(tmp, "gen-go");
      generateSdk(generator, "python", TOY_SCHEMA, py);
      generateSdk(generator, "go", TOY_SCHEMA, go);
      // language.python.respectSchemaVersion (and meta.supportPack): the version is the schema's, not 0.0.0.
      expect(fs.readFileSync(path.join(py, "pyproject.toml"), "utf8")).to.match(/^\s*version = "0\.1\.0"$/m);
      expect(JSON.parse(fs.readFileSync(path.join(py, "pulumi_toy", "pulumi-plugin.json"), "utf8"))).to.deep.equal({
        resource: true,
        name: "toy",
        version: "0.1.0",
      });
      expect(fs.readFileSync(path.join(py, "pulumi_toy", "greet", "greeter.py"), "utf8")).to.include("remote=True");
      // meta.supportPack: the Go SDK is a module of its own, named after language.go.importBasePath.
      expect(fs.readFileSync(path.join(go, "go.mod"), "utf8")).to.match(/^module example\.com\/pulumi-toy\/sdk\/go$/m);
      expect(fs.existsSync(path.join(go, "toy", "greet", "greeter.go"))).to.equal(true);
    });

    it("writes version 0.0.0 without respectSchemaVersion and meta.supportPack (control)", () => {
      const schema = JSON.parse(fs.readFileSync(TOY_SCHEMA, "utf8")) as {
        meta?: unknown;
        language: { python: Record<string, unknown>; go: Record<string, unknown> };
      };
      delete schema.meta;
      delete schema.language.python.respectSchemaVersion;
      delete schema.language.go.respectSchemaVersion;
      const bare = path.join(tmp, "bare-schema.json");
      fs.writeFileSync(bare, JSON.stringify(schema));
      const py = path.join(tmp, "gen-python-bare");
      const go = path.join(tmp, "gen-go-bare");
      generateSdk(generator, "python", bare, py);
      generateSdk(generator, "go", bare, go);
      expect(fs.readFileSync(path.join(py, "pyproject.toml"), "utf8")).to.match(/^\s*version = "0\.0\.0"$/m);
      expect(
        JSON.parse(fs.readFileSync(path.join(py, "pulumi_toy", "pulumi-plugin.json"), "utf8")),
      ).not.to.have.property("version");
      expect(fs.existsSync(path.join(go, "go.mod"))).to.equal(false);
    });

    it("refuses a schema that is not valid, naming the problem", () => {
      const bad = path.join(tmp, "bad-schema.json");
      fs.writeFileSync(bad, JSON.stringify({ name: "toy", version: "not a version" }));
      expect(() => generateSdk(generator, "python", bad, path.join(tmp, "gen-bad"))).to.throw(/version/);
    });
  });

  describe("Pulumi YAML", () => {
    before(function () {
      this.timeout(ENGINE_BUILD_TIMEOUT_MS);
      requireHost(this, "yaml", findYamlHost(engine, { build: true }));
    });

    it("runs a YAML program using the component: up, preview --expect-no-changes, destroy, with no warning", function () {
      this.timeout(120_000);
      const dir = project(
        "toy-yaml",
        "yaml",
        "resources:\n  greeter:\n    type: toy:greet:Greeter\n    properties:\n      name: yaml\n" +
          "outputs:\n  message: ${greeter.message}\n",
      );
      const env = backend("yaml");
      const cli = (...args: string[]) => {
        const r = spawnSync(engine.bin, [...args, "--non-interactive"], { cwd: dir, env, encoding: "utf8" });
        expect(r.status, show(`pulumi ${args.join(" ")}`, r)).to.equal(0);
        expect(r.stdout + r.stderr, show(`pulumi ${args.join(" ")}`, r)).not.to.match(/warning/i);
        return r;
      };
      cli("stack", "init", "dev");
      expect(cli("up", "--yes").stdout).to.match(/\+ 2 created/);
      expect(cli("stack", "output", "message").stdout.trim()).to.equal("hello yaml");
      expect(cli("preview", "--expect-no-changes").stdout).to.match(/2 unchanged/);
      expect(cli("destroy", "--yes").stdout).to.match(/- 2 deleted/);
    });
  });

  describe("Python", () => {
    let python: PythonSdk;

    before(function () {
      this.timeout(ENGINE_BUILD_TIMEOUT_MS);
      python = requireHost(this, "python", findPythonSdk({ build: true }));
    });

    it("runs an inline program using a remote component class and the generated SDK: up, preview, destroy", function () {
      this.timeout(180_000);
      const sdk = path.join(tmp, "python-sdk");
      const site = path.join(tmp, "python-site");
      generateSdk(generator, "python", TOY_SCHEMA, sdk);
      installPythonPackage(python, sdk, site);
      const dir = project("toy-python", "python");
      const r = spawnSync(python.python, [path.join(TOY, "python", "inline.py"), dir, pulumiCommandRoot(engine)], {
        cwd: dir,
        env: backend("python", { PYTHONPATH: site }),
        encoding: "utf8",
      });
      expect(r.status, show("python inline.py", r)).to.equal(0);
      expect(report(r)).to.deep.equal({
        up: { classMessage: "hello python class", sdkMessage: "hello python sdk" },
        upChanges: { create: 3 },
        previewChanges: { same: 3 },
        destroyChanges: { delete: 3 },
      });
    });
  });

  describe("Go", () => {
    let go: string;

    before(function () {
      go = requireHost(this, "go", findGo()).bin;
    });

    it("builds the consumer template against the generated SDK and runs its inline program: up, preview, destroy", function () {
      this.timeout(ENGINE_BUILD_TIMEOUT_MS);
      const mod = path.join(tmp, "go-consumer");
      fs.cpSync(GO_TEMPLATE, mod, { recursive: true, filter: (f) => path.basename(f) !== "sdk" });
      generateSdk(generator, "go", TOY_SCHEMA, path.join(mod, "sdk"));
      // As the engine is built (scripts/pulumi-engine.sh), so that Go's build cache of the engine serves sdk/v3.
      const build = spawnSync(
        go,
        ["build", "-trimpath", "-tags", "osusergo,grpcnotrace", "-o", path.join(mod, "consumer"), "."],
        { cwd: mod, env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" }, encoding: "utf8" },
      );
      expect(build.status, show("go build", build)).to.equal(0);
      const dir = project("toy-go", "go");
      const r = spawnSync(path.join(mod, "consumer"), [dir, pulumiCommandRoot(engine)], {
        cwd: dir,
        env: backend("go"),
        encoding: "utf8",
      });
      expect(r.status, show("consumer", r)).to.equal(0);
      expect(report(r)).to.deep.equal({
        up: { sdkMessage: "hello go sdk" },
        upChanges: { create: 2 },
        previewChanges: { same: 2 },
        destroyChanges: { delete: 2 },
      });
    });
  });
});
