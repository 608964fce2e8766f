/**
 * `npx ts-node --transpile-only bench/profile-summary.ts DIR [--top 15] [--json]` — where the CPU of a profiled benchmark run
 * (`npm run bench -- --engine cli --n 200 --profile DIR`) went, the module beside the null program, command by
 * command: per process (the Pulumi CLI, the program host, the dynamic-provider plugin) its CPU time, by owner (this
 * module's code, @pulumi/pulumi, gRPC/protobuf, each other package, Node.js itself, GC), the functions with the most
 * self time, and the inclusive time of named functions (FOCUS). Method: bench/README.md, "Where the time goes".
 *
 * V8 profiles (*.cpuprofile, bench/cpu-profile.js) are read here; the CLI's Go profile (cli.<pid>.cpu) through
 * `go tool pprof -top -cum`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

type Role = "host" | "plugin" | "other";

/** Named functions whose inclusive time is reported (frames matching `fn` and, if given, `url`). */
const FOCUS: Array<{ label: string; fn: RegExp; url?: RegExp }> = [
  { label: "require (module loading)", fn: /^Module\._load$/ },
  { label: "ensureBuilt (source hash)", fn: /^ensureBuilt$/, url: /scripts\/build\.js$/ },
  { label: "getProvider (plugin: load the provider)", fn: /^getProvider$/ },
  { label: "provider check", fn: /^check$/, url: /dist\/components\/.*provider(-loader)?\.js$/ },
  { label: "provider diff", fn: /^diff$/, url: /dist\/components\/.*provider(-loader)?\.js$/ },
  { label: "provider read", fn: /^read$/, url: /dist\/components\/.*provider(-loader)?\.js$/ },
  {
    label: "provider create/update (converge)",
    fn: /^(create|update)$/,
    url: /dist\/components\/.*(provider|shared|-loader)\.js$/,
  },
  { label: "provider delete", fn: /^delete$/, url: /dist\/components\/.*provider(-loader)?\.js$/ },
  { label: "zod (any)", fn: /.*/, url: /node_modules\/zod\// },
  { label: "importOktaPrivateKey", fn: /^importOktaPrivateKey$/ },
  { label: "jose (any)", fn: /.*/, url: /node_modules\/jose\// },
  { label: "axios (any)", fn: /.*/, url: /node_modules\/axios\// },
  { label: "client construction (new *Client)", fn: /^(CerbyClient|OktaClient|HttpClient)$/ },
  { label: "serializeProperties (SDK)", fn: /^serializeProperties$/ },
  { label: "transferProperties (SDK)", fn: /^transferProperties$/ },
  { label: "deserializeProperties (SDK)", fn: /^deserializeProperties$/ },
  { label: "Struct.fromJavaScript (protobuf)", fn: /^fromJavaScript$/ },
  { label: "stack traces formatted (prepareStackTrace)", fn: /(^p|P)repareStackTrace$/ },
  { label: "SDK: debuggablePromise (a stack per promise)", fn: /^debuggablePromise$/ },
  { label: "SDK: marshalStackTrace (the resource's recorded stack)", fn: /^marshalStackTrace$/ },
  { label: "SDK: Output.apply", fn: /^apply$/, url: /@pulumi\/pulumi\/output\.js$/ },
];

const ms = (us: number) => us / 1000;

function roleOf(p: CpuProfile): Role {
  const urls = p.nodes.map((n) => n.callFrame.url);
  if (urls.some((u) => u.endsWith("scripts/program-host.js"))) return "host";
  if (urls.some((u) => /cmd\/dynamic-provider\/index\.js$/.test(u))) return "plugin";
  return "other";
}

/** Who a frame belongs to: this module (or the null program), a package, Node.js, or V8's own buckets. */
function ownerOf(f: CallFrame): string {
  const u = f.url;
  if (!u) return /^\((garbage collector|idle|program|root)\)$/.test(f.functionName) ? f.functionName : "(native)";
  if (u.startsWith("node:")) return "node";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
  if (nm) {
    if (/^@grpc\/|^google-protobuf$|^protobufjs$|^@protobufjs\//.test(nm[1])) return "grpc/protobuf";
    return nm[1];
  }
  if (/cerby-bench-nul-/.test(u)) return "null program";
  if (/\/dist\/components\/|\/dist\/provider\/|\/scripts\/build\.js$|cerby-bench-mod-[^/]+\/index\.js$/.test(u))
    return "this module";
  if (/scripts\/program-host\.js$|bench\/cpu-profile\.js$/.test(u)) return "host/bench script";
  return "other";
}

interface ProcessSummary {
  role: Role;
  pid: string;
  /** Wall time the profile covers (ms). */
  wallMs: number;
  /** Sampled time not idle (ms). */
  cpuMs: number;
  byOwner: Record<string, number>;
  topSelf: Array<{ fn: string; owner: string; ms: number }>;
  focus: Record<string, number>;
  /** This module's (or the null program's) functions by inclusive time. */
  oursInclusive: Array<{ fn: string; ms: number }>;
  /** Time in zod by the nearest function of this module on the stack (who asked zod). */
  zodByCaller: Array<{ fn: string; ms: number }>;
}

function summarizeProfile(file: string, top: number): ProcessSummary {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  // Each sample stands for the time until the next one (the last: its own delta).
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const byOwner: Record<string, number> = {};
  const bySelfFn = new Map<string, { fn: string; owner: string; us: number }>();
  const focus: Record<string, number> = Object.fromEntries(FOCUS.map((f) => [f.label, 0]));
  const ours = new Map<string, number>();
  const zodBy = new Map<string, number>();
  const frameName = (f: CallFrame) =>
    `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(dist|cerby-bench-[a-z]+-[A-Za-z0-9]+)\//, "")}:${f.lineNumber + 1}`;
  let idle = 0;
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    total += us;
    const owner = ownerOf(n.callFrame);
    if (owner === "(idle)") {
      idle += us;
      continue;
    }
    byOwner[owner] = (byOwner[owner] ?? 0) + us;
    const key = `${n.callFrame.functionName || "(anonymous)"} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    const e = bySelfFn.get(key) ?? { fn: key, owner, us: 0 };
    e.us += us;
    bySelfFn.set(key, e);
    // Inclusive: once per focus entry per sample, however deep the recursion.
    const hit = new Set<string>();
    for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
      const f = byId.get(a)!.callFrame;
      for (const x of FOCUS) if (x.fn.test(f.functionName) && (!x.url || x.url.test(f.url))) hit.add(x.label);
    }
    for (const h of hit) focus[h] += us;
    const oursHere = new Set<string>();
    let caller: string | undefined;
    for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
      const f = byId.get(a)!.callFrame;
      if (ownerOf(f) !== "this module" && ownerOf(f) !== "null program") continue;
      oursHere.add(frameName(f));
      caller ??= frameName(f);
    }
    for (const k of oursHere) ours.set(k, (ours.get(k) ?? 0) + us);
    if (owner === "zod") zodBy.set(caller ?? "(module loading)", (zodBy.get(caller ?? "(module loading)") ?? 0) + us);
  }
  const topOf = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, v]) => ({ fn, ms: Math.round(ms(v)) }));
  return {
    role: roleOf(p),
    pid: path.basename(file, ".cpuprofile"),
    wallMs: ms(p.endTime - p.startTime),
    cpuMs: ms(total - idle),
    byOwner: Object.fromEntries(
      Object.entries(byOwner)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, Math.round(ms(v))]),
    ),
    topSelf: [...bySelfFn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, owner: e.owner, ms: Math.round(ms(e.us)) })),
    focus: Object.fromEntries(Object.entries(focus).map(([k, v]) => [k, Math.round(ms(v))])),
    oursInclusive: topOf(ours),
    zodByCaller: topOf(zodBy),
  };
}

/** Functions of the CLI whose cumulative CPU is reported (regexps on pprof's names). */
const CLI_FOCUS: Array<{ label: string; fn: RegExp }> = [
  { label: "checkpoint save (SnapshotManager.saveSnapshot)", fn: /backend\.\(\*SnapshotManager\)\.saveSnapshot$/ },
  { label: "  JSON encoding (encoding/json Encoder.Encode)", fn: /^encoding\/json\.\(\*Encoder\)\.Encode$/ },
  { label: "  MD5 checksums (crypto/md5 digest.Write)", fn: /^crypto\/md5\.\(\*digest\)\.Write$/ },
  { label: "  the .bak copy (diy.backupTarget)", fn: /backend\/diy\.backupTarget$/ },
  { label: "  snapshot integrity check (VerifyIntegrity)", fn: /snapshot\.VerifyIntegrity$/ },
  { label: "passphrase key derivation (pbkdf2)", fn: /^crypto\/pbkdf2\.Key/ },
  { label: "step execution (stepExecutor.executeStep)", fn: /deploy\.\(\*stepExecutor\)\.executeStep$/ },
  {
    label: "provider calls (plugin.provider Check/Diff/Create/Read/Delete)",
    fn: /plugin\.\(\*provider\)\.(Check|Diff|Create|Read|Update|Delete)$/,
  },
  { label: "garbage collection (runtime.gcBgMarkWorker)", fn: /^runtime\.gcBgMarkWorker$/ },
];

interface CliSummary {
  cpuMs: number;
  wallMs: number;
  focus: Record<string, number>;
  topCum: Array<{ fn: string; ms: number }>;
}

function pprofMs(v: string): number {
  const m = /^([\d.]+)(ms|s|us|µs|ns|min|h)$/.exec(v);
  if (!m) return 0;
  const k = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[m[2]] ?? 0;
  return Number(m[1]) * k;
}

function summarizeCli(file: string, top: number): CliSummary | undefined {
  let out: string;
  try {
    out = execFileSync("go", ["tool", "pprof", "-top", "-cum", "-nodecount=100000", file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 2 ** 20,
    });
  } catch {
    return undefined;
  }
  const total = /Duration: ([\d.]+\w+), Total samples = ([\d.]+\w+)/.exec(out);
  const rows = out
    .split("\n")
    .map((l) => /^\s*([\d.]+\w*)\s+[\d.]+%\s+[\d.]+%\s+([\d.]+\w*)\s+[\d.]+%\s+(.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ fn: m[3].replace(/ \(inline\)$/, ""), cum: pprofMs(m[2]) }));
  const focus: Record<string, number> = {};
  for (const f of CLI_FOCUS)
    focus[f.label] = Math.round(Math.max(0, ...rows.filter((r) => f.fn.test(r.fn)).map((r) => r.cum)));
  return {
    cpuMs: total ? pprofMs(total[2]) : 0,
    wallMs: total ? pprofMs(total[1]) : 0,
    focus,
    topCum: rows
      .filter((r) => r.fn.includes("github.com/pulumi/pulumi/"))
      .slice(0, top)
      .map((r) => ({ fn: r.fn.replace("github.com/pulumi/pulumi/", ""), ms: Math.round(r.cum) })),
  };
}

interface CommandSummary {
  cli?: CliSummary;
  processes: ProcessSummary[];
  /** Bytes of the saved state (converged `up`), by resource kind and field, per binding. */
  state?: Record<string, number>;
}

/**
 * Where a state's bytes go, per binding: for each kind of resource (the stack, the default provider, the component, each
 * dynamic side), each field of the resource as the file backend writes it (compact JSON, as the file backend writes it), `__provider` apart.
 */
export function stateBreakdown(state: unknown, n: number): Record<string, number> {
  const resources =
    (state as { checkpoint?: { latest?: { resources?: Array<Record<string, unknown>> } } }).checkpoint?.latest
      ?.resources ?? [];
  const out: Record<string, number> = {};
  const add = (k: string, v: unknown) => (out[k] = (out[k] ?? 0) + JSON.stringify(v).length / n);
  for (const r of resources) {
    const type = String(r.type);
    const kind = type.startsWith("pulumi-nodejs:dynamic/")
      ? type.slice("pulumi-nodejs:dynamic/".length).split(":")[0]
      : type;
    for (const [field, v] of Object.entries(r)) {
      if ((field === "inputs" || field === "outputs") && v && typeof v === "object" && "__provider" in v) {
        const { __provider, ...rest } = v as Record<string, unknown>;
        add(`${kind} ${field}.__provider`, __provider);
        add(`${kind} ${field} (the rest)`, rest);
      } else add(`${kind} ${field}`, v);
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, Math.round(v)]),
  );
}

function summarizeCommand(dir: string, top: number, n: number): CommandSummary {
  const files = fs.readdirSync(dir);
  const stateFile = path.join(dir, "state.json");
  const cliFile = files.find((f) => /^cli\.\d+\.cpu$/.test(f));
  return {
    cli: cliFile ? summarizeCli(path.join(dir, cliFile), top) : undefined,
    processes: files
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => summarizeProfile(path.join(dir, f), top))
      .filter((p) => p.role !== "other")
      .sort((a, b) => a.role.localeCompare(b.role)),
    ...(fs.existsSync(stateFile) ? { state: stateBreakdown(JSON.parse(fs.readFileSync(stateFile, "utf8")), n) } : {}),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith("--"));
  if (!dir) throw new Error("usage: bench/profile-summary.ts DIR [--top 15] [--json]");
  const topIdx = args.indexOf("--top");
  const top = topIdx >= 0 ? Number(args[topIdx + 1]) : 15;
  const result: Record<string, Record<string, Record<string, CommandSummary>>> = {};
  for (const n of fs.readdirSync(dir).filter((d) => /^n\d+$/.test(d))) {
    for (const arm of ["module", "null"]) {
      const armDir = path.join(dir, n, arm);
      if (!fs.existsSync(armDir)) continue;
      for (const phase of ["up", "converged", "refresh", "destroy"]) {
        const d = path.join(armDir, phase);
        if (!fs.existsSync(d)) continue;
        ((result[n] ??= {})[phase] ??= {})[arm] = summarizeCommand(d, top, Number(n.slice(1)));
      }
    }
  }
  if (args.includes("--json")) {
    console.log(JSON.stringify(result, null, 1));
    return;
  }
  for (const [n, phases] of Object.entries(result)) {
    for (const [phase, arms] of Object.entries(phases)) {
      console.log(`\n=== ${n} ${phase} ===`);
      const m = arms.module;
      const z = arms.null;
      const cpu = (s?: CommandSummary, role?: Role) =>
        role ? s?.processes.filter((p) => p.role === role).reduce((k, p) => k + p.cpuMs, 0) : s?.cli?.cpuMs;
      const line = (label: string, a?: number, b?: number, unit = "ms") => {
        const cell = (x: number) => `${String(Math.round(x)).padStart(7)} ${unit.padEnd(2)}`;
        console.log(`${label.padEnd(58)} ${cell(a ?? 0)} ${cell(b ?? 0)} ${cell((a ?? 0) - (b ?? 0))}`);
      };
      console.log(
        `${"CPU (module, null, module − null)".padEnd(58)} ${"module".padStart(10)} ${"null".padStart(10)} ${"Δ".padStart(10)}`,
      );
      line("CLI (Go), total", cpu(m), cpu(z));
      for (const label of CLI_FOCUS.map((f) => f.label)) line(`  ${label}`, m?.cli?.focus[label], z?.cli?.focus[label]);
      for (const role of ["host", "plugin"] as const) {
        line(`${role === "host" ? "program host" : "plugin"} (Node.js), total`, cpu(m, role), cpu(z, role));
        const owners = new Set<string>();
        const sum = (s: CommandSummary | undefined, key: string, f: (p: ProcessSummary) => Record<string, number>) =>
          s?.processes.filter((p) => p.role === role).reduce((k, p) => k + (f(p)[key] ?? 0), 0) ?? 0;
        for (const s of [m, z])
          for (const p of s?.processes.filter((q) => q.role === role) ?? [])
            Object.keys(p.byOwner).forEach((o) => owners.add(o));
        for (const o of [...owners].sort((a, b) => sum(m, b, (p) => p.byOwner) - sum(m, a, (p) => p.byOwner)))
          if (sum(m, o, (p) => p.byOwner) + sum(z, o, (p) => p.byOwner) >= 20)
            line(
              `  self: ${o}`,
              sum(m, o, (p) => p.byOwner),
              sum(z, o, (p) => p.byOwner),
            );
        for (const f of FOCUS.map((x) => x.label))
          if (sum(m, f, (p) => p.focus) + sum(z, f, (p) => p.focus) >= 20)
            line(
              `  incl: ${f}`,
              sum(m, f, (p) => p.focus),
              sum(z, f, (p) => p.focus),
            );
      }
      if (m?.state || z?.state) {
        console.log("state bytes per binding, by resource kind and field (module, null, module − null)");
        const keys = [...new Set([...Object.keys(m?.state ?? {}), ...Object.keys(z?.state ?? {})])];
        for (const k of keys)
          if ((m?.state?.[k] ?? 0) + (z?.state?.[k] ?? 0) >= 5) line(`  ${k}`, m?.state?.[k], z?.state?.[k], "B");
        const total = (x?: Record<string, number>) => Object.values(x ?? {}).reduce((a, b) => a + b, 0);
        line("  total (fields, compact JSON)", total(m?.state), total(z?.state), "B");
      }
      for (const [arm, s] of [
        ["module", m],
        ["null", z],
      ] as const) {
        for (const p of s?.processes ?? []) {
          console.log(
            `-- ${arm} ${p.role} (pid ${p.pid}, ${Math.round(p.wallMs)} ms wall, ${Math.round(p.cpuMs)} ms CPU): top self`,
          );
          for (const t of p.topSelf) console.log(`   ${String(t.ms).padStart(6)} ms  ${t.owner.padEnd(16)} ${t.fn}`);
          if (p.oursInclusive.length > 0) {
            console.log(`-- ${arm} ${p.role}: this module's functions, inclusive`);
            for (const t of p.oursInclusive) console.log(`   ${String(t.ms).padStart(6)} ms  ${t.fn}`);
          }
          if (p.zodByCaller.length > 0) {
            console.log(`-- ${arm} ${p.role}: zod's self time, by the module's function that called it`);
            for (const t of p.zodByCaller) console.log(`   ${String(t.ms).padStart(6)} ms  ${t.fn}`);
          }
        }
        if (s?.cli) {
          console.log(
            `-- ${arm} CLI (${Math.round(s.cli.wallMs)} ms wall, ${Math.round(s.cli.cpuMs)} ms CPU): top cumulative`,
          );
          for (const t of s.cli.topCum) console.log(`   ${String(t.ms).padStart(6)} ms  ${t.fn}`);
        }
      }
    }
  }
}

main();
