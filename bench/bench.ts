/**
 * `npm run bench [-- --n 1,10,50,200 --latency 50 --okta-rate 300 --okta-concurrency 15 --auth oauth --resolve label
 * --parallel 0 --json]` — method and figures in bench/README.md.
 *
 * Runs the real program through an engine (default: the end-to-end driver, tests/e2e/engine.ts, which reports
 * `engine: "driver"`; the real CLI plugs in as another BenchEngine) against both emulators with injected latency and
 * an Okta apps bucket, for N bindings, and measures four commands — `up` from nothing, a converged `up`, `refresh`,
 * `destroy` — each as the CLI runs it: a fresh plugin process, the same state file, a full Okta bucket.
 *
 * The floor and the bound come from N and the vendors' limits alone (never from the calls the code made or its own
 * concurrency defaults): see floorOf().
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
import { Engine, RunResult } from "../tests/e2e/engine";
import { CliStack } from "./cli-engine";

interface Options {
  ns: number[];
  latencyMs: number;
  oktaRatePerMin: number;
  /** Okta's org-wide concurrent-request limit assumed for the bound (a vendor limit, not the client's setting). */
  oktaConcurrency: number;
  /** Per-origin HTTP concurrency of the clients (CERBY_OKTA_HTTP_CONCURRENCY); undefined: the shipped defaults. */
  concurrency?: number;
  /** Engine `--parallel`; 0: unbounded. */
  parallel: number;
  resolve: "label" | "id";
  auth: "oauth" | "ssws";
  engine: string;
  json: boolean;
}

export type PhaseName = "up" | "converged" | "refresh" | "destroy";
export const PHASES: PhaseName[] = ["up", "converged", "refresh", "destroy"];

/** What the benchmark needs from an engine: the CLI commands, each a fresh process over the same state. */
export interface BenchEngine {
  /** Reported as `engine` (the driver: "driver"; the real CLI: "cli"). */
  readonly name: string;
  /** Runs one command: a fresh engine process, the program run again, the same state. */
  run(phase: PhaseName): Promise<RunResult & { startMs?: number }>;
  /** Bytes of the stack's state now. */
  stateBytes(): number;
  dispose(): Promise<void>;
}

export interface BenchEngineOptions {
  dir: string;
  config: Record<string, string>;
  secretKeys: string[];
  pluginEnv: Record<string, string>;
  parallel?: number;
}

/** The end-to-end driver (tests/e2e/engine.ts): the program under mocks, the providers in Pulumi's real plugin. */
export function driverEngine(o: BenchEngineOptions): BenchEngine {
  const statePath = path.join(o.dir, "state.json");
  return {
    name: "driver",
    async run(phase) {
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
        return { ...r, startMs };
      } finally {
        await e.stop();
      }
    },
    stateBytes: () => (fs.existsSync(statePath) ? fs.statSync(statePath).size : 0),
    async dispose() {},
  };
}

/** The real Pulumi CLI (bench/cli-engine.ts): each command one `pulumi` process, as a user or pipeline runs it. */
export function cliEngine(o: BenchEngineOptions): BenchEngine {
  let stack: CliStack | undefined;
  return {
    name: "cli",
    async run(phase) {
      stack ??= await CliStack.create(o.config, o.pluginEnv, o.secretKeys);
      const opts = { parallel: o.parallel };
      const r =
        phase === "refresh"
          ? await stack.refresh(opts)
          : phase === "destroy"
            ? await stack.destroy(opts)
            : await stack.up(opts);
      // The CLI's own start-up: the same command on a program that registers nothing, run right after.
      const startMs = await stack.startup(phase === "converged" ? "up" : phase);
      return { steps: [], outputs: {}, errors: r.errors, startMs };
    },
    stateBytes: () => stack?.stateBytes() ?? 0,
    async dispose() {
      await stack?.stop();
    },
  };
}

/** Engines by name. */
export const ENGINES: Record<string, (o: BenchEngineOptions) => BenchEngine> = { driver: driverEngine, cli: cliEngine };

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
 * - by label (the default `--resolve`), `up` and converged `up` also read each app the walk picked by its ID before
 *   Cerby is written (+N Okta calls, +1 on the critical path): a list entry alone is never what Cerby is bound to.
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
  // The program's lookups by label: each pick read again by its ID (one more request after the walk).
  const [reads, reread] = (o.resolve ?? "label") === "label" ? [n, 1] : [0, 0];
  const f = {
    up: { cerby: 2 * n, okta: pages + reads, criticalPath: pages + reread + 2 },
    converged: { cerby: 0, okta: pages + reads, criticalPath: pages + reread },
    refresh: { cerby: n, okta: pages, criticalPath: Math.max(pages, 1) },
    destroy: { cerby: n, okta: 0, criticalPath: 1 },
  }[phase];
  const oktaWindows = f.okta > 0 ? Math.floor((f.okta - 1) / o.oktaRatePerMin) : 0;
  const boundMs = Math.max(
    f.criticalPath * o.latencyMs,
    Math.ceil(f.okta / o.oktaConcurrency) * o.latencyMs,
    oktaWindows * 60_000,
  );
  return { ...f, oktaWindows, boundMs };
}

interface Phase {
  /** The whole command, engine start included (a fresh plugin process per command, as the CLI). */
  wallMs: number;
  /**
   * The engine's start-up, its own cost whatever N: the driver's plugin start (inside `wallMs`); the CLI's same command
   * on a program that registers nothing (measured apart, right after).
   */
  startMs: number;
  /** (wall − start-up − the vendors' bound) ÷ N: what the engine spends per binding. */
  enginePerBindingMs: number;
  cerbyCalls: number;
  /** Calls to Okta's rate-limited apps bucket (/api/v1/apps*). */
  oktaBucketCalls: number;
  tokenRequests: number;
  stateBytes: number;
  floor: Floor;
  oktaCallsPerBinding: number;
  cerbyCallsPerFloor: number;
  wallPerFloorBound: number;
  seen429s: number;
  surfaced429s: number;
  errors: number;
  firstError?: string;
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
      case "--json":
        o.json = true;
        break;
      case "--help":
      case "-h":
        console.log(
          "npm run bench -- [--n 1,10,50,200] [--latency 50] [--okta-rate 300] [--okta-concurrency 15] [--concurrency N] " +
            "[--parallel 0] [--resolve label|id] [--auth oauth|ssws] [--engine driver|cli] [--json]",
        );
        process.exit(0);
      // falls through (exit)
      default:
        throw new Error(`unknown flag ${a} (try --help)`);
    }
  }
  return o;
}

async function runN(n: number, o: Options): Promise<Record<PhaseName, Phase>> {
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-bench-"));
  const cerbyKey = freshSecret("cby_");
  await cerby.start();
  const oktaUrl = await okta.start();
  cerby.server.latencyMs = o.latencyMs;
  okta.server.latencyMs = o.latencyMs;
  okta.rateLimit = { limit: o.oktaRatePerMin, windowMs: 60_000 };

  const config: Record<string, string> = { "cerby:oktaOrgUrl": oktaUrl, "cerby:apiKey": cerbyKey };
  const secretKeys = ["cerby:apiKey"];
  if (o.auth === "oauth") {
    const keys = await freshKeyPair("RS256");
    const clientId = freshAppId();
    okta.addServiceApp({ clientId, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"] });
    config["okta:clientId"] = clientId;
    config["okta:privateKey"] = keys.pem;
    secretKeys.push("okta:privateKey");
  } else {
    const token = freshSecret("00");
    okta.addApiToken(token);
    config["okta:apiToken"] = token;
    secretKeys.push("okta:apiToken");
  }

  const pad = (i: number) => String(i).padStart(String(n).length + 1, "0");
  const bindings: Array<Record<string, string>> = [];
  for (let i = 1; i <= n; i++) {
    const ws = `ws-${pad(i)}`;
    cerby.addWorkspace(ws);
    cerby.addApiKey(ws, cerbyKey, { role: "admin" });
    const label = `Cerby ${ws}`;
    const app = okta.addApp({ label, universalLogout: "ENABLED", provisioning: "ENABLED" });
    bindings.push({
      name: `b-${pad(i)}`,
      baseUrl: cerby.workspaceUrl(ws),
      ...(o.resolve === "label" ? { appLabel: label } : { appInstanceId: app.id }),
    });
  }
  config["cerby:bindings"] = JSON.stringify(bindings);

  const pluginEnv: Record<string, string> =
    o.concurrency !== undefined ? { CERBY_OKTA_HTTP_CONCURRENCY: String(o.concurrency) } : {};
  // The program's lookups run in this process: same settings as the plugin's.
  if (o.concurrency !== undefined) process.env.CERBY_OKTA_HTTP_CONCURRENCY = String(o.concurrency);
  const engine = ENGINES[o.engine]({
    dir,
    config,
    secretKeys,
    pluginEnv,
    ...(o.parallel > 0 ? { parallel: o.parallel } : {}),
  });

  const phase = async (name: PhaseName): Promise<Phase> => {
    resetHttpLimiters();
    okta.resetRateLimits();
    cerby.server.clearLog();
    okta.server.clearLog();
    const t0 = Date.now();
    const r = await engine.run(name);
    const wallMs = Date.now() - t0;
    const floor = floorOf(name, n, o);
    const cerbyCalls = cerby.server.requests.length;
    const oktaBucketCalls = okta.server.count({ pathPrefix: "/api/v1/apps" });
    const all = [...cerby.server.requests, ...okta.server.requests];
    if (r.errors.length > 0 && !o.json)
      console.error(`N=${n} ${name}: ${r.errors.length} error(s), first: ${r.errors[0]}`);
    return {
      wallMs,
      startMs: r.startMs ?? 0,
      cerbyCalls,
      oktaBucketCalls,
      tokenRequests: okta.tokenRequests,
      // After destroy the stack is empty: the figure that matters is what the bindings cost while they exist.
      stateBytes: engine.stateBytes(),
      floor,
      oktaCallsPerBinding: oktaBucketCalls / n,
      // A floor of 0 (converged up): 1 when the command also made none, else 1 + the calls per binding it made.
      cerbyCallsPerFloor: floor.cerby > 0 ? cerbyCalls / floor.cerby : 1 + cerbyCalls / n,
      wallPerFloorBound: wallMs / floor.boundMs,
      // What the engine itself spends per binding: the wall beyond its start-up and the vendors' bound.
      enginePerBindingMs: Math.max(0, wallMs - (r.startMs ?? 0) - floor.boundMs) / n,
      seen429s: all.filter((x) => x.status === 429).length,
      surfaced429s: r.errors.filter((e) => /\b429\b|rate limit/i.test(e)).length,
      errors: r.errors.length,
      ...(r.errors.length ? { firstError: r.errors[0].slice(0, 300) } : {}),
    };
  };

  try {
    const out = {} as Record<PhaseName, Phase>;
    for (const p of PHASES) out[p] = await phase(p);
    return out;
  } finally {
    delete process.env.CERBY_OKTA_HTTP_CONCURRENCY;
    await engine.dispose();
    await cerby.stop();
    await okta.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

function tableRow(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
}

/** The per-N line of --json: each figure the maximum over the N's phases. */
export function summary(n: number, engine: string, r: Record<PhaseName, Phase>): Record<string, unknown> {
  const max = (f: (p: Phase) => number) => r2(Math.max(...PHASES.map((p) => f(r[p]))));
  return {
    n,
    engine,
    oktaCallsPerBinding: max((p) => p.oktaCallsPerBinding),
    cerbyCallsPerFloor: max((p) => p.cerbyCallsPerFloor),
    tokensPerCredential: max((p) => p.tokenRequests),
    stateBytesPerBinding: max((p) => p.stateBytes / n),
    wallPerFloorBound: max((p) => p.wallPerFloorBound),
    engineStartMs: max((p) => p.startMs),
    enginePerBindingMs: max((p) => p.enginePerBindingMs),
    surfaced429s: max((p) => p.surfaced429s),
    seen429s: max((p) => p.seen429s),
    errors: max((p) => p.errors),
    phases: Object.fromEntries(
      PHASES.map((p) => [
        p,
        {
          wallMs: r[p].wallMs,
          startMs: r[p].startMs,
          enginePerBindingMs: r2(r[p].enginePerBindingMs),
          boundMs: r[p].floor.boundMs,
          cerbyCalls: r[p].cerbyCalls,
          cerbyFloor: r[p].floor.cerby,
          oktaBucketCalls: r[p].oktaBucketCalls,
          oktaFloor: r[p].floor.okta,
          criticalPath: r[p].floor.criticalPath,
          oktaWindows: r[p].floor.oktaWindows,
          tokenRequests: r[p].tokenRequests,
          stateBytes: r[p].stateBytes,
          seen429s: r[p].seen429s,
          surfaced429s: r[p].surfaced429s,
          errors: r[p].errors,
          ...(r[p].firstError ? { firstError: r[p].firstError } : {}),
        },
      ]),
    ),
  };
}

async function mainBench(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const header = [
    "N",
    "phase",
    "wall",
    "start",
    "engine/binding",
    "bound",
    "wall/bound",
    "Cerby",
    "floor",
    "Okta",
    "floor",
    "Okta/binding",
    "tokens",
    "state/binding",
    "429 seen",
    "429 surfaced",
    "errors",
  ];
  const widths = [5, 9, 9, 8, 14, 8, 10, 6, 6, 5, 5, 12, 6, 13, 8, 12, 6];
  if (!o.json) {
    console.log(
      `bench (engine ${o.engine}): latency ${o.latencyMs} ms/request, Okta apps bucket ${o.oktaRatePerMin}/min, Okta ` +
        `concurrency (bound) ${o.oktaConcurrency}, client concurrency ${o.concurrency ?? "defaults"}, parallel ` +
        `${o.parallel || "unbounded"}, app by ${o.resolve}, auth ${o.auth}; ${os.cpus().length} CPUs, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(" ")}, ` +
        new Date().toISOString(),
    );
    console.log(tableRow(header, widths));
  }
  for (const n of o.ns) {
    const r = await runN(n, o);
    if (o.json) {
      console.log(JSON.stringify(summary(n, o.engine, r)));
      continue;
    }
    for (const p of PHASES) {
      const x = r[p];
      console.log(
        tableRow(
          [
            String(n),
            p,
            secs(x.wallMs),
            secs(x.startMs),
            `${Math.round(x.enginePerBindingMs)}ms`,
            secs(x.floor.boundMs),
            x.wallPerFloorBound.toFixed(2),
            String(x.cerbyCalls),
            String(x.floor.cerby),
            String(x.oktaBucketCalls),
            String(x.floor.okta),
            x.oktaCallsPerBinding.toFixed(2),
            String(x.tokenRequests),
            String(Math.round(x.stateBytes / n)),
            String(x.seen429s),
            String(x.surfaced429s),
            String(x.errors),
          ],
          widths,
        ),
      );
    }
  }
  if (!o.json) console.log(`total ${secs(Date.now() - started)}`);
}

mainBench().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
