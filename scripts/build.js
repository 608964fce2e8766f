// @ts-check
// `npm run build` (also run by `npm ci` through `prepare`, and by `npm pack`): compiles components/, provider/ and
// schema/ to dist/ with tsc, generates the package schema from the component's TypeScript types
// (dist/provider/schema.json, served by the plugin), and stamps dist/ with a hash of its sources.
//
// `ensureBuilt()` is what the stack program (index.js), the provider loader and the plugins call in a checkout: it
// rebuilds only when a source changed since the stamp (a few ms to check), so every command runs compiled JavaScript,
// never ts-node, and never code older than the sources. An installed package has no sources and no scripts/: there
// the compiled files are simply used.
//
// Plain JavaScript (type-checked by `npm run lint` through // @ts-check): it must run before anything is compiled.
"use strict";
const { execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const STAMP = ".build-stamp";
/** What the build reads: a change to any of these makes dist/ stale. */
const SOURCE_DIRS = ["components", "provider", "schema"];
const SOURCE_FILES = ["tsconfig.json", "tsconfig.build.json", "package.json", "scripts/build.js"];

/** Every source file the build reads, sorted (paths relative to the root, with "/"). */
function sourceFiles(root = ROOT) {
  /** @type {string[]} */
  const out = [];
  /** @param {string} rel */
  const walk = (rel) => {
    const dir = path.join(root, rel);
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (/\.(ts|json)$/.test(e.name)) out.push(r);
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  for (const f of SOURCE_FILES) if (fs.existsSync(path.join(root, f))) out.push(f);
  return out.sort();
}

/** A hash of the sources' names and contents: the stamp a build writes, and what ensureBuilt compares. */
function sourceHash(root = ROOT) {
  const h = crypto.createHash("sha256");
  for (const f of sourceFiles(root))
    h.update(`${f}\0`)
      .update(fs.readFileSync(path.join(root, f)))
      .update("\0");
  return h.digest("hex");
}

function isBuilt(root = ROOT) {
  try {
    return fs.readFileSync(path.join(root, "dist", STAMP), "utf8").trim() === sourceHash(root);
  } catch {
    return false;
  }
}

/** Compiles into a fresh folder, then swaps it in, so a concurrent reader never sees half a dist/. */
function build(root = ROOT, log = (/** @type {string} */ m) => process.stderr.write(`${m}\n`)) {
  const started = Date.now();
  const hash = sourceHash(root);
  const tmp = path.join(root, `.dist-build-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
    execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json"), "--outDir", tmp], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
    });
    // The schema, from the component's TypeScript types (schema/generate.ts, compiled just now).
    execFileSync(
      process.execPath,
      [path.join(tmp, "schema", "generate.js"), "--root", root, "--out", path.join(tmp, "provider", "schema.json")],
      { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
    );
    fs.writeFileSync(path.join(tmp, STAMP), `${hash}\n`);
    fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
    fs.renameSync(tmp, path.join(root, "dist"));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  log(`build: dist/ compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Rebuilds dist/ when a source changed since the last build (or there is none). One build at a time per checkout: a
 * process that finds another building waits for it, then uses its result.
 */
function ensureBuilt(root = ROOT) {
  if (isBuilt(root)) return;
  const lock = path.join(root, ".dist-build.lock");
  const deadline = Date.now() + 5 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== "EEXIST") throw e;
      // A lock older than a build could take is left by a killed build: take it over.
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age > 5 * 60 * 1000 || Date.now() > deadline) fs.rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (isBuilt(root)) return;
    process.stderr.write("build: sources changed since the last build of dist/; compiling (npm run build)…\n");
    build(root);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

module.exports = { build, ensureBuilt, isBuilt, sourceFiles, sourceHash };

if (require.main === module) {
  try {
    build();
  } catch {
    // tsc or the generator printed what went wrong
    process.exit(1);
  }
}
