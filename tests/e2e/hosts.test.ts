/**
 * The other languages' hosts (scripts/hosts.ts): found without building when asked only to look, and the SDK
 * generator (Pulumi's own Python and Go code generators) writing the package's SDKs from schema/schema.json at the
 * schema's version and with its language section's names. The consumers themselves run in ./yaml.test.ts,
 * ./python.test.ts and ./go.test.ts.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findPythonSdk, findSdkGenerator, findYamlHost, generateSdk } from "../../scripts/hosts";
import { Engine } from "../../scripts/pulumi-cli";
import { requireHost } from "../helpers/hosts";
import { ENGINE_BUILD_TIMEOUT_MS, requireEngine } from "../helpers/pulumi-engine";

const ROOT = path.resolve(__dirname, "../..");
const SCHEMA = path.join(ROOT, "schema", "schema.json");

describe("other-language hosts: found or built, and the SDK generator on the package schema", function () {
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
      generateSdk(generator, "python", SCHEMA, py);
      generateSdk(generator, "go", SCHEMA, go);
      // language.python.respectSchemaVersion (and meta.supportPack): the version is the schema's, not 0.0.0.
      const version = JSON.parse(fs.readFileSync(SCHEMA, "utf8")).version as string;
      expect(fs.readFileSync(path.join(py, "pyproject.toml"), "utf8")).to.include(`version = "${version}"`);
      expect(
        JSON.parse(fs.readFileSync(path.join(py, "cerby_okta_universal_logout", "pulumi-plugin.json"), "utf8")),
      ).to.deep.equal({ resource: true, name: "cerby", version });
      const component = path.join(py, "cerby_okta_universal_logout", "okta", "universal_logout.py");
      expect(fs.readFileSync(component, "utf8")).to.include("remote=True").and.to.include("cerby:okta:UniversalLogout");
      // meta.supportPack: the Go SDK is a module of its own, named after language.go.importBasePath.
      expect(fs.readFileSync(path.join(go, "go.mod"), "utf8")).to.match(
        /^module cerby-okta-universal-logout\/sdk\/go$/m,
      );
      expect(fs.existsSync(path.join(go, "cerby", "okta", "universalLogout.go"))).to.equal(true);
    });

    it("writes version 0.0.0 without respectSchemaVersion and meta.supportPack (control)", () => {
      const schema = JSON.parse(fs.readFileSync(SCHEMA, "utf8")) as {
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
        JSON.parse(fs.readFileSync(path.join(py, "cerby_okta_universal_logout", "pulumi-plugin.json"), "utf8")),
      ).not.to.have.property("version");
      expect(fs.existsSync(path.join(go, "go.mod"))).to.equal(false);
    });

    it("refuses a schema that is not valid, naming the problem", () => {
      const bad = path.join(tmp, "bad-schema.json");
      fs.writeFileSync(bad, JSON.stringify({ name: "cerby", version: "not a version" }));
      expect(() => generateSdk(generator, "python", bad, path.join(tmp, "gen-bad"))).to.throw(/version/);
    });
  });
});
