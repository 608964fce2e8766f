/**
 * How a run ends early, for the whole process: the engine cancelled it (Ctrl-C: Pulumi's Cancel RPC, which this
 * module's dynamic-provider plugin passes on, provider/dynamic-provider.ts), the engine is gone (`pulumi` killed: the
 * plugin's stdin closes, its parent changes, its engine address refuses connections), or a step's deadline passed.
 *
 * A step is one provider method (check, create, update, read, delete) or one lookup of the program. It carries an
 * AbortSignal, its deadline and the requests it made, so whatever stops it can say what was done and what was not.
 * The HTTP layer and the converge loops wait only through that signal and send nothing once it fired; no write leaves
 * a process whose engine is gone.
 *
 * Process-wide state lives in a process-global slot (./settings processMap), never in module state: this module is
 * loaded by the program, by the plugin wrapper and by the provider code that state references, possibly as several
 * copies in one process, and all of them must see the same cancellation.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import * as net from "node:net";
import { UserError, sanitizeText } from "./http/errors";
import { sleep } from "./http/retry";
import { processMap } from "./settings";

export type StepSide = "Cerby" | "Okta";

/** What stopped a step: the engine cancelled the run, the engine is gone, or the step ran out of time. */
export type StopKind = "cancelled" | "engine-gone" | "deadline";

export interface StepSpec {
  side: StepSide;
  /** What the step does, as a user reads it: "turn off Universal Logout in Cerby (delete)". */
  doing: string;
  /** The step's deadline, retries and waits included. */
  timeoutSeconds: number;
  /** How the user sets it: "cerby:operationTimeoutSeconds", or a sum of keys for the waiting modes. */
  timeoutSetting: string;
}

/** One request of a step: its answer's status, or none (no answer came: lost, timed out or cut off). */
export interface StepRequest {
  method: string;
  path: string;
  status?: number;
  /** It may change a vendor setting (not a read, not a request for an access token). */
  write: boolean;
}

export interface Step extends StepSpec {
  startedAt: number;
  /** Epoch ms. */
  deadline: number;
  /** Fires when the run is cancelled, the engine is gone, or the deadline passes. */
  signal: AbortSignal;
  requests: StepRequest[];
}

interface ProcessRun {
  controller: AbortController;
  stop?: { kind: "cancelled" | "engine-gone"; detail: string };
  steps: AsyncLocalStorage<Step>;
  /** The engine's address, once a connection to it succeeded (then a refused one means it is gone). */
  liveEngine?: string;
  watching?: boolean;
  /** Exit the process once the engine is gone (a plugin has nothing left to do, and must write nothing). */
  exitWhenEngineGone?: boolean;
}

/** The process's run state (one per process, shared by every copy of this module). */
function processRun(): ProcessRun {
  const slot = processMap<ProcessRun>("lifecycle:v1");
  let run = slot.get("run");
  if (!run) {
    run = { controller: new AbortController(), steps: new AsyncLocalStorage<Step>() };
    slot.set("run", run);
  }
  return run;
}

/** The engine cancelled the run (Pulumi's Cancel RPC: Ctrl-C or SIGTERM to `pulumi`): every step stops, none starts. */
export function cancelRun(detail = "the run was cancelled (Ctrl-C, or SIGTERM to pulumi)"): void {
  const run = processRun();
  if (run.stop) return;
  run.stop = { kind: "cancelled", detail };
  run.controller.abort(run.stop);
}

/** The engine is gone: every step stops, nothing more is sent, and a plugin process exits. */
export function engineGone(detail: string): void {
  const run = processRun();
  if (run.stop?.kind !== "engine-gone") {
    run.stop = { kind: "engine-gone", detail };
    run.controller.abort(run.stop);
  }
  if (run.exitWhenEngineGone) {
    // Nobody reads this any more; it is for whoever inspects the process's stderr.
    process.stderr.write(`cerby-okta-universal-logout: ${detail}; stopping (nothing more is sent).\n`);
    process.exit(0);
  }
}

/** Why the run stopped, if it did. */
export function runStopped(): ProcessRun["stop"] {
  return processRun().stop;
}

/** The step this code runs in, if any (the program's own code and direct client calls run in none). */
export function currentStep(): Step | undefined {
  return processRun().steps.getStore();
}

/** What aborts waits and requests here: the current step's signal, else the run's. */
export function stopSignal(): AbortSignal {
  return currentStep()?.signal ?? processRun().controller.signal;
}

/** Milliseconds left before the current step's deadline (Infinity outside a step). */
export function timeLeftMs(): number {
  const step = currentStep();
  return step ? step.deadline - Date.now() : Infinity;
}

/** Records a request of the current step and its answer (status undefined: no answer came). */
export function noteRequest(request: StepRequest): void {
  currentStep()?.requests.push(request);
}

/**
 * Runs `fn` as one step: it stops when the run is cancelled, the engine is gone or `spec.timeoutSeconds` pass, and then
 * fails with a StepStopped that says what was done and what was not. A step never starts once the run has stopped.
 */
export async function runStep<T>(spec: StepSpec, fn: () => Promise<T>): Promise<T> {
  watchEngineIfPlugin();
  const run = processRun();
  const timeout = new AbortController();
  const startedAt = Date.now();
  const step: Step = {
    ...spec,
    startedAt,
    deadline: startedAt + spec.timeoutSeconds * 1000,
    signal: AbortSignal.any([run.controller.signal, timeout.signal]),
    requests: [],
  };
  if (run.stop) throw stepStopped(step, "starting");
  const timer = setTimeout(() => timeout.abort({ kind: "deadline" }), spec.timeoutSeconds * 1000);
  try {
    return await run.steps.run(step, fn);
  } finally {
    clearTimeout(timer);
  }
}

/** Throws the current step's StepStopped when it was stopped; `during`: what it was about to do. */
export function throwIfStopped(during: string): void {
  const signal = stopSignal();
  if (signal.aborted) throw stepStopped(currentStep(), during);
}

/**
 * Waits `ms` unless the step stops first, which throws its StepStopped (`during`: what the wait was for, worded when
 * it stops).
 */
export async function stepSleep(ms: number, during: string | (() => string)): Promise<void> {
  const signal = stopSignal();
  const say = () => (typeof during === "string" ? during : during());
  if (signal.aborted) throw stepStopped(currentStep(), say());
  await sleep(Math.max(0, ms), signal);
  if (signal.aborted) throw stepStopped(currentStep(), say());
}

/**
 * The last check before a request that may change something: the step has not stopped and, where the engine's
 * address is known to have answered before, it still answers (a killed `pulumi` closes it at once).
 */
export async function beforeWrite(during: string): Promise<void> {
  throwIfStopped(during);
  const run = processRun();
  if (run.liveEngine && !(await reachable(run.liveEngine))) {
    engineGone(`the Pulumi engine at ${run.liveEngine} no longer answers`);
  }
  throwIfStopped(during);
}

/** A step that stopped early; the message says why, what was done and what was not. */
export class StepStopped extends UserError {
  constructor(
    message: string,
    readonly kind: StopKind,
  ) {
    super(message);
    this.name = "StepStopped";
  }
}

/**
 * The StepStopped of `step` (or of the run, outside a step); `during`: what it was doing when it stopped. `why`
 * replaces the reason when the step stops ahead of its deadline (a wait that would outlast it).
 */
export function stepStopped(step: Step | undefined, during: string, opts: { why?: string } = {}): StepStopped {
  const stop = runStopped();
  const kind: StopKind = stop?.kind ?? "deadline";
  if (!step) return new StepStopped(`Stopped while ${during}: ${stop?.detail ?? "the run stopped"}.`, kind);
  const deadline = `its deadline of ${step.timeoutSeconds} s`;
  const why =
    kind !== "deadline"
      ? (stop?.detail ?? "the run stopped")
      : opts.why
        ? `${opts.why} before ${deadline} (${step.timeoutSetting})`
        : `${deadline} passed (${step.timeoutSetting})`;
  const advice =
    kind === "deadline"
      ? ` If ${step.side} is only slow, raise ${step.timeoutSetting.split(" + ")[0]}.`
      : kind === "cancelled"
        ? " Rerun the command when ready."
        : "";
  return new StepStopped(
    `${step.side}: stopped trying to ${step.doing} while ${during}: ${why}. ${progress(step)} ` +
      `Pulumi records this step as not done; the next run converges from what is there.${advice}`,
    kind,
  );
}

/** "Done: …. <what the writes did>." — the requests of a step, repeated ones counted. */
function progress(step: Step): string {
  // A path may come from a vendor (Okta's Link header): shown as vendor text is, sanitized and capped.
  const at = (r: StepRequest) => `${r.method} ${sanitizeText(r.path)}`;
  // Repeats in a row (retries) are shown once, counted.
  const runs: Array<{ text: string; times: number }> = [];
  for (const r of step.requests) {
    const text = `${at(r)} → ${r.status ?? "no answer"}`;
    const last = runs[runs.length - 1];
    if (last?.text === text) last.times++;
    else runs.push({ text, times: 1 });
  }
  const shown = runs.map((r) => (r.times > 1 ? `${r.text} (×${r.times})` : r.text));
  const done = shown.length ? `Done: ${shown.join("; ")}.` : "Done: no request had been sent.";
  const writes = step.requests.filter((r) => r.write);
  if (writes.length === 0) return `${done} Nothing was written to ${step.side}.`;
  const said = writes.map((w) =>
    w.status === undefined
      ? `whether ${at(w)} was applied is unknown (no answer came)`
      : w.status >= 200 && w.status < 300
        ? `${at(w)} was applied`
        : `${at(w)} was refused (HTTP ${w.status}) and changed nothing`,
  );
  return `${done} Of the writes: ${said.join("; ")}.`;
}

/** Whether a TCP connection to `address` (host:port) succeeds within a second. */
function reachable(address: string, timeoutMs = 1000): Promise<boolean> {
  const m = /^(.*):(\d+)$/.exec(address);
  if (!m) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect({ host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The engine's address among a plugin's arguments (the CLI passes it last, after any logging flags). */
export function engineAddressOf(args: readonly string[]): string | undefined {
  return [...args].reverse().find((a) => /^[\w.\-[\]:]+:\d+$/.test(a) && !a.startsWith("-"));
}

/** Whether this process is a Node.js dynamic-provider plugin: Pulumi's own, or this module's wrapper of it. */
export function isDynamicProviderPlugin(argv: readonly string[] = process.argv): boolean {
  const entry = argv[1] ?? "";
  return /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(entry) || /dynamic-provider\.(js|ts)$/.test(entry);
}

/**
 * Watches for the engine going away, once per process, and stops the run when it does; the plugin then exits. Three
 * signs, each enough: (1) end of standard input, when it is a pipe or socket — the CLI holds the other end of a
 * plugin's stdin for the plugin's life, and the kernel closes it when the CLI dies, however it dies; (2) a new parent
 * process — our shim `exec`s node, so the parent is the CLI itself (Pulumi's own shim is a /bin/sh that stays, so
 * there this sign never fires and (1) does the work); (3) before each write, the engine's address refusing a
 * connection, when it accepted one at start (the stand-in engine of the tests gives an address that never answers).
 */
export function watchEngine(opts: { exit: boolean; args?: readonly string[] }): void {
  const run = processRun();
  if (opts.exit) run.exitWhenEngineGone = true;
  if (run.watching) return;
  run.watching = true;
  let stdinKind: "pipe" | "other" = "other";
  try {
    const st = fs.fstatSync(0);
    if (st.isFIFO() || st.isSocket()) stdinKind = "pipe";
  } catch {
    // no stdin at all: nothing to watch there
  }
  if (stdinKind === "pipe") {
    const stdin = process.stdin;
    stdin.on("data", () => undefined);
    stdin.once("end", () => engineGone("the Pulumi engine is gone (the plugin's standard input closed)"));
    stdin.once("error", () => engineGone("the Pulumi engine is gone (the plugin's standard input failed)"));
    (stdin as unknown as { unref?: () => void }).unref?.();
  }
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) engineGone(`the Pulumi engine is gone (its process ${parent} exited)`);
  }, 500);
  timer.unref();
  const address = engineAddressOf(opts.args ?? process.argv.slice(2));
  if (address) {
    // A generous timeout: the plugin is still loading its modules synchronously when this starts, and on a busy
    // machine the connect is handled only after that (a live engine answers at once; a refusal is immediate too).
    void reachable(address, 15_000).then((ok) => {
      if (ok) run.liveEngine = address;
    });
  }
}

/** In a dynamic-provider plugin (Pulumi's own included), the module watches for its engine itself. */
function watchEngineIfPlugin(): void {
  if (!processRun().watching && isDynamicProviderPlugin()) watchEngine({ exit: true });
}
