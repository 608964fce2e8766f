/**
 * The benchmark's real-CLI engine: the real `pulumi` (scripts/pulumi-cli.ts), file backend, one CLI process per
 * command, exactly as a user or a pipeline runs it, for two arms side by side:
 * - `module`: a copy of this project (tests/helpers/project-copy.ts) running its stack program (index.js → dist/);
 * - `null`: the null program (bench/null/program.ts): the same shape, providers that do nothing, the same kind of
 *   provider reference — the same CLI, backend, program host (scripts/program-host.js) and dynamic-provider plugin.
 * Each arm has its own backend folder holding two stacks of the same project name (`cerby`): `bench` (the N bindings)
 * and `probe` (one binding: the start-up probe, bench/README.md).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { CliResult, Engine, findEngine, localBackendEnv, pulumi } from "../scripts/pulumi-cli";
import { projectCopy } from "../tests/helpers/project-copy";
import { PACKAGE_NAME } from "../components/provider-ref";

const ROOT = path.resolve(__dirname, "..");

export type Arm = "module" | "null";
export type Command = "up" | "refresh" | "destroy";
export type StackName = "bench" | "probe";

export interface CliRun {
  /** The command's own wall time: its program host's start (when it runs the program) and the `pulumi` process. */
  wallMs: number;
  errors: string[];
}

/**
 * The null program's project: index.js (bench/null/program.ts), the null loader at the module's loader path
 * (dist/components/provider-loader.js, bench/null/provider-loader.ts), the module's compiled dist/components beside it,
 * and a package.json of the module's name exporting `./provider-loader` — so the `__provider` text is the module's,
 * character for character but the folder name, and resolves to the null loader from this folder. `prefix` has the
 * length of the module project's, so the recorded paths (hence the state) have the same length too.
 */
function nullProject(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const js = (file: string) =>
    ts.transpileModule(fs.readFileSync(path.join(ROOT, "bench", "null", file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
  const dist = path.join(dir, "dist", "components");
  // The module's compiled code (its config reading and reference text), with the null loader in its loader's place.
  fs.cpSync(path.join(ROOT, "dist", "components"), dist, { recursive: true });
  fs.writeFileSync(path.join(dir, "index.js"), js("program.ts"));
  fs.writeFileSync(path.join(dist, "provider-loader.js"), js("provider-loader.ts"));
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: PACKAGE_NAME,
      private: true,
      exports: { "./provider-loader": "./dist/components/provider-loader.js" },
    }),
  );
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: cerby\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
  );
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

export interface ArmOptions {
  /** Stack config of `bench` (key → value); `probe` gets the same with `probeConfig` over it. */
  config: Record<string, string>;
  probeConfig: Record<string, string>;
  /** Keys set with --secret (read from standard input). */
  secretKeys: string[];
  /** Environment of every command (the plugin inherits it). */
  env: Record<string, string>;
}

export class CliArm {
  private readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-bench-cli-"));
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly arm: Arm,
    private readonly engine: Engine,
    private readonly project: string,
    env: Record<string, string>,
  ) {
    this.env = localBackendEnv(path.join(this.tmp, "state"), { PULUMI_HOME: path.join(this.tmp, "home"), ...env });
  }

  /** The arm's project, its stacks `bench` and `probe` and their config: set-up, never timed. */
  static async create(arm: Arm, o: ArmOptions): Promise<CliArm> {
    const engine = findEngine({ build: true });
    if (!engine) throw new Error("no Pulumi CLI for the benchmark's cli engine (see README, 'The Pulumi engine')");
    // The copy must not rebuild inside a timed command: build here (a no-op when dist/ is current), then copy.
    (require(path.join(ROOT, "scripts", "build.js")) as { ensureBuilt(): void }).ensureBuilt();
    // Prefixes of one length: the recorded loader paths in state have the same length in both arms.
    const project = arm === "module" ? projectCopy("cerby-bench-mod-") : nullProject("cerby-bench-nul-");
    const s = new CliArm(arm, engine, project, o.env);
    for (const [stack, config] of [
      ["bench", o.config],
      ["probe", { ...o.config, ...o.probeConfig }],
    ] as const) {
      await s.must(["stack", "init", stack]);
      for (const [k, v] of Object.entries(config)) {
        if (o.secretKeys.includes(k)) await s.must(["config", "set", "--stack", stack, "--secret", k], v);
        else await s.must(["config", "set", "--stack", stack, k, v]);
      }
    }
    return s;
  }

  get version(): string {
    return this.engine.version;
  }

  private async must(args: string[], stdin?: string): Promise<CliResult> {
    const r = await pulumi(this.engine, args, this.project, this.env, { stdin, timeoutMs: 60 * 60 * 1000 });
    if (r.status !== 0) throw new Error(`${this.arm}: pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /**
   * One command on `stack`, timed alone. `parallel` 0 or undefined: no flag, the CLI's default. `profileDir`: CPU
   * profiles of the CLI (`--profiling`, Go pprof) and of every Node.js process of the command (program host, plugin:
   * a V8 profile through a preload, bench/cpu-profile.js).
   */
  async run(command: Command, o: { stack?: StackName; parallel?: number; profileDir?: string } = {}): Promise<CliRun> {
    const args = [command, "--yes", "--skip-preview", "--stack", o.stack ?? "bench"];
    if (o.parallel) args.push("--parallel", String(o.parallel));
    let env = this.env;
    if (o.profileDir) {
      fs.mkdirSync(o.profileDir, { recursive: true });
      args.push("--profiling", path.join(o.profileDir, "cli"));
      const preload = path.join(ROOT, "bench", "cpu-profile.js");
      env = { ...env, NODE_OPTIONS: `--require=${preload}`, BENCH_CPU_PROFILE_DIR: o.profileDir };
    }
    const start = process.hrtime.bigint();
    const r = await pulumi(this.engine, args, this.project, env, { timeoutMs: 60 * 60 * 1000 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    return { wallMs, errors: r.status === 0 ? [] : [`${r.stdout}\n${r.stderr}`.trim()] };
  }

  /** Bytes of the stack's checkpoint in the file backend (what the engine rewrites at every step). */
  stateBytes(stack: StackName = "bench"): number {
    const stacks = path.join(this.tmp, "state", ".pulumi", "stacks");
    const name = new RegExp(`^${stack}\\.json(\\.gz)?$`);
    return fs
      .readdirSync(stacks, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && name.test(e.name))
      .reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  }

  /** Copies the stack's checkpoint to `file` (for the state breakdown of a profiled run). */
  saveState(file: string, stack: StackName = "bench"): void {
    fs.copyFileSync(path.join(this.tmp, "state", ".pulumi", "stacks", "cerby", `${stack}.json`), file);
  }

  async stop(): Promise<void> {
    for (const stack of ["bench", "probe"]) {
      await pulumi(this.engine, ["stack", "rm", "--yes", "--force", "--stack", stack], this.project, this.env).catch(
        () => undefined,
      );
    }
    for (const d of [this.tmp, this.project]) fs.rmSync(d, { recursive: true, force: true });
  }
}
