/**
 * `npm run bench [-- --n 1,10,50,200 --latency 50 --okta-rate 300 --concurrency 8 --parallel 0 --resolve label --json]`
 *
 * Runs the real program through the end-to-end driver (tests/e2e/engine.ts: the program under Pulumi's mocks, the
 * providers in Pulumi's real dynamic-provider plugin over gRPC) against both emulators with injected latency and an
 * Okta apps rate limit, for N bindings, and reports per N: wall time of `up` from nothing, of a converged `up` and of
 * a refresh; API calls per side; the floor (fewest calls the design needs) and calls/floor; the lower limit on wall
 * time and wall/lower-limit; 429s seen (emulator logs) and surfaced (errors of the run). See bench/README-figures.md.
 *
 * Each phase is a separate "command", as with the CLI: a fresh plugin process (so a fresh HTTP limiter), the program
 * run again in this process (limiter reset), the same state file, and a full Okta bucket (the emulator's window is
 * reset), so figures do not depend on how much of the bucket the previous phase left.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../components/program";
import { resetHttpLimiters } from "../components/http";
import { CerbyEmulator } from "../tests/emulators/cerby";
import { OktaEmulator } from "../tests/emulators/okta";
import { freshSecret } from "../tests/helpers/keys";
import { Engine, RunResult } from "../tests/e2e/engine";

interface Options {
  ns: number[];
  latencyMs: number;
  oktaRatePerMin: number;
  /** Per-origin HTTP concurrency for both sides; undefined: the clients' defaults. */
  concurrency?: number;
  /** Engine `--parallel`; 0: unbounded. */
  parallel: number;
  resolve: "label" | "id";
  json: boolean;
}

type PhaseName = "create" | "converged" | "refresh";

interface Phase {
  wallMs: number;
  cerbyCalls: number;
  oktaCalls: number;
  /** Calls to Okta's rate-limited apps bucket (/api/v1/apps*). */
  oktaBucketCalls: number;
  calls: number;
  floor: number;
  callsPerFloor: number;
  /** max(latency term, Okta calls ÷ rate), as the issue defines it. */
  lowerBoundMs: number;
  wallPerLowerBound: number;
  /** max(latency term, whole windows a full fixed-window bucket forces): the tight bound for a full bucket. */
  windowBoundMs: number;
  wallPerWindowBound: number;
  seen429s: number;
  surfaced429s: number;
  errors: number;
  steps: Record<string, number>;
}

const CERBY_DEFAULT_CONCURRENCY = 8;
const OKTA_DEFAULT_CONCURRENCY = 4;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    ns: [1, 10, 50, 200],
    latencyMs: 50,
    oktaRatePerMin: 300,
    parallel: 0,
    resolve: "label",
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
      case "--concurrency":
        o.concurrency = int(value(), 1);
        break;
      case "--parallel":
        o.parallel = int(value(), 0);
        break;
      case "--resolve": {
        const v = value();
        if (v !== "label" && v !== "id") throw new Error(`--resolve: "${v}" must be label or id`);
        o.resolve = v;
        break;
      }
      case "--json":
        o.json = true;
        break;
      case "--help":
      case "-h":
        console.log(
          "npm run bench -- [--n 1,10,50,200] [--latency 50] [--okta-rate 300] [--concurrency N] [--parallel 0] [--resolve label|id] [--json]",
        );
        process.exit(0);
      // falls through (exit)
      default:
        throw new Error(`unknown flag ${a} (try --help)`);
    }
  }
  return o;
}

/** The emulator's Okta buckets start afresh (a full bucket, its window opening at the next call). */
function resetOktaBuckets(okta: OktaEmulator): void {
  okta.resetRateLimits();
}

async function runN(n: number, o: Options): Promise<Record<PhaseName, Phase> & { startMs: number }> {
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-bench-"));
  const cerbyKey = freshSecret("cby_");
  const oktaToken = freshSecret("00");
  await cerby.start();
  const oktaUrl = await okta.start();
  cerby.server.latencyMs = o.latencyMs;
  okta.server.latencyMs = o.latencyMs;
  okta.rateLimit = { limit: o.oktaRatePerMin, windowMs: 60_000 };
  okta.addApiToken(oktaToken);

  const pad = (i: number) => String(i).padStart(String(n).length + 1, "0");
  const bindings: Array<Record<string, string>> = [];
  const appIds: string[] = [];
  for (let i = 1; i <= n; i++) {
    const ws = `ws-${pad(i)}`;
    cerby.addWorkspace(ws);
    cerby.addApiKey(ws, cerbyKey, { role: "admin" });
    const label = `Cerby ${ws}`;
    const app = okta.addApp({ label, universalLogout: "ENABLED", provisioning: "ENABLED" });
    appIds.push(app.id);
    bindings.push({
      name: `b-${pad(i)}`,
      baseUrl: cerby.workspaceUrl(ws),
      ...(o.resolve === "label" ? { appLabel: label } : { appInstanceId: app.id }),
    });
  }

  const concurrencyEnv: Record<string, string> =
    o.concurrency !== undefined ? { CERBY_OKTA_HTTP_CONCURRENCY: String(o.concurrency) } : {};
  // The program's label lookups run in this process: same settings as the plugin's.
  if (o.concurrency !== undefined) process.env.CERBY_OKTA_HTTP_CONCURRENCY = String(o.concurrency);
  const cCerby = o.concurrency ?? CERBY_DEFAULT_CONCURRENCY;
  const cOkta = o.concurrency ?? OKTA_DEFAULT_CONCURRENCY;
  // Processes that call Okta at once: the plugin, and this one (the program confirms or looks up the app).
  const oktaProcesses = 2;

  const engineOpts = {
    statePath: path.join(dir, "state.json"),
    config: {
      "cerby:bindings": JSON.stringify(bindings),
      "cerby:oktaOrgUrl": oktaUrl,
      "cerby:apiKey": cerbyKey,
      "okta:apiToken": oktaToken,
    },
    secretKeys: ["cerby:apiKey", "okta:apiToken"],
    pluginEnv: concurrencyEnv,
    ...(o.parallel > 0 ? { parallel: o.parallel } : {}),
  };

  const program = () => main();
  const desiredCerby = (i: number) => {
    const s = cerby.getSetting(`ws-${pad(i + 1)}`);
    return s.enabled === true && s.appInstanceId === appIds[i];
  };
  let startMs = 0;

  const phase = async (name: PhaseName, run: (e: Engine) => Promise<RunResult>): Promise<Phase> => {
    const engine = new Engine(engineOpts);
    const s0 = Date.now();
    await engine.start();
    startMs = Math.max(startMs, Date.now() - s0);
    resetHttpLimiters();
    resetOktaBuckets(okta);
    cerby.server.clearLog();
    okta.server.clearLog();
    const cerbyChanges = appIds.filter((_, i) => !desiredCerby(i)).length;
    const t0 = Date.now();
    let r: RunResult;
    try {
      r = await run(engine);
    } finally {
      await engine.stop();
    }
    const wallMs = Date.now() - t0;
    const cerbyCalls = cerby.server.requests.length;
    const oktaCalls = okta.server.requests.length;
    const oktaBucketCalls = okta.server.count({ pathPrefix: "/api/v1/apps" });
    // Floor: reads the phase needs + one write per side that had to change (Okta is only verified: no writes).
    // A converged `up` reads no live state (that is refresh's job), except the App instance ID the program confirms
    // (or looks up by label) in Okta on every run: 1 Okta read per binding.
    const reads = name === "converged" ? n : 2 * n;
    const floor = reads + (name === "refresh" ? 0 : cerbyChanges);
    const calls = cerbyCalls + oktaCalls;
    const latencyTerm = Math.max(
      (cerbyCalls * o.latencyMs) / cCerby,
      (oktaCalls * o.latencyMs) / (cOkta * oktaProcesses),
    );
    const rateTerm = (oktaBucketCalls / o.oktaRatePerMin) * 60_000;
    const windowTerm = oktaBucketCalls > 0 ? Math.floor((oktaBucketCalls - 1) / o.oktaRatePerMin) * 60_000 : 0;
    const lowerBoundMs = Math.max(latencyTerm, rateTerm);
    const windowBoundMs = Math.max(latencyTerm, windowTerm);
    const all = [...cerby.server.requests, ...okta.server.requests];
    const steps: Record<string, number> = {};
    for (const s of r.steps) steps[s.op] = (steps[s.op] ?? 0) + 1;
    if (r.errors.length > 0 && !o.json) {
      console.error(`N=${n} ${name}: ${r.errors.length} error(s), first: ${r.errors[0]}`);
    }
    return {
      wallMs,
      cerbyCalls,
      oktaCalls,
      oktaBucketCalls,
      calls,
      floor,
      callsPerFloor: floor === 0 ? (calls === 0 ? 1 : Infinity) : calls / floor,
      lowerBoundMs,
      wallPerLowerBound: lowerBoundMs > 0 ? wallMs / lowerBoundMs : Infinity,
      windowBoundMs,
      wallPerWindowBound: windowBoundMs > 0 ? wallMs / windowBoundMs : Infinity,
      seen429s: all.filter((x) => x.status === 429).length,
      surfaced429s: r.errors.filter((e) => /\b429\b|rate limit/i.test(e)).length,
      errors: r.errors.length,
      steps,
    };
  };

  try {
    const create = await phase("create", (e) => e.up(program));
    const converged = await phase("converged", (e) => e.up(program));
    const refresh = await phase("refresh", (e) => e.refresh());
    return { create, converged, refresh, startMs };
  } finally {
    delete process.env.CERBY_OKTA_HTTP_CONCURRENCY;
    await cerby.stop();
    await okta.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const r2 = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : x);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

function tableRow(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
}

async function mainBench(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const header = [
    "N",
    "phase",
    "wall",
    "Cerby",
    "Okta",
    "floor",
    "calls/floor",
    "lower",
    "wall/lower",
    "window",
    "wall/window",
    "429 seen",
    "429 surfaced",
    "errors",
  ];
  const widths = [5, 9, 9, 6, 6, 6, 11, 9, 10, 9, 11, 8, 12, 6];
  if (!o.json) {
    console.log(
      `bench: latency ${o.latencyMs} ms/request, Okta apps bucket ${o.oktaRatePerMin}/min, HTTP concurrency per origin ` +
        `${o.concurrency !== undefined ? o.concurrency : `Cerby ${CERBY_DEFAULT_CONCURRENCY} / Okta ${OKTA_DEFAULT_CONCURRENCY} (defaults)`}, ` +
        `parallel ${o.parallel || "unbounded"}, App instance ID by ${o.resolve}; ` +
        `${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`,
    );
    console.log(tableRow(header, widths));
  }
  for (const n of o.ns) {
    const r = await runN(n, o);
    const phases: PhaseName[] = ["create", "converged", "refresh"];
    if (o.json) {
      const round = (p: Phase) =>
        Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === "number" ? r2(v) : v]));
      console.log(
        JSON.stringify({
          n,
          latencyMs: o.latencyMs,
          oktaRatePerMin: o.oktaRatePerMin,
          concurrency: o.concurrency ?? { cerby: CERBY_DEFAULT_CONCURRENCY, okta: OKTA_DEFAULT_CONCURRENCY },
          parallel: o.parallel || null,
          resolve: o.resolve,
          upWallMs: r.create.wallMs,
          convergedWallMs: r.converged.wallMs,
          refreshWallMs: r.refresh.wallMs,
          convergedCallsPerFloor: r2(r.converged.callsPerFloor),
          wallPerLowerBound: r2(Math.max(...phases.map((p) => r[p].wallPerLowerBound))),
          wallPerWindowBound: r2(Math.max(...phases.map((p) => r[p].wallPerWindowBound))),
          surfaced429s: phases.reduce((s, p) => s + r[p].surfaced429s, 0),
          seen429s: phases.reduce((s, p) => s + r[p].seen429s, 0),
          errors: phases.reduce((s, p) => s + r[p].errors, 0),
          pluginStartMs: r.startMs,
          phases: Object.fromEntries(phases.map((p) => [p, round(r[p])])),
        }),
      );
    } else {
      for (const p of phases) {
        const x = r[p];
        console.log(
          tableRow(
            [
              String(n),
              p,
              secs(x.wallMs),
              String(x.cerbyCalls),
              String(x.oktaCalls),
              String(x.floor),
              x.callsPerFloor.toFixed(2),
              secs(x.lowerBoundMs),
              x.wallPerLowerBound.toFixed(2),
              secs(x.windowBoundMs),
              x.wallPerWindowBound.toFixed(2),
              String(x.seen429s),
              String(x.surfaced429s),
              String(x.errors),
            ],
            widths,
          ),
        );
      }
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
