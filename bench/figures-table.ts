/**
 * `npx ts-node --transpile-only bench/figures-table.ts bench/figures-cli.jsonl` — the Markdown tables of
 * bench/README.md, "Figures", from the lines `npm run -s bench -- --engine cli --json` printed: the run's conditions,
 * then per N and command the module's and the null program's median wall time, their ratio, the start-up probes, the
 * cost per binding and the state, then the vendor-floor keys per N.
 */
import * as fs from "node:fs";

interface PhaseLine {
  wallMs: number;
  walls: number[];
  startMs: number;
  enginePerBindingMs: number;
  wallPerNull?: number;
  nullWallMs?: number;
  nullWalls?: number[];
  nullStartMs?: number;
  nullEnginePerBindingMs?: number;
  cerbyCalls: number;
  cerbyFloor: number;
  oktaBucketCalls: number;
  oktaFloor: number;
  tokenRequests: number;
  stateBytes: number;
  nullStateBytes?: number;
}

interface Line {
  n: number;
  engine: string;
  oktaCallsPerBinding: number;
  cerbyCallsPerFloor: number;
  tokensPerCredential: number;
  tokensPerProcess: number;
  stateBytesPerBinding: number;
  nullStateBytesPerBinding?: number;
  statePerNull?: number;
  wallPerNull?: number;
  surfaced429s: number;
  seen429s: number;
  errors: number;
  rounds: number;
  parallel: number | string;
  cli?: string;
  node: string;
  cpus: number;
  load: { before: string; after: string };
  date: string;
  phases: Record<string, PhaseLine>;
}

const s = (ms: number | undefined) => (ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`);
const walls = (xs: number[] | undefined) => (xs ?? []).map((x) => (x / 1000).toFixed(1)).join(" / ");

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error("usage: bench/figures-table.ts <figures.jsonl>");
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);
  const first = lines[0];
  const last = lines[lines.length - 1];
  console.log(
    `Engine ${first.engine}${first.cli ? ` (Pulumi CLI v${first.cli})` : ""}, Node ${first.node}, ${first.cpus} CPUs, ` +
      `--parallel ${first.parallel}, ${first.rounds} round(s) per arm; started ${first.date}, load average ` +
      `${first.load.before} before, ${last.load.after} after (1, 5, 15 min, /proc/loadavg).\n`,
  );
  const withNull = lines.some((l) => l.wallPerNull !== undefined);
  if (withNull) {
    console.log(
      "| N | command | module | null | module ÷ null | start-up probe (module / null) | per binding (module / null) | state per binding (module / null) | module runs | null runs |",
    );
    console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
  } else {
    console.log("| N | command | wall | start-up | per binding | state per binding | runs |");
    console.log("| ---: | --- | ---: | ---: | ---: | ---: | --- |");
  }
  for (const l of lines) {
    for (const [p, x] of Object.entries(l.phases)) {
      const name = p === "up" ? "`up` from nothing" : p === "converged" ? "converged `up`" : `\`${p}\``;
      const bytes = (b: number | undefined) => Math.round((b ?? 0) / l.n);
      if (!withNull) {
        console.log(
          `| ${l.n} | ${name} | ${s(x.wallMs)} | ${s(x.startMs)} | ${Math.round(x.enginePerBindingMs)} ms | ` +
            `${p === "destroy" ? "–" : `${bytes(x.stateBytes)} B`} | ${walls(x.walls)} |`,
        );
        continue;
      }
      const state = p === "destroy" ? "–" : `${bytes(x.stateBytes)} / ${bytes(x.nullStateBytes)} B`;
      console.log(
        `| ${l.n} | ${name} | ${s(x.wallMs)} | ${s(x.nullWallMs)} | **${x.wallPerNull?.toFixed(2) ?? "–"}×** | ` +
          `${s(x.startMs)} / ${s(x.nullStartMs)} | ${Math.round(x.enginePerBindingMs)} / ` +
          `${Math.round(x.nullEnginePerBindingMs ?? 0)} ms | ${state} | ${walls(x.walls)} | ${walls(x.nullWalls)} |`,
      );
    }
  }
  console.log(
    "\n| N | wallPerNull (max) | statePerNull | oktaCallsPerBinding | cerbyCallsPerFloor | tokensPerProcess | seen429s | surfaced429s | errors |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const l of lines) {
    console.log(
      `| ${l.n} | ${l.wallPerNull ?? "–"} | ${l.statePerNull ?? "–"} | ${l.oktaCallsPerBinding} | ` +
        `${l.cerbyCallsPerFloor} | ${l.tokensPerProcess} | ${l.seen429s} | ${l.surfaced429s} | ${l.errors} |`,
    );
  }
}

main();
