/**
 * The component as others get it: `npm pack` (which builds dist/ through `prepack`), the tarball's contents, a plain
 * `npm install` of the tarball into a fresh consumer folder, the package loaded at run time, and the README's
 * "As a component in your own program" example, taken from README.md literally, type-checked against the installed
 * package by `tsc --noEmit` — with a control that a wrong name and a deep import fail the same check.
 */
import { expect } from "chai";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });

/** The child's environment without what `npm test` sets for its own package (npm_config_*, npm_package_*, …). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
}

function run(cmd: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: "utf8", shell: process.platform === "win32" });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

function mustRun(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.out}`);
  return r.out;
}

/** The first ```ts block under the README's "As a component in your own program" heading, as written. */
function readmeComponentExample(): string {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const at = readme.indexOf("### As a component in your own program");
  if (at < 0) throw new Error('README.md has no "### As a component in your own program" section');
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error("README.md's component section has no ```ts example");
  return m[1];
}

/** The first line a server prints on stdout (its port), or what it said before it exited; the server is then stopped. */
function firstLine(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let [out, err] = ["", ""];
    const done = (text: string) => {
      child.kill("SIGKILL");
      resolve(text);
    };
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (out.includes("\n")) done(out.split("\n")[0]);
    });
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("exit", () => done(`exited: ${out}${err}`));
    setTimeout(() => done(`no line within 15 s: ${out}${err}`), 15_000);
  });
}

const CONSUMER_TSCONFIG = {
  // As a Pulumi TypeScript program sets it up, with Node 16 resolution so package.json `exports` is what counts
  // (and no skipLibCheck: the package's declarations are checked too).
  compilerOptions: {
    strict: true,
    target: "es2020",
    module: "node16",
    moduleResolution: "node16",
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
    types: ["node"],
  },
};

describe("the npm package (npm pack → install in a fresh consumer → README example type-checks)", function () {
  this.timeout(180_000);
  let tmp: string;
  let tarball: string;
  let entries: string[];
  let consumer: string;

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-pack-"));
    mustRun("npm", ["pack", "--pack-destination", tmp, "--no-audit", "--no-fund"], root);
    const tgz = fs.readdirSync(tmp).filter((f) => f.endsWith(".tgz"));
    expect(tgz, "npm pack made one tarball").to.have.length(1);
    tarball = path.join(tmp, tgz[0]);
    entries = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter((e) => e !== "" && !e.endsWith("/"));

    consumer = path.join(tmp, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", version: "0.0.0", private: true }, null, 2),
    );
    mustRun(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        tarball,
        `@pulumi/okta@${pkg.dependencies["@pulumi/okta"]}`,
        `@types/node@${pkg.devDependencies["@types/node"]}`,
      ],
      consumer,
    );
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("holds only the library and its plugin: compiled JavaScript, type declarations, the schema, the plugin scripts, README and package.json", () => {
    const allowed =
      /^package\/(package\.json|README\.md|LICENSE[^/]*|dist\/components\/.+\.(js|d\.ts)|dist\/provider\/[^/]+\.js|dist\/provider\/schema\.json|bin\/pulumi-resource-(cerby|pulumi-nodejs))$/;
    expect(
      entries.filter((e) => !allowed.test(e)),
      "entries outside the library",
    ).to.deep.equal([]);
    expect(entries.filter((e) => /\/(tests?|scripts|bench|node_modules|\.ci)\//.test(e))).to.deep.equal([]);
    expect(
      entries.filter((e) => e.endsWith(".ts") && !e.endsWith(".d.ts")),
      "TypeScript sources",
    ).to.deep.equal([]);
    // Complete: every module of components/ is there, compiled and declared.
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) sources.push(p);
      }
    };
    walk(path.join(root, "components"));
    expect(sources.length).to.be.greaterThan(5);
    for (const s of sources) {
      const rel = path.relative(root, s).split(path.sep).join("/").replace(/\.ts$/, "");
      expect(entries).to.include(`package/dist/${rel}.js`);
      expect(entries).to.include(`package/dist/${rel}.d.ts`);
    }
    // The plugin (issue 18): its scripts, its compiled code and the schema it serves.
    for (const f of ["bin/pulumi-resource-cerby", "bin/pulumi-resource-pulumi-nodejs", "dist/provider/schema.json"]) {
      expect(entries).to.include(`package/${f}`);
    }
    expect(entries).to.include.members(["package/dist/provider/index.js", "package/dist/provider/dynamic-provider.js"]);
  });

  it("installs the plugin scripts executable, on the consumer's bin path, serving from a folder without node_modules", async () => {
    for (const name of ["pulumi-resource-cerby", "pulumi-resource-pulumi-nodejs"]) {
      const installed = path.join(consumer, "node_modules", pkg.name, "bin", name);
      expect(fs.statSync(installed).mode & 0o111, `${name} is executable`).to.not.equal(0);
      expect(fs.realpathSync(path.join(consumer, "node_modules", ".bin", name))).to.equal(fs.realpathSync(installed));
    }
    // Started from a folder without node_modules (as the CLI starts them for a YAML project), each serves.
    const empty = fs.mkdtempSync(path.join(tmp, "no-modules-"));
    for (const name of ["pulumi-resource-cerby", "pulumi-resource-pulumi-nodejs"]) {
      const first = await firstLine(path.join(consumer, "node_modules", ".bin", name), ["127.0.0.1:1"], empty);
      expect(first, `${name} printed its port`).to.match(/^\d+$/);
    }
    // The schema the installed plugin serves is the one generated from the types (tests/package/schema.test.ts).
    const served = fs.readFileSync(
      path.join(consumer, "node_modules", pkg.name, "dist", "provider", "schema.json"),
      "utf8",
    );
    expect(JSON.parse(served)).to.deep.equal(
      JSON.parse(fs.readFileSync(path.join(root, "schema", "schema.json"), "utf8")),
    );
  });

  it("points main, types and exports at files in the tarball, and is not private", () => {
    const installed = JSON.parse(
      fs.readFileSync(path.join(consumer, "node_modules", pkg.name, "package.json"), "utf8"),
    );
    expect(installed.private, "a private package cannot be published").to.equal(undefined);
    const targets = [installed.main, installed.types, installed.exports["."].types, installed.exports["."].default];
    for (const t of targets) {
      expect(t, "a target of main/types/exports").to.be.a("string");
      expect(entries).to.include(`package/${path.posix.normalize(t)}`);
    }
    expect(installed.types).to.match(/\.d\.ts$/);
  });

  it("loads in the consumer at run time with the public names, and refuses deep imports", () => {
    const out = mustRun(
      process.execPath,
      [
        "-e",
        `const m = require(${JSON.stringify(pkg.name)});
         let deep;
         try { require(${JSON.stringify(`${pkg.name}/dist/http`)}); deep = "loaded"; } catch (e) { deep = e.code; }
         console.log(JSON.stringify({ names: Object.keys(m).sort(), deep,
           component: typeof m.CerbyOktaUniversalLogout, url: m.oktaOrgUrl({ orgName: "acme" }) }));`,
      ],
      consumer,
    );
    const r = JSON.parse(out.trim().split("\n").pop()!);
    expect(r.names).to.include.members([
      "CerbyOktaUniversalLogout",
      "CerbyUniversalLogout",
      "OktaUniversalLogout",
      "oktaOrgUrl",
      "OktaConfigError",
      "VendorError",
      "UserError",
    ]);
    expect(r.component).to.equal("function");
    expect(r.url).to.equal("https://acme.okta.com");
    expect(r.deep, "exports keeps dist/ private").to.equal("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  // One `tsc` over both files (the example and the control), as one program: each file's errors are its own.
  let check: { status: number | null; out: string };
  let example: string;
  // tsc's diagnostics, one per line ("file(line,col): error TS…", or "error TS…" for the project itself).
  const errors = () => check.out.split("\n").filter((l) => /(^|: )error TS\d+/.test(l));
  before(function () {
    this.timeout(120000);
    example = readmeComponentExample();
    fs.writeFileSync(path.join(consumer, "index.ts"), example);
    fs.mkdirSync(path.join(consumer, "control"), { recursive: true });
    fs.writeFileSync(
      path.join(consumer, "control", "index.ts"),
      [
        `import { CerbyOktaUniversalLogout, OktaMode, NotExported } from "${pkg.name}";`,
        `import { HttpClient } from "${pkg.name}/dist/http";`,
        `const mode: OktaMode = "verify";`,
        `new CerbyOktaUniversalLogout("x", { cerby: { mode: "automatic" }, okta: { orgUrl: "https://a.okta.com", mode } });`,
        `export const unused = [NotExported, HttpClient];`,
        "",
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({ ...CONSUMER_TSCONFIG, files: ["index.ts", "control/index.ts"] }, null, 2),
    );
    check = run(process.execPath, [tsc, "--noEmit", "-p", "."], consumer);
  });

  it("type-checks the README's component example, taken literally, against the installed package", () => {
    expect(example, "the example imports the package by name").to.include(`from "${pkg.name}"`);
    // Anywhere but the control: the example, the package's own declarations (no skipLibCheck), the project.
    const outside = errors().filter((l) => !l.startsWith("control/"));
    expect(outside, `tsc --noEmit on the README example:\n${check.out}`).to.deep.equal([]);
  });

  it("fails the same check for a name the package does not export, a wrong arg type and a deep import (control)", () => {
    expect(check.status, check.out).to.not.equal(0);
    const control = errors()
      .filter((l) => l.startsWith("control/index.ts("))
      .join("\n");
    expect(control).to.match(/has no exported member 'NotExported'/);
    expect(control).to.match(/Cannot find module '[^']*\/dist\/http'/);
    expect(control).to.match(/"automatic"/);
  });
});
