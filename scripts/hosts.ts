/**
 * What a consumer in another language needs beside the Pulumi CLI (scripts/pulumi-cli.ts finds that), found or built:
 * Pulumi YAML's language host, the SDK generator (Python and Go), the Python SDK in a virtual environment, and a Go
 * toolchain. Each `find*` has findEngine's semantics: it returns what it found (undefined when missing) and, with
 * `build`, builds what is missing first (progress on stderr) through its script, which caches it per machine:
 *
 *   scripts/yaml-host.sh    pulumi-language-yaml, beside the cached CLI (its own Go module, scripts/yaml-host/)
 *   scripts/gen-sdk.sh      the generator, from the engine's Go module (scripts/engine/gen-sdk/)
 *   scripts/python-sdk.sh   a virtual environment with PyPI's `pulumi` (scripts/python-sdk/requirements.txt)
 *
 * Callers decide what a missing piece means: with CI=true a failure, never a skip (tests/helpers/hosts.ts).
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Engine } from "./pulumi-cli";

const SCRIPTS = __dirname;

export const HOST_HELP = {
  yaml:
    "No Pulumi YAML language host (pulumi-language-yaml): the Pulumi CLI on PATH has none beside it, or Go is missing " +
    "so `bash scripts/yaml-host.sh` cannot build it. Install the Pulumi CLI (it ships the YAML host) or Go 1.26+.",
  generator:
    "No SDK generator: `bash scripts/gen-sdk.sh` builds Pulumi's Python and Go code generators from Go modules, and " +
    "needs Go 1.26+ (https://go.dev/dl/).",
  python:
    "No Python environment with Pulumi's SDK: `bash scripts/python-sdk.sh` needs python3 3.10+ with its venv module " +
    "(Debian/Ubuntu: python3-venv) and PyPI.",
  go: "No Go toolchain (`go` on PATH): install Go 1.26+ (https://go.dev/dl/).",
} as const;

/** Runs a build script: with `build` as is (build if missing), else `--cached` (look only). Its stdout line. */
function viaScript(script: string, build: boolean): string | undefined {
  const r = spawnSync("bash", [path.join(SCRIPTS, script), ...(build ? [] : ["--cached"])], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", build ? "inherit" : "pipe"],
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((d) => path.join(d, name))
    .find(executable);
}

/**
 * `pulumi-language-yaml` for this engine. A CLI from PATH (a stock install) brings its own, beside it or on PATH; for
 * the CLI built by scripts/pulumi-engine.sh, scripts/yaml-host.sh builds it beside that (found there without a
 * warning).
 */
export function findYamlHost(engine: Engine, opts: { build: boolean }): string | undefined {
  const beside = path.join(path.dirname(engine.bin), "pulumi-language-yaml");
  if (engine.source === "PATH") return executable(beside) ? beside : onPath("pulumi-language-yaml");
  const dir = viaScript("yaml-host.sh", opts.build);
  return dir === undefined ? undefined : path.join(dir, "pulumi-language-yaml");
}

/** The SDK generator (`gen-sdk <python|go> <schema.json> <dir>`); see scripts/engine/gen-sdk/main.go. */
export function findSdkGenerator(opts: { build: boolean }): string | undefined {
  return viaScript("gen-sdk.sh", opts.build);
}

/** Writes the `language` SDK for `schema` into `outDir` with the generator; throws with its message on failure. */
export function generateSdk(generator: string, language: "python" | "go", schema: string, outDir: string): void {
  const r = spawnSync(generator, [language, schema, outDir], { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`gen-sdk ${language} ${schema} failed (${r.status}): ${r.stderr}${r.error ?? ""}`);
}

export interface PythonSdk {
  /** The virtual environment's folder. */
  dir: string;
  /** Its interpreter: runs Automation API programs with PyPI's `pulumi`. */
  python: string;
  /** The `pulumi` package's version (pinned in scripts/python-sdk/requirements.txt). */
  version: string;
}

/** The cached virtual environment with Pulumi's Python SDK (scripts/python-sdk.sh). */
export function findPythonSdk(opts: { build: boolean }): PythonSdk | undefined {
  const dir = viaScript("python-sdk.sh", opts.build);
  if (dir === undefined) return undefined;
  const reqs = fs.readFileSync(path.join(SCRIPTS, "python-sdk", "requirements.txt"), "utf8");
  const version = /^pulumi==(\S+)/m.exec(reqs)?.[1] ?? "unknown";
  return { dir, python: path.join(dir, "bin", "python"), version };
}

/**
 * Installs a generated Python SDK (a folder with pyproject.toml) into `target`, for PYTHONPATH: the environment stays
 * as cached, and each consumer gets its own copy. Built offline with the environment's pinned setuptools. The SDK must
 * be installed, not merely on the path: it reads its own version from the installed package's metadata.
 */
export function installPythonPackage(sdk: PythonSdk, packageDir: string, target: string): void {
  const r = spawnSync(
    sdk.python,
    [
      ...["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet"],
      ...["--no-deps", "--no-build-isolation", "--no-index", "--target", target, packageDir],
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`pip install ${packageDir} failed (${r.status}): ${r.stderr}`);
}

export interface GoToolchain {
  bin: string;
  /** As `go env GOVERSION` prints it (go1.26.8). A module asking for a newer Go makes it fetch that toolchain. */
  version: string;
}

/** The Go toolchain on PATH, if any (Go programs are built by their callers, in their own module). */
export function findGo(): GoToolchain | undefined {
  const bin = onPath("go");
  if (!bin) return undefined;
  // Outside any module, so that no go.mod's toolchain line makes it download one just to answer.
  const r = spawnSync(bin, ["env", "GOVERSION"], { encoding: "utf8", cwd: os.tmpdir() });
  return r.status === 0 ? { bin, version: r.stdout.trim() } : undefined;
}

/**
 * The folder to give the Automation API as the CLI's root (Python `PulumiCommand(root=…)`, Go
 * `auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: …})`): both run `<root>/bin/pulumi`. A CLI in a `bin`
 * folder has its parent; the cached build sits in a folder of its own name, so a folder under the temp directory
 * gets a `bin` link to it (the CLI resolves the link, so it still finds the plugins beside itself).
 */
export function pulumiCommandRoot(engine: Engine): string {
  const dir = path.dirname(engine.bin);
  if (path.basename(dir) === "bin") return path.dirname(dir);
  const hash = crypto.createHash("sha256").update(dir).digest("hex").slice(0, 12);
  const root = path.join(os.tmpdir(), `cerby-pulumi-root-${hash}`);
  const link = path.join(root, "bin");
  if (!executable(path.join(link, path.basename(engine.bin)))) {
    fs.mkdirSync(root, { recursive: true });
    // Made under another name and renamed over: callers running at once never see a half-made link.
    const tmp = `${link}.${process.pid}`;
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(dir, tmp);
    fs.renameSync(tmp, link);
  }
  return root;
}

export interface Hosts {
  yaml?: string;
  generator?: string;
  python?: PythonSdk;
  go?: GoToolchain;
}

/** Every piece at once (with `build`, each missing one is built in turn). */
export function findHosts(engine: Engine, opts: { build: boolean }): Hosts {
  return {
    yaml: findYamlHost(engine, opts),
    generator: findSdkGenerator(opts),
    python: findPythonSdk(opts),
    go: findGo(),
  };
}
