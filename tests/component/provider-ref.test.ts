/**
 * The provider reference stored in state (components/provider-ref.ts): which copy of the module it loads, run as
 * Pulumi's dynamic-provider plugin runs it (`require-from-string(text).handler()`) in a fresh Node.js process whose
 * working directory is the folder a command runs in.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { providerRefText } from "../../components/provider-ref";

const ROOT = path.resolve(__dirname, "../..");
const RECORDED = path.join(ROOT, "dist", "components", "provider-loader.js");

/** Loads `text` as the plugin does, in `cwd`; prints the provider's methods and where its loader came from. */
function load(text: string, cwd: string, env: NodeJS.ProcessEnv = {}) {
  const script = `
    const rfs = require(${JSON.stringify(require.resolve("require-from-string"))});
    const p = rfs(${JSON.stringify(text)}).handler();
    const loaders = Object.keys(require.cache).filter((f) => f.endsWith("provider-loader.js"));
    console.log(JSON.stringify({ methods: Object.keys(p).sort(), loaders }));`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CERBY_")));
  const r = spawnSync(process.execPath, ["-e", script], { cwd, env: { ...clean, ...env }, encoding: "utf8" });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return { status: r.status, stderr: r.stderr, out: last.startsWith("{") ? JSON.parse(last) : undefined };
}

describe("the provider reference in state: only the code of the project the command runs in", () => {
  let empty: string;
  before(() => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-no-project-"));
  });
  after(() => fs.rmSync(empty, { recursive: true, force: true }));

  it("is a few hundred bytes: a require of the package's loader, and the recorded path", () => {
    const text = providerRefText("cerby", RECORDED);
    expect(text.length).to.be.below(600);
    expect(text).to.contain('"cerby-okta-universal-logout/provider-loader"');
  });

  it("from this repository, loads its own compiled module and says nothing", () => {
    const r = load(providerRefText("okta", "/nonexistent/dist/components/provider-loader.js"), ROOT);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.out.methods).to.include.members(["configure", "check", "diff", "create", "read", "update", "delete"]);
    expect(r.out.loaders).to.deep.equal([RECORDED]);
    expect(r.stderr).to.equal("");
  });

  it("from a folder with no copy of the module (state without its program), falls back to the recorded path and says so", () => {
    const r = load(providerRefText("cerby", RECORDED), empty);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.out.loaders).to.deep.equal([RECORDED]);
    expect(r.stderr).to.contain(`no copy of the module was found from ${empty}`);
    expect(r.stderr).to.contain("loading the copy the state records");
  });

  it("CERBY_OKTA_MODULE_ROOT names the checkout to use, before the folder the command runs in", () => {
    const r = load(providerRefText("cerby", "/nonexistent/recorded.js"), empty, { CERBY_OKTA_MODULE_ROOT: ROOT });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.out.loaders).to.deep.equal([RECORDED]);
    // A root that holds no module is an error naming it, not a silent fallback to another copy.
    const bad = load(providerRefText("cerby", RECORDED), ROOT, { CERBY_OKTA_MODULE_ROOT: empty });
    expect(bad.status).to.not.equal(0);
    expect(bad.stderr).to.contain("cerby-okta-universal-logout/provider-loader");
  });
});
