/**
 * Finding (or building) and running the real Pulumi CLI, with a local file backend: the sandbox, the real-CLI
 * end-to-end tests and the benchmark all go through here.
 *
 * Which `pulumi`: one on PATH when it is at least as new as the @pulumi/pulumi SDK this project uses (a workstation, the
 * GitHub runner); else the build cached by scripts/pulumi-engine.sh; else that script builds it from Go modules.
 * Node.js programs run through Pulumi's Node.js language host when it is installed beside `pulumi`; otherwise through
 * scripts/program-host.js (`--client`), the Automation API's inline-program path.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..");
const ENGINE_SCRIPT = path.join(ROOT, "scripts", "pulumi-engine.sh");

export interface Engine {
  /** Absolute path of the `pulumi` binary. */
  bin: string;
  version: string;
  /** Where it came from: PATH, the per-user cache, or built just now. */
  source: "PATH" | "cache" | "built";
  /** Pulumi's own Node.js language host sits beside it (else programs run through scripts/program-host.js). */
  languageHost: boolean;
}

export const NO_ENGINE_HELP =
  "No usable Pulumi CLI: none on PATH (or older than the @pulumi/pulumi SDK) and it could not be built here. " +
  "Install the Pulumi CLI (https://www.pulumi.com/docs/install/), or Go 1.26+ (https://go.dev/dl/) so that " +
  "`bash scripts/pulumi-engine.sh` builds it from Go modules (once per machine, cached under ~/.cache), then rerun.";

/** The @pulumi/pulumi SDK version this project runs; a CLI older than it is not used. */
export function sdkVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }), "utf8"))
    .version as string;
}

function versionOf(bin: string): string | undefined {
  const r = spawnSync(bin, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, "") : undefined;
}

/** Compares dotted versions numerically (pre-release suffixes ignored). */
export function versionAtLeast(v: string, min: string): boolean {
  const parse = (s: string) =>
    s
      .split(/[-+]/)[0]
      .split(".")
      .map((x) => Number(x) || 0);
  const [a, b] = [parse(v), parse(min)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function engineAt(bin: string, source: Engine["source"]): Engine | undefined {
  const version = versionOf(bin);
  if (!version) return undefined;
  const languageHost =
    fs.existsSync(path.join(path.dirname(bin), "pulumi-language-nodejs")) || !!onPath("pulumi-language-nodejs");
  return { bin, version, source, languageHost };
}

/**
 * The Pulumi CLI to use, or undefined. With `build`, runs scripts/pulumi-engine.sh when nothing usable is found and Go
 * is present (progress on stderr); without it, only looks.
 */
export function findEngine(opts: { build: boolean }): Engine | undefined {
  const ambient = onPath("pulumi");
  if (ambient) {
    const e = engineAt(ambient, "PATH");
    if (e && versionAtLeast(e.version, sdkVersion())) return e;
  }
  const cached = spawnSync("bash", [ENGINE_SCRIPT, "--cached"], { encoding: "utf8" });
  if (cached.status === 0) return engineAt(path.join(cached.stdout.trim(), "pulumi"), "cache");
  if (!opts.build) return undefined;
  const built = spawnSync("bash", [ENGINE_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (built.status !== 0) return undefined;
  return engineAt(path.join(built.stdout.trim(), "pulumi"), "built");
}

/**
 * Environment for a throwaway local backend: state in `stateDir`, secrets encrypted with a sandbox passphrase. The
 * caller's own OKTA_*, CERBY_* and PULUMI_* variables are left out, so a user's real credentials or Pulumi Cloud
 * login never reach a sandbox, test or benchmark stack; `extra` adds what that run needs.
 */
export function localBackendEnv(stateDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  fs.mkdirSync(stateDir, { recursive: true });
  const own = Object.entries(process.env).filter(([k]) => !/^(OKTA|CERBY|PULUMI)_/.test(k));
  return {
    ...Object.fromEntries(own),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "sandbox-passphrase-not-a-secret",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // @pulumi/okta is a dependency whose plugin cannot be downloaded here; nothing may try to.
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...extra,
  };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** CLI commands that run the program (or its language runtime), hence need a language host or `--client`. */
const PROGRAM_COMMANDS = new Set(["up", "update", "preview", "import"]);
/** These run the program only when asked to (`--run-program`); otherwise they need only state and the plugins. */
const RUN_PROGRAM_IF_ASKED = new Set(["refresh", "destroy"]);

function runsProgram(args: string[]): boolean {
  const asked = args.some((a) => a === "--run-program" || a === "--run-program=true");
  return PROGRAM_COMMANDS.has(args[0]) || (RUN_PROGRAM_IF_ASKED.has(args[0]) && asked);
}

/** The runtime a project's Pulumi.yaml names (`runtime: yaml`, or `runtime: { name: nodejs }`). */
export function projectRuntime(cwd: string): string | undefined {
  try {
    const project = yaml.load(fs.readFileSync(path.join(cwd, "Pulumi.yaml"), "utf8")) as {
      runtime?: string | { name?: string };
    };
    return typeof project.runtime === "string" ? project.runtime : project.runtime?.name;
  } catch {
    return undefined;
  }
}

/**
 * Runs `pulumi <args> --non-interactive` in `cwd`. Asynchronous on purpose: the emulators may live in this process.
 * `stdin`, when given, is written to the CLI's standard input (e.g. `config set --secret` reading a value). With
 * `hosts`, a program host (see `ProgramHosts`) is taken from and returned to that pool instead of started per command.
 */
export async function pulumi(
  engine: Engine,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  opts: {
    stdin?: string;
    timeoutMs?: number;
    echo?: boolean;
    hosts?: ProgramHosts;
    onSpawn?: (c: ChildProcess) => void;
  } = {},
): Promise<CliResult> {
  const full = [...args, "--non-interactive"];
  const childEnv = { ...env, PATH: `${path.dirname(engine.bin)}${path.delimiter}${env.PATH ?? ""}` };
  let host: ProgramHost | undefined;
  if (!engine.languageHost && runsProgram(args) && projectRuntime(cwd) === "nodejs") {
    host = opts.hosts ? await opts.hosts.take(cwd, childEnv) : await startProgramHost(cwd, childEnv);
    full.push(`--client=127.0.0.1:${host.port}`);
  }
  let ok = false;
  try {
    const r = await run(engine.bin, full, cwd, childEnv, opts);
    ok = r.status === 0;
    // What the program printed (the stock language host forwards it the same way).
    return host ? { ...r, stdout: r.stdout + host.output() } : r;
  } finally {
    // A host whose command failed may still be inside that run: it is never given another.
    if (host && opts.hosts && ok) opts.hosts.give(cwd, childEnv, host);
    else host?.stop();
  }
}

/**
 * Program hosts kept between commands, for callers that run many `pulumi` commands on one project (the real-CLI
 * tests): one idle host per project folder and environment, the way the Automation API serves an inline program from
 * one long-lived process. Each run still loads the project's own modules afresh (scripts/program-host.js), so no state
 * of the program carries over; what is saved is starting Node.js, ts-node and @pulumi/pulumi for every command (about
 * 1.3 s of CPU each). The sandbox and the benchmark start a host per command, as Pulumi's language host does.
 */
export class ProgramHosts {
  private readonly idle = new Map<string, ProgramHost>();

  private static key(cwd: string, env: NodeJS.ProcessEnv): string {
    return JSON.stringify([cwd, Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))]);
  }

  /** An idle host for this folder and environment, else a new one. */
  async take(cwd: string, env: NodeJS.ProcessEnv): Promise<ProgramHost> {
    const key = ProgramHosts.key(cwd, env);
    const host = this.idle.get(key);
    this.idle.delete(key);
    if (host?.alive()) {
      host.output(); // anything printed between commands is not this command's
      return host;
    }
    return startProgramHost(cwd, env);
  }

  give(cwd: string, env: NodeJS.ProcessEnv, host: ProgramHost): void {
    const key = ProgramHosts.key(cwd, env);
    this.idle.get(key)?.stop();
    if (host.alive()) this.idle.set(key, host);
  }

  stop(): void {
    for (const host of this.idle.values()) host.stop();
    this.idle.clear();
  }
}

function run(
  bin: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  opts: { stdin?: string; timeoutMs?: number; echo?: boolean; onSpawn?: (c: ChildProcess) => void },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    // Tests that interrupt a command (SIGINT as a terminal's Ctrl-C, SIGKILL) need the process.
    opts.onSpawn?.(child);
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
      if (opts.echo) process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 10 * 60 * 1000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}

interface ProgramHost {
  port: number;
  /** What the program printed since the last call. */
  output(): string;
  alive(): boolean;
  stop(): void;
}

function startProgramHost(cwd: string, env: NodeJS.ProcessEnv): Promise<ProgramHost> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "scripts", "program-host.js"), cwd], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let errors = "";
    child.stderr.on("data", (d: Buffer) => (errors += d));
    let listening = false;
    const onData = (d: Buffer) => {
      out += d;
      const m = listening ? null : /^(\d+)\n/.exec(out);
      if (m) {
        listening = true;
        out = out.slice(m[0].length);
        resolve({
          port: Number(m[1]),
          output: () => {
            const printed = out + errors;
            [out, errors] = ["", ""];
            return printed;
          },
          alive: () => child.exitCode === null && child.signalCode === null,
          stop: () => child.kill("SIGTERM"),
        });
      }
    };
    child.stdout.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) =>
      reject(new Error(`the program host exited (${code}) before listening: ${out}${errors}`)),
    );
  });
}
