/**
 * A small stand-in for the Pulumi engine, for end-to-end tests on machines without the Pulumi CLI.
 *
 * It runs the program in-process under Pulumi's mocks; each registration of a dynamic resource is turned into the
 * engine's steps against `@pulumi/pulumi`'s real dynamic-provider plugin (`cmd/dynamic-provider`, a gRPC server),
 * called with the SDK's own generated stubs: Configure with the stack config, then Check → Create, or
 * Check → Diff → Update (or replace). Resources left out of the program are deleted in reverse order. Refresh calls
 * Read; so does `Resource.get` (ReadResource), whose resources are recorded as external and never deleted. State is a JSON file written after every step, as the engine checkpoints, so a failed `up` leaves the state of
 * what did happen. Registration order is the dependency order: the SDK only registers a resource once everything it
 * depends on has been registered.
 *
 * As under the CLI, every command (up, preview, refresh, destroy) starts the program with no process-wide state
 * (access tokens, rate-limit pauses); with `pluginPerCommand` it also runs on a plugin process of its own, started
 * while the previous command runs. The plugin runs in this repository's folder, so the provider references load the
 * compiled module (dist/, built by `npm run build`, rebuilt by the test setup when a source changed).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { resetHttpLimiters } from "../../components/http";
import { resetOktaTokenCache } from "../../components/okta/auth";

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// The SDK's own copy of google-protobuf: a second copy breaks the SDK's messages (shared global state).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structpb = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provpb = require("@pulumi/pulumi/proto/provider_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provgrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";
const ROOT = path.resolve(__dirname, "../..");

/** Longest delay of a state checkpoint after a step. */
const CHECKPOINT_MS = 500;

export interface StateResource {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** Read with `Resource.get` (the engine's ReadResource): recorded, refreshed, never created, updated or deleted. */
  external?: boolean;
}

export interface State {
  resources: StateResource[];
}

export type StepOp = "create" | "update" | "same" | "replace" | "delete" | "refresh" | "read" | "discard";

export interface Step {
  op: StepOp;
  urn: string;
  /** For refresh: the output keys whose values changed. */
  changed?: string[];
}

export interface RunResult {
  steps: Step[];
  outputs: Record<string, unknown>;
  /** Human-readable errors, as the CLI prints them ("error: …"). Empty when the run succeeded. */
  errors: string[];
}

/** Non-dynamic custom resources (e.g. an @pulumi/okta app) get their id and state from a handler the test supplies. */
export type CustomHandler = (
  inputs: Record<string, unknown>,
  name: string,
) => { id: string; state: Record<string, unknown> };

export interface EngineOptions {
  statePath: string;
  /** Stack config as `pulumi config` holds it (secrets in plain text: the engine decrypts before Configure). */
  config: Record<string, string>;
  project?: string;
  stack?: string;
  customHandlers?: Record<string, CustomHandler>;
  /** Config keys that are secrets (as `pulumi config set --secret`). */
  secretKeys?: string[];
  /** Environment of the plugin process (e.g. retry timings); it does NOT inherit credentials from the test process. */
  pluginEnv?: Record<string, string>;
  /**
   * Most resource operations (a Check→Create/Diff→Update sequence, a refresh Read) in flight at once, like
   * `pulumi up --parallel`. Default: unbounded (every registration runs as soon as the SDK issues it).
   */
  parallel?: number;
  /**
   * Run every command on a plugin process of its own, as the CLI does (process-wide state such as Okta access tokens
   * starts empty each time). Costs ~0.5 s per command on 2 cores; default: one plugin for the engine's life.
   */
  pluginPerCommand?: boolean;
}

export interface CommandOptions {
  /**
   * With `pluginPerCommand`: run this command on the current plugin process instead of a new one (the program still
   * starts afresh). For commands whose plugin-side token requests and limiter state no assertion reads: a test's
   * setup, or a command in which the plugin calls no vendor that needs a token; each process start costs ~0.8 s of CPU.
   */
  samePlugin?: boolean;
}

/** Calls made to the plugin, by gRPC method (benchmarks, tests). */
export type RpcCounts = Record<string, number>;

export type Program = () => Promise<Record<string, pulumi.Input<unknown>>> | Record<string, pulumi.Input<unknown>>;

export class Engine {
  private plugin?: ChildProcess;
  private client: any;
  readonly pluginStderr: string[] = [];
  /** What the plugin printed after its port line: provider logs (`pulumi.log` falls back to the console there). */
  readonly pluginStdout: string[] = [];
  private readonly project: string;
  private readonly stack: string;
  /** gRPC calls made to the plugin since start, by method. */
  readonly rpcCounts: RpcCounts = {};
  /** Most resource operations in flight at once so far. */
  maxParallel = 0;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly opts: EngineOptions) {
    this.project = opts.project ?? "cerby";
    this.stack = opts.stack ?? "dev";
  }

  /** Runs one resource operation under the `parallel` bound. */
  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    const bound = this.opts.parallel ?? Infinity;
    if (this.running >= bound) await new Promise<void>((r) => this.waiting.push(r));
    else this.running++;
    this.maxParallel = Math.max(this.maxParallel, this.running);
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** A plugin process started ahead of the next command (see the file comment). */
  private spare?: Promise<PluginProcess>;
  /** Commands run on the current plugin process. */
  private commandsOnPlugin = 0;

  /** Starts the plugin the way `pulumi-resource-pulumi-nodejs` does and sends Configure with the stack config. */
  async start(): Promise<void> {
    const p = await this.spawnPlugin();
    this.plugin = p.child;
    this.client = p.client;
    this.commandsOnPlugin = 0;
    await this.configure();
  }

  private async configure(): Promise<void> {
    const req = new provpb.ConfigureRequest();
    req.setArgs(structpb.Struct.fromJavaScript(this.opts.config));
    await this.rpc("configure", req);
  }

  private async spawnPlugin(): Promise<PluginProcess> {
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      NODE_PATH: path.join(ROOT, "node_modules"),
      // V8's compiled code, shared with the suite's other processes when tests/helpers/ts-register.js set it.
      ...(process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {}),
      ...this.opts.pluginEnv,
    };
    const child = spawn(process.execPath, [entry, "127.0.0.1:1"], { cwd: ROOT, env });
    child.stderr!.on("data", (d: Buffer) => this.pluginStderr.push(d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        const line = buf.split("\n")[0];
        if (buf.includes("\n") && /^\d+$/.test(line.trim())) {
          resolve(line.trim());
          this.pluginStdout.push(buf.slice(buf.indexOf("\n") + 1));
          buf = "";
          child.stdout!.removeAllListeners("data");
          child.stdout!.on("data", (more: Buffer) => this.pluginStdout.push(more.toString()));
        }
      });
      child.on("exit", (code) =>
        reject(new Error(`dynamic-provider plugin exited (${code}): ${this.pluginStderr.join("")}`)),
      );
    });
    return {
      child,
      client: new provgrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()),
    };
  }

  /**
   * The start of a command: a fresh program process (no tokens, no rate-limit pauses) and, after the first command,
   * a fresh plugin process configured with the stack config as it is now.
   */
  private async beginCommand(opts: CommandOptions = {}): Promise<void> {
    resetOktaTokenCache();
    resetHttpLimiters();
    if (!this.plugin || !this.opts.pluginPerCommand) return;
    if (opts.samePlugin) {
      // Setup between scenarios: what the plugin holds from the previous command is never measured.
      this.commandsOnPlugin++;
      await this.configure();
      return;
    }
    if (this.commandsOnPlugin++ > 0) {
      const next = await (this.spare ?? this.spawnPlugin());
      const old = { child: this.plugin, client: this.client };
      this.plugin = next.child;
      this.client = next.client;
      this.commandsOnPlugin = 1;
      await killPlugin(old);
      await this.configure();
    }
    this.spare = this.spawnPlugin();
    this.spare.catch(() => undefined); // reported when awaited
  }

  async stop(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    if (spare) await killPlugin(await spare.catch(() => undefined));
    if (this.plugin) await killPlugin({ child: this.plugin, client: this.client });
  }

  readState(): State {
    this.flushState();
    if (!fs.existsSync(this.opts.statePath)) return { resources: [] };
    return JSON.parse(fs.readFileSync(this.opts.statePath, "utf8")) as State;
  }

  private pendingState?: State;
  private checkpointTimer?: NodeJS.Timeout;

  /**
   * Checkpoints the state after a step. Writes are coalesced (at most one per CHECKPOINT_MS, and always one when the
   * command ends): each resource carries its serialized provider (~150 kB), so writing the whole file after each of
   * 400 steps would cost the driver O(N²) — gigabytes at N = 200 — and swamp what the benchmark measures.
   */
  private writeState(s: State): void {
    this.pendingState = s;
    this.checkpointTimer ??= setTimeout(() => this.flushState(), CHECKPOINT_MS);
  }

  private flushState(): void {
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (!this.pendingState) return;
    fs.writeFileSync(this.opts.statePath, JSON.stringify(this.pendingState));
    this.pendingState = undefined;
  }

  /** `pulumi up` (or `pulumi preview` with preview: true). */
  async up(program: Program, opts: { preview?: boolean; refresh?: boolean } & CommandOptions = {}): Promise<RunResult> {
    await this.beginCommand(opts);
    const steps: Step[] = [];
    const errors: string[] = [];
    if (opts.refresh) {
      const r = await this.readAll({ previewOnly: !!opts.preview });
      steps.push(...r.steps);
      errors.push(...r.errors);
      if (errors.length > 0) return { steps, outputs: {}, errors };
    }
    const state = opts.preview && opts.refresh ? this.lastRefreshed! : this.readState();
    const seen = new Set<string>();
    const stepFailures: string[] = [];
    // The program reads config (e.g. for the label lookup) as under `pulumi up`.
    pulumi.runtime.setAllConfig(this.opts.config, this.opts.secretKeys ?? []);
    const handlers = this.opts.customHandlers ?? {};
    const commit = (r: StateResource) => {
      if (opts.preview) return;
      const i = state.resources.findIndex((x) => x.urn === r.urn);
      if (i >= 0) state.resources[i] = r;
      else state.resources.push(r);
      this.writeState(state);
    };

    pulumi.runtime.setMocks(
      {
        newResource: async (args) => {
          const urn = this.urn(args.type, args.name);
          seen.add(urn);
          const inputs = args.inputs as Record<string, unknown>;
          // `Resource.get` reaches the mocks' newResource through ReadResource: with an id and, unlike a registration
          // (which always carries `transforms`), nothing else. A registration with an id is the `import` option.
          const isGet = !!args.id && !("transforms" in args);
          if (!args.type.startsWith(DYNAMIC_PREFIX)) {
            const h = handlers[args.type];
            const res = h ? h(inputs, args.name) : { id: args.custom ? `${args.name}-id` : "", state: inputs };
            if (args.custom) commit({ urn, type: args.type, name: args.name, id: res.id, inputs, outputs: res.state });
            return res;
          }
          try {
            if (args.id && !isGet) throw new Error("the import resource option is not modelled by this driver");
            if (isGet)
              return await this.slot(() => this.readStep(urn, args.type, args.name, args.id!, inputs, steps, commit));
            return await this.slot(() =>
              this.step(urn, args.type, args.name, inputs, state, steps, commit, !!opts.preview),
            );
          } catch (e) {
            errors.push(`${urn}: ${grpcMessage(e)}`);
            stepFailures.push(grpcMessage(e));
            if (process.env.E2E_DEBUG) console.error("E2E", Object.keys(e as object), e);
            throw e;
          }
        },
        call: (args) => args.inputs,
      },
      this.project,
      this.stack,
      false,
    );

    const outputs: Record<string, unknown> = {};
    // A failure inside the program (e.g. the App instance ID lookup) may never reach a registration: the engine stops
    // the update on it, and so must we — above all, it must not delete the resources it did not get to see.
    const programFailed = (e: unknown) => {
      const text = e instanceof Error ? e.message : String(e);
      // A failed step is already reported under its URN; outputs that depend on it reject with the same text.
      if (!stepFailures.some((m) => m !== "" && text.includes(m))) errors.push(`program: ${text}`);
    };
    try {
      const exported = await program();
      for (const [k, v] of Object.entries(exported))
        outputs[k] = await settled(pulumi.output(v), errors, programFailed);
    } catch (e) {
      programFailed(e);
    }
    if (errors.length === 0) {
      // Resources the program no longer declares are deleted, dependents first.
      await this.deleteInReverse(state, (r) => !seen.has(r.urn), !!opts.preview, steps, errors);
    }
    this.flushState();
    return { steps, outputs, errors };
  }

  private lastRefreshed?: State;

  /**
   * `pulumi refresh` (`--preview-only` leaves the state file alone). Reads run concurrently, as the engine runs them,
   * under the `parallel` bound; steps are reported in state order.
   */
  async refresh(opts: { previewOnly?: boolean } & CommandOptions = {}): Promise<RunResult> {
    await this.beginCommand(opts);
    return this.readAll(opts);
  }

  private async readAll(opts: { previewOnly?: boolean }): Promise<RunResult> {
    const state = this.readState();
    const errors: string[] = [];
    const results = await Promise.all(
      state.resources.map((r) =>
        !r.type.startsWith(DYNAMIC_PREFIX)
          ? undefined
          : this.slot(async (): Promise<Step | undefined> => {
              try {
                const req = new provpb.ReadRequest();
                req.setId(r.id);
                req.setUrn(r.urn);
                req.setProperties(toStruct(r.outputs));
                req.setInputs(toStruct(r.inputs));
                const res = await this.rpc("read", req);
                const outputs = res.getProperties()?.toJavaScript() ?? r.outputs;
                const inputs = res.getInputs()?.toJavaScript() ?? r.inputs;
                const changed = Object.keys({ ...r.outputs, ...outputs }).filter(
                  (k) => JSON.stringify(r.outputs[k]) !== JSON.stringify(outputs[k]),
                );
                r.outputs = outputs;
                r.inputs = inputs;
                return { op: "refresh", urn: r.urn, changed };
              } catch (e) {
                errors.push(`${r.urn}: ${grpcMessage(e)}`);
                return undefined;
              }
            }),
      ),
    );
    const steps = results.filter((s): s is Step => s !== undefined);
    this.lastRefreshed = state;
    if (!opts.previewOnly && errors.length === 0) this.writeState(state);
    this.flushState();
    return { steps, outputs: {}, errors };
  }

  /** `pulumi destroy`. */
  async destroy(opts: CommandOptions = {}): Promise<RunResult> {
    await this.beginCommand(opts);
    const state = this.readState();
    const steps: Step[] = [];
    const errors: string[] = [];
    await this.deleteInReverse(state, () => true, false, steps, errors);
    this.flushState();
    return { steps, outputs: {}, errors };
  }

  /** Deletes the selected resources, dependents first, checkpointing after each; stops at the first failure. */
  private async deleteInReverse(
    state: State,
    selected: (r: StateResource) => boolean,
    preview: boolean,
    steps: Step[],
    errors: string[],
  ): Promise<void> {
    for (const r of [...state.resources].reverse()) {
      if (!selected(r)) continue;
      try {
        // A resource read with `get` is not this stack's to delete: it leaves the state only.
        if (r.type.startsWith(DYNAMIC_PREFIX) && !preview && !r.external) await this.deleteResource(r);
        steps.push({ op: r.external ? "discard" : "delete", urn: r.urn });
        if (!preview) {
          state.resources = state.resources.filter((x) => x.urn !== r.urn);
          this.writeState(state);
        }
      } catch (e) {
        errors.push(`${r.urn}: ${grpcMessage(e)}`);
        return;
      }
    }
  }

  private async step(
    urn: string,
    type: string,
    name: string,
    news: Record<string, unknown>,
    state: State,
    steps: Step[],
    commit: (r: StateResource) => void,
    preview: boolean,
  ): Promise<{ id: string; state: Record<string, unknown> }> {
    const old = state.resources.find((r) => r.urn === urn);
    const check = new provpb.CheckRequest();
    check.setUrn(urn);
    check.setOlds(toStruct(old?.inputs ?? {}));
    check.setNews(toStruct(news));
    const checked = await this.rpc("check", check);
    const failures = (checked.getFailuresList() as any[]).map((f) => `${f.getProperty()}: ${f.getReason()}`);
    if (failures.length > 0) throw new Error(`check failed:\n  ${failures.join("\n  ")}`);
    const inputs = checked.getInputs().toJavaScript() as Record<string, unknown>;

    if (!old) {
      steps.push({ op: "create", urn });
      if (preview) return { id: "", state: inputs };
      const created = await this.create(urn, inputs);
      commit({ urn, type, name, id: created.id, inputs, outputs: created.outputs });
      return { id: created.id, state: created.outputs };
    }

    const diff = new provpb.DiffRequest();
    diff.setId(old.id);
    diff.setUrn(urn);
    diff.setOlds(toStruct(old.outputs));
    diff.setNews(toStruct(inputs));
    diff.setOldInputs(toStruct(old.inputs));
    const d = await this.rpc("diff", diff);
    const replaces: string[] = d.getReplacesList();
    const changed = d.getChanges() === provpb.DiffResponse.DiffChanges.DIFF_SOME || replaces.length > 0;
    if (!changed) {
      steps.push({ op: "same", urn });
      return { id: old.id, state: old.outputs };
    }
    if (replaces.length > 0) {
      steps.push({ op: "replace", urn });
      if (preview) return { id: old.id, state: inputs };
      const created = await this.create(urn, inputs);
      await this.deleteResource(old);
      commit({ urn, type, name, id: created.id, inputs, outputs: created.outputs });
      return { id: created.id, state: created.outputs };
    }
    steps.push({ op: "update", urn });
    if (preview) return { id: old.id, state: { ...old.outputs, ...inputs } };
    const upd = new provpb.UpdateRequest();
    upd.setId(old.id);
    upd.setUrn(urn);
    upd.setOlds(toStruct(old.outputs));
    upd.setNews(toStruct(inputs));
    upd.setOldInputs(toStruct(old.inputs));
    const res = await this.rpc("update", upd);
    const outputs = res.getProperties().toJavaScript() as Record<string, unknown>;
    commit({ urn, type, name, id: old.id, inputs, outputs });
    return { id: old.id, state: outputs };
  }

  /**
   * `Resource.get`: the engine's ReadResource, which calls the provider's Read with the id and the resource's inputs
   * (no prior properties; the plugin finds the serialized provider in the inputs). In preview too, as the engine does.
   */
  private async readStep(
    urn: string,
    type: string,
    name: string,
    id: string,
    inputs: Record<string, unknown>,
    steps: Step[],
    commit: (r: StateResource) => void,
  ): Promise<{ id: string; state: Record<string, unknown> }> {
    const req = new provpb.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setInputs(toStruct(inputs));
    const res = await this.rpc("read", req);
    if (!res.getId()) throw new Error(`resource '${id}' does not exist`);
    const outputs = res.getProperties()?.toJavaScript() ?? {};
    steps.push({ op: "read", urn });
    commit({
      urn,
      type,
      name,
      id: res.getId(),
      inputs: res.getInputs()?.toJavaScript() ?? inputs,
      outputs,
      external: true,
    });
    return { id: res.getId(), state: outputs };
  }

  private async create(
    urn: string,
    inputs: Record<string, unknown>,
  ): Promise<{ id: string; outputs: Record<string, unknown> }> {
    const req = new provpb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(inputs));
    const res = await this.rpc("create", req);
    return { id: res.getId(), outputs: res.getProperties().toJavaScript() };
  }

  private async deleteResource(r: StateResource): Promise<void> {
    const req = new provpb.DeleteRequest();
    req.setId(r.id);
    req.setUrn(r.urn);
    req.setProperties(toStruct(r.outputs));
    req.setOldInputs(toStruct(r.inputs));
    await this.rpc("delete", req);
  }

  private urn(type: string, name: string): string {
    return `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`;
  }

  private rpc(method: string, req: unknown): Promise<any> {
    this.rpcCounts[method] = (this.rpcCounts[method] ?? 0) + 1;
    return new Promise((resolve, reject) =>
      this.client[method](req, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res))),
    );
  }
}

interface PluginProcess {
  child: ChildProcess;
  client: any;
}

async function killPlugin(p: PluginProcess | undefined): Promise<void> {
  if (!p) return;
  p.client?.close();
  if (p.child.exitCode === null && p.child.signalCode === null) {
    const exited = new Promise((r) => p.child.once("exit", r));
    p.child.kill();
    await exited;
  }
}

function toStruct(o: Record<string, unknown>): unknown {
  return structpb.Struct.fromJavaScript(JSON.parse(JSON.stringify(o)));
}

/** The message a user sees: gRPC wraps the provider's error as "2 UNKNOWN: <message>". */
export function grpcMessage(e: unknown): string {
  const err = e as { details?: string; message?: string };
  return (err.details ?? err.message ?? String(e)).replace(/^\d+ [A-Z_]+: /, "");
}

/** Resolves an output, or gives up once a registration failed (its dependents never resolve, as in the engine). */
async function settled(o: pulumi.Output<unknown>, errors: string[], failed: (e: unknown) => void): Promise<unknown> {
  const value = (o as unknown as { promise(): Promise<unknown> }).promise();
  for (;;) {
    const r = await Promise.race([
      value.then(
        (v) => ({ v }),
        (e: unknown) => (failed(e), { v: undefined }),
      ),
      new Promise<null>((res) => setTimeout(() => res(null), 100)),
    ]);
    if (r) return r.v;
    if (errors.length > 0) return undefined;
  }
}
