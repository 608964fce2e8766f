/**
 * `npm run bench [-- --engine cli --n 1,10,50,200 --rounds 3 --latency 50 --okta-rate 300 --okta-concurrency 15
 * --auth oauth --resolve label --parallel 0 --json]` — method and figures in bench/README.md.
 *
 * Runs the real program through an engine (default: the end-to-end driver, tests/e2e/engine.ts, which reports
 * `engine: "driver"`; `--engine cli`: the real Pulumi CLI, bench/cli-engine.ts) against both emulators with injected
 * latency and an Okta apps bucket, for N bindings, and measures four commands — `up` from nothing, a converged `up`,
 * `refresh`, `destroy` — each as the CLI runs it: a fresh plugin process, the same state file, a full Okta bucket.
 *
 * Through the CLI each command also runs on the null program (bench/null/: the same shape, providers that do nothing,
 * the same CLI, backend, program host and kind of provider reference), interleaved with the module's (module, null,
 * module, null, …) for `--rounds` rounds; the figures are medians, and `wallPerNull` the median of the rounds' ratios.
 *
 * The vendor floor and the bound come from N and the vendors' limits alone (never from the calls the code made or its
 * own concurrency defaults): see floorOf(). A command above the vendor floor (Okta calls, Cerby calls, tokens, 429s) or
 * a failed command makes the benchmark exit 1, saying which.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../components/program";
import { resetHttpLimiters } from "../components/http";
import { CerbyEmulator } from "../tests/emulators/cerby";
import { OktaEmulator } from "../tests/emulators/okta";
import { freshAppId, freshSecret } from "../tests/helpers/keys";
import { freshKeyPair } from "../tests/okta/keys";
import { Engine } from "../tests/e2e/engine";
import { Arm, CliArm, Command } from "./cli-engine";

interface Options {
  ns: number[];
  latencyMs: number;
  oktaRatePerMin: number;
  /** Okta's org-wide concurrent-request limit assumed for the bound (a vendor limit, not the client's setting). */
  oktaConcurrency: number;
  /** Per-origin HTTP concurrency of the clients (CERBY_OKTA_HTTP_CONCURRENCY); undefined: the shipped defaults. */
  concurrency?: number;
  /** `--parallel` of every command; 0: none given, the engine's default (the CLI: 4 × GOMAXPROCS). */
  parallel: number;
  resolve: "label" | "id";
  auth: "oauth" | "ssws";
  engine: string;
  /** Rounds of each command per arm; the figures are their medians. */
  rounds: number;
  /** Run the null program beside the module (the CLI only). */
  nullArm: boolean;
  /** CPU profiles of every command (one round, no probe) under this folder: see bench/profile-summary.ts. */
  profileDir?: string;
  json: boolean;
}

export type PhaseName = "up" | "converged" | "refresh" | "destroy";
export const PHASES: PhaseName[] = ["up", "converged", "refresh", "destroy"];
const COMMAND: Record<PhaseName, Command> = { up: "up", converged: "up", refresh: "refresh", destroy: "destroy" };

/** What the benchmark needs from an engine: the CLI commands, each a fresh process over the same state. */
export interface BenchEngine {
  /** Reported as `engine` (the driver: "driver"; the real CLI: "cli"). */
  readonly name: string;
  /** What the engine is (the CLI: its version). */
  readonly version: string;
  /** The arms it runs: the module; the CLI also the null program. */
  readonly arms: Arm[];
  /**
   * One command of `arm` on its stack of N bindings; `wallMs` is the command's own (no set-up, no probe). `startMs`:
   * the driver's plugin start, inside the command.
   */
  run(arm: Arm, phase: PhaseName, profileDir?: string): Promise<{ wallMs: number; startMs?: number; errors: string[] }>;
  /** The start-up probe: the same command on a stack of one binding (the CLI); absent: `startMs` of run (the driver). */
  probe?(arm: Arm, phase: PhaseName): Promise<number>;
  /** Bytes of the arm's state now. */
  stateBytes(arm: Arm): number;
  /** Copies the arm's state to `file`. */
  saveState?(arm: Arm, file: string): void;
  dispose(): Promise<void>;
}

export interface BenchEngineOptions {
  dir: string;
  config: Record<string, string>;
  /** Config of the probe stack over `config` (its one binding). */
  probeConfig: Record<string, string>;
  secretKeys: string[];
  pluginEnv: Record<string, string>;
  parallel?: number;
  arms: Arm[];
}

/** The end-to-end driver (tests/e2e/engine.ts): the program under mocks, the providers in Pulumi's real plugin. */
export async function driverEngine(o: BenchEngineOptions): Promise<BenchEngine> {
  const statePath = path.join(o.dir, "state.json");
  return {
    name: "driver",
    version: "tests/e2e/engine.ts",
    arms: ["module"],
    async run(_arm, phase) {
      const e = new Engine({
        statePath,
        config: o.config,
        secretKeys: o.secretKeys,
        pluginEnv: o.pluginEnv,
        ...(o.parallel ? { parallel: o.parallel } : {}),
      });
      const s0 = Date.now();
      await e.start();
      const startMs = Date.now() - s0;
      try {
        const r = phase === "refresh" ? await e.refresh() : phase === "destroy" ? await e.destroy() : await e.up(main);
        return { wallMs: Date.now() - s0, startMs, errors: r.errors };
      } finally {
        await e.stop();
      }
    },
    stateBytes: () => (fs.existsSync(statePath) ? fs.statSync(statePath).size : 0),
    async dispose() {},
  };
}

/** The real Pulumi CLI (bench/cli-engine.ts): each command one `pulumi` process, as a user or pipeline runs it. */
export async function cliEngine(o: BenchEngineOptions): Promise<BenchEngine> {
  const arms = {} as Record<Arm, CliArm>;
  try {
    for (const arm of o.arms) {
      arms[arm] = await CliArm.create(arm, {
        config: o.config,
        probeConfig: o.probeConfig,
        secretKeys: o.secretKeys,
        env: o.pluginEnv,
      });
    }
  } catch (e) {
    for (const a of Object.values(arms)) await a.stop();
    throw e;
  }
  return {
    name: "cli",
    version: arms.module.version,
    arms: o.arms,
    run: (arm, phase, profileDir) => arms[arm].run(COMMAND[phase], { parallel: o.parallel, profileDir }),
    async probe(arm, phase) {
      const r = await arms[arm].run(COMMAND[phase], { stack: "probe", parallel: o.parallel });
      if (r.errors.length > 0) throw new Error(`${arm}: the start-up probe's ${phase} failed:\n${r.errors[0]}`);
      return r.wallMs;
    },
    stateBytes: (arm) => arms[arm].stateBytes(),
    saveState: (arm, file) => arms[arm].saveState(file),
    async dispose() {
      for (const a of Object.values(arms)) await a.stop();
    },
  };
}

/** Engines by name. */
export const ENGINES: Record<string, (o: BenchEngineOptions) => Promise<BenchEngine>> = {
  driver: driverEngine,
  cli: cliEngine,
};

/** Apps per page of GET /api/v1/apps (Okta's maximum `limit`). */
export const OKTA_PAGE = 200;

export interface Floor {
  /** Fewest Cerby calls: per workspace, what the contract asks for (see floorOf). */
  cerby: number;
  /** Fewest Okta apps-bucket calls: the N apps (status, Universal Logout, features) come 200 to a page. */
  okta: number;
  /** Requests that must follow one another (each needs the previous answer), from the start of the command. */
  criticalPath: number;
  /** Whole Okta windows the bucket forces: ⌊(okta − 1) ÷ limit⌋. */
  oktaWindows: number;
  /**
   * Processes of the command that call Okta, each with its own access token: the program (its lookup) on `up`; the
   * plugin on `refresh`, and on `up` by label (the Cerby provider reads each pick by its ID before it writes).
   */
  oktaProcesses: number;
  /** max(critical path × latency, Okta floor ÷ Okta's concurrency × latency, windows × 60 s), in ms. */
  boundMs: number;
}

/**
 * The floor of a command and its lower bound on wall time, from N and the vendors' limits alone. Per command:
 * - up from nothing: Okta — the program must see each app before Cerby is written: ⌈N/200⌉ list pages (sequential:
 *   each page's cursor comes from the previous one); Cerby — per workspace, the IdP-settings read the contract asks
 *   for before a write (Universal Logout needs users provisioned from Okta), then the write (2N); the contract's
 *   PUT is idempotent, so no read of the setting is needed before it. Critical path: ⌈N/200⌉ + 2.
 * - converged up: Okta — confirm the apps again (⌈N/200⌉); Cerby — nothing (a plain `up` diffs against state).
 * - by label (the default `--resolve`), `up` also reads each app the walk picked by its ID right before Cerby is
 *   written (+N Okta calls, +1 on the critical path): a list entry alone is never what Cerby is bound to. A converged
 *   `up` writes nothing to Cerby, so it reads none.
 * - refresh: Okta — the live apps (⌈N/200⌉ pages carry status and features); Cerby — one read per workspace (N).
 *   Critical path: max(⌈N/200⌉, 1).
 * - destroy: Okta — nothing (no API to untick the box); Cerby — one idempotent write per workspace (N). Path: 1.
 * Cerby documents no rate or concurrency limit, and each binding has its own workspace (origin): its calls are bound
 * by the critical path only. Okta's calls share the org's concurrency limit and the apps bucket.
 */
export function floorOf(
  phase: PhaseName,
  n: number,
  o: Pick<Options, "latencyMs" | "oktaRatePerMin" | "oktaConcurrency"> & Partial<Pick<Options, "resolve">>,
): Floor {
  const pages = Math.ceil(n / OKTA_PAGE);
  // By label, `up` also reads each pick by its ID right before Cerby is written (issue 19): one more request per
  // binding, after the walk. A converged `up` writes nothing to Cerby, so it reads no app by its ID.
  const [reads, reread] = (o.resolve ?? "label") === "label" ? [n, 1] : [0, 0];
  const f = {
    up: { cerby: 2 * n, okta: pages + reads, criticalPath: pages + reread + 2, oktaProcesses: 1 + reread },
    converged: { cerby: 0, okta: pages, criticalPath: pages, oktaProcesses: 1 },
    refresh: { cerby: n, okta: pages, criticalPath: Math.max(pages, 1), oktaProcesses: 1 },
    destroy: { cerby: n, okta: 0, criticalPath: 1, oktaProcesses: 0 },
  }[phase];
  const oktaWindows = f.okta > 0 ? Math.floor((f.okta - 1) / o.oktaRatePerMin) : 0;
  const boundMs = Math.max(
    f.criticalPath * o.latencyMs,
    Math.ceil(f.okta / o.oktaConcurrency) * o.latencyMs,
    oktaWindows * 60_000,
  );
  return { ...f, oktaWindows, boundMs };
}

/** One command of one arm in one round. */
interface Sample {
  wallMs: number;
  startMs: number;
  cerbyCalls: number;
  /** Calls to Okta's rate-limited apps bucket (/api/v1/apps*). */
  oktaBucketCalls: number;
  /** Every Okta request (tokens included): the null program must make none. */
  oktaCalls: number;
  tokenRequests: number;
  stateBytes: number;
  seen429s: number;
  surfaced429s: number;
  errors: string[];
}

/** One arm's figures for one command over the rounds: medians of the times, the worst of the counts. */
interface ArmPhase {
  /** Median over the rounds of the command's own wall time. */
  wallMs: number;
  walls: number[];
  /** Median start-up probe (the CLI: the same command on one binding; the driver: its plugin start, inside the wall). */
  startMs: number;
  /** (wall − start-up) ÷ N. */
  enginePerBindingMs: number;
  cerbyCalls: number;
  oktaBucketCalls: number;
  oktaCalls: number;
  tokenRequests: number;
  stateBytes: number;
  seen429s: number;
  surfaced429s: number;
  errors: number;
  firstError?: string;
}

interface Phase extends ArmPhase {
  floor: Floor;
  oktaCallsPerBinding: number;
  /**
   * Okta apps-bucket calls ÷ max(N, the Okta floor): at most one call per binding, or, where the floor itself is higher
   * (by label on `up`: the listing's pages and issue 19's read of each app by its ID), at that floor.
   */
  oktaCallsPerFloor: number;
  cerbyCallsPerFloor: number;
  wallPerFloorBound: number;
  /** The null program's figures, when it ran. */
  null?: ArmPhase;
  /** Median over the rounds of module wall ÷ null wall (each round's two runs back to back). */
  wallPerNull?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function armPhase(samples: Sample[], n: number): ArmPhase {
  const max = (f: (s: Sample) => number) => Math.max(...samples.map(f));
  const wallMs = median(samples.map((s) => s.wallMs));
  const startMs = median(samples.map((s) => s.startMs));
  const failed = samples.find((s) => s.errors.length > 0);
  return {
    wallMs,
    walls: samples.map((s) => Math.round(s.wallMs)),
    startMs,
    enginePerBindingMs: Math.max(0, wallMs - startMs) / n,
    cerbyCalls: max((s) => s.cerbyCalls),
    oktaBucketCalls: max((s) => s.oktaBucketCalls),
    oktaCalls: max((s) => s.oktaCalls),
    tokenRequests: max((s) => s.tokenRequests),
    stateBytes: max((s) => s.stateBytes),
    seen429s: max((s) => s.seen429s),
    surfaced429s: max((s) => s.surfaced429s),
    errors: samples.reduce((k, s) => k + s.errors.length, 0),
    ...(failed ? { firstError: failed.errors[0].slice(0, 300) } : {}),
  };
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    ns: [1, 10, 50, 200],
    latencyMs: 50,
    oktaRatePerMin: 300,
    oktaConcurrency: 15,
    parallel: 0,
    resolve: "label",
    auth: "oauth",
    engine: "driver",
    rounds: 3,
    nullArm: true,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (v: string, min: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: ${v} is not an integer ≥ ${min}`);
      return n;
    };
    const oneOf = <T extends string>(v: string, allowed: readonly T[]): T => {
      if (!allowed.includes(v as T)) throw new Error(`${flag}: "${v}" must be one of ${allowed.join(", ")}`);
      return v as T;
    };
    switch (flag) {
      case "--n":
        o.ns = value()
          .split(",")
          .map((s) => int(s.trim(), 1));
        break;
      case "--latency":
        o.latencyMs = int(value(), 0);
        break;
      case "--okta-rate":
        o.oktaRatePerMin = int(value(), 1);
        break;
      case "--okta-concurrency":
        o.oktaConcurrency = int(value(), 1);
        break;
      case "--concurrency":
        o.concurrency = int(value(), 1);
        break;
      case "--parallel":
        o.parallel = int(value(), 0);
        break;
      case "--resolve":
        o.resolve = oneOf(value(), ["label", "id"] as const);
        break;
      case "--auth":
        o.auth = oneOf(value(), ["oauth", "ssws"] as const);
        break;
      case "--engine":
        o.engine = oneOf(value(), Object.keys(ENGINES));
        break;
      case "--rounds":
        o.rounds = int(value(), 1);
        break;
      case "--no-null":
        o.nullArm = false;
        break;
      case "--profile":
        o.profileDir = path.resolve(value());
        break;
      case "--json":
        o.json = true;
        break;
      case "--help":
      case "-h":
        console.log(
          "npm run bench -- [--engine driver|cli] [--n 1,10,50,200] [--rounds 3] [--no-null] [--profile DIR] " +
            "[--latency 50] [--okta-rate 300] [--okta-concurrency 15] [--concurrency N] [--parallel 0] " +
            "[--resolve label|id] [--auth oauth|ssws] [--json]",
        );
        process.exit(0);
      // falls through (exit)
      default:
        throw new Error(`unknown flag ${a} (try --help)`);
    }
  }
  if (o.profileDir && o.engine !== "cli") throw new Error("--profile: only with --engine cli");
  // One profiled round: profiles slow the commands down, so they are not timings.
  if (o.profileDir) o.rounds = 1;
  return o;
}

/** The load average now (1, 5, 15 minutes), from /proc/loadavg where there is one. */
function loadAverage(): string {
  try {
    return fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
  }
}

interface RunMeta {
  engine: string;
  version: string;
  rounds: number;
  arms: Arm[];
  load: { before: string; after: string };
  date: string;
}

/**
 * The `__provider` texts of a state's resources, each with the project folder's name blanked (the arms' folders differ
 * in name only, not in length).
 */
export function providerRefs(state: unknown): string[] {
  const resources =
    (state as { checkpoint?: { latest?: { resources?: Array<{ inputs?: Record<string, unknown> }> } } }).checkpoint
      ?.latest?.resources ?? [];
  const refs = resources.map((r) => r.inputs?.__provider).filter((x): x is string => typeof x === "string");
  return [...new Set(refs.map((t) => t.replace(/cerby-bench-(mod|nul)-[A-Za-z0-9]{6}/g, "<project>")))].sort();
}

/** Whether both arms store the same provider references (same form, same length): a problem line if not. */
function sameRefs(engine: BenchEngine, dir: string, n: number): string[] {
  if (!engine.saveState) return [];
  const refs = (arm: Arm) => {
    const file = path.join(dir, `${arm}-state.json`);
    engine.saveState!(arm, file);
    return providerRefs(JSON.parse(fs.readFileSync(file, "utf8")));
  };
  const [m, z] = [refs("module"), refs("null")];
  if (m.length > 0 && JSON.stringify(m) === JSON.stringify(z)) return [];
  return [
    `N=${n}: the null program's provider references differ from the module's:\n  ${z.join("\n  ")}\nvs\n  ${m.join("\n  ")}`,
  ];
}

async function runN(
  n: number,
  o: Options,
): Promise<{ phases: Record<PhaseName, Phase>; problems: string[]; meta: RunMeta }> {
  const loadBefore = loadAverage();
  const date = new Date().toISOString();
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-bench-"));
  const cerbyKey = freshSecret("cby_");
  await cerby.start();
  const oktaUrl = await okta.start();
  cerby.server.latencyMs = o.latencyMs;
  okta.server.latencyMs = o.latencyMs;
  okta.rateLimit = { limit: o.oktaRatePerMin, windowMs: 60_000 };

  // The start-up probe's Okta org: its own, so the measured org holds exactly the N apps (its pages are the floor's).
  const probeOkta = new OktaEmulator();
  const probeOktaUrl = await probeOkta.start();
  probeOkta.server.latencyMs = o.latencyMs;

  const config: Record<string, string> = { "cerby:oktaOrgUrl": oktaUrl, "cerby:apiKey": cerbyKey };
  const secretKeys = ["cerby:apiKey"];
  if (o.auth === "oauth") {
    const keys = await freshKeyPair("RS256");
    const clientId = freshAppId();
    for (const org of [okta, probeOkta])
      org.addServiceApp({ clientId, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"] });
    config["okta:clientId"] = clientId;
    config["okta:privateKey"] = keys.pem;
    secretKeys.push("okta:privateKey");
  } else {
    const token = freshSecret("00");
    for (const org of [okta, probeOkta]) org.addApiToken(token);
    config["okta:apiToken"] = token;
    secretKeys.push("okta:apiToken");
  }

  const pad = (i: number) => String(i).padStart(String(n).length + 1, "0");
  const binding = (ws: string, name: string, org: OktaEmulator) => {
    cerby.addWorkspace(ws);
    cerby.addApiKey(ws, cerbyKey, { role: "admin" });
    const label = `Cerby ${ws}`;
    const app = org.addApp({ label, universalLogout: "ENABLED", provisioning: "ENABLED" });
    return {
      name,
      baseUrl: cerby.workspaceUrl(ws),
      ...(o.resolve === "label" ? { appLabel: label } : { appInstanceId: app.id }),
    };
  };
  const bindings: Array<Record<string, string>> = [];
  for (let i = 1; i <= n; i++) bindings.push(binding(`ws-${pad(i)}`, `b-${pad(i)}`, okta));
  config["cerby:bindings"] = JSON.stringify(bindings);
  // The start-up probe's stack: one binding of its own (workspace, and an app in its own org), the same config else.
  const probeConfig = {
    "cerby:oktaOrgUrl": probeOktaUrl,
    "cerby:bindings": JSON.stringify([binding("ws-probe", "b-probe", probeOkta)]),
  };

  const pluginEnv: Record<string, string> =
    o.concurrency !== undefined ? { CERBY_OKTA_HTTP_CONCURRENCY: String(o.concurrency) } : {};
  // The program's lookups run in this process under the driver: same settings as the plugin's.
  if (o.concurrency !== undefined) process.env.CERBY_OKTA_HTTP_CONCURRENCY = String(o.concurrency);
  const engine = await ENGINES[o.engine]({
    dir,
    config,
    probeConfig,
    secretKeys,
    pluginEnv,
    arms: o.nullArm && o.engine === "cli" ? ["module", "null"] : ["module"],
    ...(o.parallel > 0 ? { parallel: o.parallel } : {}),
  });

  const measure = async (arm: Arm, name: PhaseName): Promise<Sample> => {
    resetHttpLimiters();
    okta.resetRateLimits();
    cerby.server.clearLog();
    okta.server.clearLog();
    const profileDir = o.profileDir && path.join(o.profileDir, `n${n}`, arm, name);
    const r = await engine.run(arm, name, profileDir);
    // Counted before the probe runs: the probe's own calls are not the command's.
    const all = [...cerby.server.requests, ...okta.server.requests];
    const sample: Sample = {
      wallMs: r.wallMs,
      startMs: r.startMs ?? 0,
      cerbyCalls: cerby.server.requests.length,
      oktaBucketCalls: okta.server.count({ pathPrefix: "/api/v1/apps" }),
      oktaCalls: okta.server.requests.length,
      tokenRequests: okta.tokenRequests,
      // After destroy the stack is empty: the figure that matters is what the bindings cost while they exist.
      stateBytes: engine.stateBytes(arm),
      seen429s: all.filter((x) => x.status === 429).length,
      surfaced429s: r.errors.filter((e) => /\b429\b|rate limit/i.test(e)).length,
      errors: r.errors,
    };
    if (r.errors.length > 0 && !o.json) console.error(`N=${n} ${arm} ${name}: failed: ${r.errors[0]}`);
    if (profileDir && name === "converged") engine.saveState?.(arm, path.join(profileDir, "state.json"));
    if (engine.probe && !o.profileDir) sample.startMs = await engine.probe(arm, name);
    return sample;
  };

  try {
    const samples = Object.fromEntries(
      engine.arms.map((a) => [a, Object.fromEntries(PHASES.map((p) => [p, [] as Sample[]]))]),
    ) as Record<Arm, Record<PhaseName, Sample[]>>;
    // Interleaved: each command of the module, then the same command of the null program, round after round, so both
    // see the same machine (drift between hours is up to a fifth here).
    const problems: string[] = [];
    for (let round = 0; round < o.rounds; round++) {
      for (const p of PHASES) {
        for (const arm of engine.arms) samples[arm][p].push(await measure(arm, p));
        if (round === 0 && p === "converged" && engine.arms.includes("null"))
          problems.push(...sameRefs(engine, dir, n));
      }
    }
    const phases = {} as Record<PhaseName, Phase>;
    for (const p of PHASES) {
      const m = armPhase(samples.module[p], n);
      const floor = floorOf(p, n, o);
      const nul = samples.null ? armPhase(samples.null[p], n) : undefined;
      phases[p] = {
        ...m,
        floor,
        oktaCallsPerBinding: m.oktaBucketCalls / n,
        oktaCallsPerFloor: m.oktaBucketCalls / Math.max(n, floor.okta),
        cerbyCallsPerFloor: floor.cerby > 0 ? m.cerbyCalls / floor.cerby : 1 + m.cerbyCalls / n,
        wallPerFloorBound: m.wallMs / floor.boundMs,
        ...(nul
          ? {
              null: nul,
              wallPerNull: median(samples.module[p].map((s, i) => s.wallMs / samples.null[p][i].wallMs)),
            }
          : {}),
      };
    }
    return {
      phases,
      problems,
      meta: {
        engine: engine.name,
        version: engine.version,
        rounds: o.rounds,
        arms: engine.arms,
        load: { before: loadBefore, after: loadAverage() },
        date,
      },
    };
  } finally {
    delete process.env.CERBY_OKTA_HTTP_CONCURRENCY;
    await engine.dispose();
    await cerby.stop();
    await okta.stop();
    await probeOkta.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/** The per-N line of --json: each top-level figure the maximum over the N's commands. */
export function summary(n: number, r: Record<PhaseName, Phase>, meta: RunMeta, o: Options): Record<string, unknown> {
  const max = (f: (p: Phase) => number) => r2(Math.max(...PHASES.map((p) => f(r[p]))));
  const withNull = PHASES.every((p) => r[p].null);
  const nullMax = (f: (p: ArmPhase) => number) => r2(Math.max(...PHASES.map((p) => f(r[p].null!))));
  return {
    n,
    engine: meta.engine,
    oktaCallsPerBinding: max((p) => p.oktaCallsPerBinding),
    oktaCallsPerFloor: max((p) => p.oktaCallsPerFloor),
    resolve: o.resolve,
    cerbyCallsPerFloor: max((p) => p.cerbyCallsPerFloor),
    tokensPerCredential: max((p) => p.tokenRequests),
    // One access token per credential and per process that calls Okta (a process shares its token).
    tokensPerProcess: max((p) => p.tokenRequests / Math.max(1, p.floor.oktaProcesses)),
    stateBytesPerBinding: max((p) => p.stateBytes / n),
    ...(withNull
      ? {
          wallPerNull: max((p) => p.wallPerNull!),
          nullStateBytesPerBinding: nullMax((p) => p.stateBytes / n),
          statePerNull: r2(Math.max(...PHASES.map((p) => r[p].stateBytes)) / nullMax((p) => p.stateBytes)),
          nullVendorCalls: nullMax((p) => p.cerbyCalls + p.oktaCalls),
        }
      : {}),
    wallPerFloorBound: max((p) => p.wallPerFloorBound),
    engineStartMs: max((p) => p.startMs),
    enginePerBindingMs: max((p) => p.enginePerBindingMs),
    surfaced429s: max((p) => p.surfaced429s),
    seen429s: max((p) => p.seen429s),
    errors: max((p) => p.errors + (p.null?.errors ?? 0)),
    rounds: meta.rounds,
    // `--parallel` of the commands: given, else the CLI's default (4 × GOMAXPROCS, cmd/pulumi/operations/up.go).
    parallel: o.parallel || (meta.engine === "cli" ? 4 * os.availableParallelism() : "unbounded"),
    cli: meta.engine === "cli" ? meta.version : undefined,
    node: process.version,
    cpus: os.availableParallelism(),
    load: meta.load,
    date: meta.date,
    phases: Object.fromEntries(
      PHASES.map((p) => {
        const x = r[p];
        const nul = x.null;
        return [
          p,
          {
            wallMs: Math.round(x.wallMs),
            walls: x.walls,
            startMs: Math.round(x.startMs),
            enginePerBindingMs: r2(x.enginePerBindingMs),
            ...(nul
              ? {
                  wallPerNull: r2(x.wallPerNull!),
                  nullWallMs: Math.round(nul.wallMs),
                  nullWalls: nul.walls,
                  nullStartMs: Math.round(nul.startMs),
                  nullEnginePerBindingMs: r2(nul.enginePerBindingMs),
                  nullStateBytes: nul.stateBytes,
                  nullVendorCalls: nul.cerbyCalls + nul.oktaCalls,
                  nullErrors: nul.errors,
                  ...(nul.firstError ? { nullFirstError: nul.firstError } : {}),
                }
              : {}),
            boundMs: x.floor.boundMs,
            cerbyCalls: x.cerbyCalls,
            cerbyFloor: x.floor.cerby,
            oktaBucketCalls: x.oktaBucketCalls,
            oktaFloor: x.floor.okta,
            criticalPath: x.floor.criticalPath,
            oktaWindows: x.floor.oktaWindows,
            tokenRequests: x.tokenRequests,
            stateBytes: x.stateBytes,
            seen429s: x.seen429s,
            surfaced429s: x.surfaced429s,
            errors: x.errors,
            ...(x.firstError ? { firstError: x.firstError } : {}),
          },
        ];
      }),
    ),
  };
}

/**
 * What makes the run fail: a vendor-floor key above its floor (Okta calls at the floor — at most one apps-bucket call
 * per binding by App instance ID —, Cerby at
 * its floor, one token per credential, no 429 seen or surfaced), a failed command, or a null program that called a
 * vendor. One line each, naming N, the key, its value and the limit.
 */
export function floorRegressions(s: Record<string, unknown>, auth: Options["auth"]): string[] {
  const out: string[] = [];
  const at = `N=${s.n}`;
  const over = (key: string, limit: number, what: string) => {
    const v = s[key];
    if (typeof v === "number" && v > limit) out.push(`${at}: ${key} ${v} > ${limit} (${what})`);
  };
  // At most one Okta apps-bucket call per binding; by label, `up` also reads each app the listing picked by its ID
  // before Cerby is written (issue 19's identity check), so there the floor is N + ⌈N/200⌉ (oktaCallsPerFloor).
  over("oktaCallsPerFloor", 1, "at most one Okta apps-bucket call per binding, or the floor where it is higher");
  if (s.resolve !== "label") over("oktaCallsPerBinding", 1, "at most one Okta apps-bucket call per binding");
  over("cerbyCallsPerFloor", 1, "Cerby calls at the floor");
  over("tokensPerProcess", auth === "oauth" ? 1 : 0, "one access token per credential per process that calls Okta");
  over("seen429s", 0, "no 429 from either vendor");
  over("surfaced429s", 0, "no rate-limit error surfaced");
  over("nullVendorCalls", 0, "the null program calls no vendor");
  if (typeof s.errors === "number" && s.errors > 0) {
    const phases = s.phases as Record<string, { firstError?: string; nullFirstError?: string }>;
    const first = Object.values(phases)
      .map((p) => p.firstError ?? p.nullFirstError)
      .find(Boolean);
    out.push(`${at}: ${s.errors} command(s) failed; first: ${first?.split("\n")[0] ?? "?"}`);
  }
  return out;
}

function table(n: number, r: Record<PhaseName, Phase>): string[] {
  const withNull = PHASES.every((p) => r[p].null);
  const head = [
    "N",
    "command",
    "module",
    ...(withNull ? ["null", "module/null"] : []),
    "start",
    ...(withNull ? ["null start"] : []),
    "per binding",
    ...(withNull ? ["null/binding"] : []),
    "Cerby/floor",
    "Okta/floor",
    "tokens",
    "state/binding",
    ...(withNull ? ["null state/b"] : []),
    "429s",
    "errors",
  ];
  const rows = PHASES.map((p) => {
    const x = r[p];
    const nul = x.null;
    return [
      String(n),
      p,
      secs(x.wallMs),
      ...(nul ? [secs(nul.wallMs), `${x.wallPerNull!.toFixed(2)}×`] : []),
      x.startMs ? secs(x.startMs) : "-",
      ...(nul ? [nul.startMs ? secs(nul.startMs) : "-"] : []),
      `${Math.round(x.enginePerBindingMs)}ms`,
      ...(nul ? [`${Math.round(nul.enginePerBindingMs)}ms`] : []),
      `${x.cerbyCalls}/${x.floor.cerby}`,
      `${x.oktaBucketCalls}/${x.floor.okta}`,
      String(x.tokenRequests),
      String(Math.round(x.stateBytes / n)),
      ...(nul ? [String(Math.round(nul.stateBytes / n))] : []),
      `${x.seen429s}/${x.surfaced429s}`,
      String(x.errors + (nul?.errors ?? 0)),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), ...rows.map(line)];
}

async function mainBench(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  if (!o.json) {
    const parallel =
      o.parallel > 0
        ? String(o.parallel)
        : o.engine === "cli"
          ? `the CLI's default (4 × GOMAXPROCS = ${4 * os.availableParallelism()} here)`
          : "unbounded (the driver's default)";
    console.log(
      `bench (engine ${o.engine}): latency ${o.latencyMs} ms/request, Okta apps bucket ${o.oktaRatePerMin}/min, Okta ` +
        `concurrency (bound) ${o.oktaConcurrency}, client concurrency ${o.concurrency ?? "defaults"}, parallel ` +
        `${parallel}, app by ${o.resolve}, auth ${o.auth}, ${o.rounds} round(s)` +
        `${o.engine === "cli" && o.nullArm ? " interleaved with the null program" : ""}; ` +
        `${os.availableParallelism()} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
        `load ${loadAverage()}, ${new Date().toISOString()}`,
    );
  }
  const failures: string[] = [];
  for (const n of o.ns) {
    const { phases, problems, meta } = await runN(n, o);
    const s = summary(n, phases, meta, o);
    failures.push(...problems, ...floorRegressions(s, o.auth));
    if (o.json) {
      console.log(JSON.stringify(s));
      continue;
    }
    if (n === o.ns[0] && meta.engine === "cli") console.log(`Pulumi CLI v${meta.version}`);
    for (const l of table(n, phases)) console.log(l);
  }
  if (!o.json) console.log(`total ${secs(Date.now() - started)}, load ${loadAverage()}`);
  if (o.profileDir && !o.json)
    console.log(`profiles: ${o.profileDir} (npx ts-node bench/profile-summary.ts ${o.profileDir})`);
  if (failures.length > 0) {
    for (const f of failures) console.error(`bench: FAILED — ${f}`);
    process.exitCode = 1;
  }
}

// Run as a script only (tests import floorRegressions).
if (require.main === module) {
  mainBench().then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      console.error(`bench: FAILED — ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    },
  );
}
