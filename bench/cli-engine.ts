/**
 * The benchmark's real-CLI engine: a stack of N bindings run through the real `pulumi` (scripts/pulumi-cli.ts), in a
 * copy of the project with a file backend, against the emulators. Each command is one CLI process, exactly as a user
 * or a pipeline runs it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliResult, Engine, findEngine, localBackendEnv, pulumi } from "../scripts/pulumi-cli";
import { projectCopy } from "../tests/helpers/project-copy";

export interface CliRun {
  wallMs: number;
  errors: string[];
}

export class CliStack {
  readonly name = "cli" as const;
  private readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-bench-cli-"));
  private readonly project = projectCopy("cerby-bench-project-");
  /**
   * The same project with a program that loads the module and registers nothing: the same command on its stack is
   * the CLI's own start-up (engine, program host, module loading, plugin start, checkpoint), without the bindings.
   */
  private readonly emptyProject = projectCopy("cerby-bench-empty-");
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    private readonly engine: Engine,
    env: Record<string, string>,
  ) {
    this.env = localBackendEnv(path.join(this.tmp, "state"), { PULUMI_HOME: path.join(this.tmp, "home"), ...env });
  }

  /** A new stack `bench` with `config` (key → value; `secretKeys` set with --secret, read from standard input). */
  static async create(
    config: Record<string, string>,
    env: Record<string, string>,
    secretKeys: string[] = [],
  ): Promise<CliStack> {
    const engine = findEngine({ build: true });
    if (!engine) throw new Error("no Pulumi CLI for the benchmark's cli engine (see README, 'The Pulumi engine')");
    const s = new CliStack(engine, env);
    fs.writeFileSync(
      path.join(s.emptyProject, "index.ts"),
      "// The benchmark's empty program: loads the module as the real one does and registers nothing.\n" +
        'import "./components";\n',
    );
    await s.must(["stack", "init", "bench-empty"], undefined, s.emptyProject);
    await s.must(["stack", "init", "bench"]);
    for (const [k, v] of Object.entries(config)) {
      if (secretKeys.includes(k)) await s.must(["config", "set", "--secret", k], v);
      else await s.must(["config", "set", k, v]);
    }
    return s;
  }

  get version(): string {
    return this.engine.version;
  }

  private async must(args: string[], stdin?: string, cwd = this.project): Promise<CliResult> {
    const r = await pulumi(this.engine, args, cwd, this.env, { stdin, timeoutMs: 60 * 60 * 1000 });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  private async timed(args: string[], cwd = this.project): Promise<CliRun> {
    const start = process.hrtime.bigint();
    const r = await pulumi(this.engine, args, cwd, this.env, { timeoutMs: 60 * 60 * 1000 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    return { wallMs, errors: r.status === 0 ? [] : [`${r.stdout}\n${r.stderr}`.trim()] };
  }

  up(opts: { parallel?: number } = {}): Promise<CliRun> {
    return this.timed(["up", "--yes", "--skip-preview", ...this.parallel(opts.parallel)]);
  }

  refresh(opts: { parallel?: number } = {}): Promise<CliRun> {
    return this.timed(["refresh", "--yes", "--skip-preview", ...this.parallel(opts.parallel)]);
  }

  destroy(opts: { parallel?: number } = {}): Promise<CliRun> {
    return this.timed(["destroy", "--yes", "--skip-preview", ...this.parallel(opts.parallel)]);
  }

  /** The same command on the empty program's stack: the CLI's start-up alone (milliseconds). */
  async startup(command: "up" | "refresh" | "destroy"): Promise<number> {
    const r = await this.timed([command, "--yes", "--skip-preview", "--stack", "bench-empty"], this.emptyProject);
    if (r.errors.length > 0) throw new Error(`pulumi ${command} on the empty program failed:\n${r.errors[0]}`);
    return r.wallMs;
  }

  private parallel(p: number | undefined): string[] {
    return p && p > 0 ? ["--parallel", String(p)] : [];
  }

  /** Bytes of the stack's checkpoint in the file backend (what the engine rewrites at every step). */
  stateBytes(): number {
    const stacks = path.join(this.tmp, "state", ".pulumi", "stacks");
    const files = fs
      .readdirSync(stacks, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /^bench\.json(\.gz)?$/.test(e.name));
    return files.reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  }

  async stop(): Promise<void> {
    await pulumi(this.engine, ["stack", "rm", "--yes", "--force"], this.project, this.env).catch(() => undefined);
    await pulumi(
      this.engine,
      ["stack", "rm", "--yes", "--force", "--stack", "bench-empty"],
      this.emptyProject,
      this.env,
    ).catch(() => undefined);
    for (const d of [this.tmp, this.project, this.emptyProject]) fs.rmSync(d, { recursive: true, force: true });
  }
}
