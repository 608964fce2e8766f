/**
 * The GitOps workflow (.github/workflows/universal-logout.yml) against the pipeline rules of issue 20: read-only
 * credentials for previews, one concurrency group for the stack's state that never cancels a waiting job, job-level
 * permissions, actions pinned by commit SHA, the CLI the tests run, a drift job that tells drift from an error and
 * always runs `verify`, timeouts; and, as before, secrets only where they are used.
 *
 * Each rule is a function that returns the problems it finds. It runs on the workflow (no problem) and on a mutated
 * copy (the problem named): the control that shows the check can fail. The shell steps that decide an outcome (the
 * drift job's) run here under bash as GitHub runs them, with a stand-in `pulumi` and `npm` that exit with a chosen
 * code. The last block runs the workflow's own `pulumi` commands through the real CLI against the emulators.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { oktaCredentialKeys } from "../../components/okta/config";
import { runVerify } from "../../scripts/verify";
import { useCliRig } from "../e2e/cli-rig";

const ROOT = path.resolve(__dirname, "../..");
const FILE = path.join(ROOT, ".github/workflows/universal-logout.yml");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Concurrency {
  group: string;
  "cancel-in-progress"?: boolean | string;
  queue?: string;
}
interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  env?: Record<string, string>;
  permissions?: Record<string, string> | string;
  concurrency?: Concurrency | string;
  "timeout-minutes"?: number;
  steps: Step[];
}
interface Workflow {
  env?: Record<string, string>;
  permissions?: Record<string, string> | string;
  concurrency?: Concurrency | string;
  jobs: Record<string, Job>;
}

const RAW = fs.readFileSync(FILE, "utf8");
const load = (text = RAW) => yaml.load(text) as Workflow;
/** A copy of the workflow changed by `edit`: the control's input. */
const mutated = (edit: (wf: Workflow) => void): Workflow => {
  const wf = structuredClone(load());
  edit(wf);
  return wf;
};

const usesSecret = (v: unknown) => /\$\{\{\s*secrets\.(?!GITHUB_TOKEN\b)/.test(JSON.stringify(v ?? {}));
const envName = (j: Job) => (typeof j.environment === "string" ? j.environment : j.environment?.name);
const stepOf = (job: Job, id: string) => {
  const s = job.steps.find((x) => x.id === id || x.name === id);
  if (!s) throw new Error(`no step ${id}`);
  return s;
};

/** The `pulumi` subcommands a job runs (`run` lines, or pulumi/actions with a `command`; install-only is none). */
function pulumiCommands(job: Job): string[] {
  return job.steps.flatMap((s) => {
    if (s.uses?.startsWith("pulumi/actions@")) return s.with?.command ? [String(s.with.command)] : [];
    return [...(s.run ?? "").matchAll(/(?:^|[\s;&|(])pulumi\s+([a-z-]+)/gm)].map((m) => m[1]);
  });
}

/** The Pulumi version pinned for the engine the tests build (scripts/engine/go.mod). */
function testedPulumiVersion(): string {
  const goMod = fs.readFileSync(path.join(ROOT, "scripts/engine/go.mod"), "utf8");
  // `require github.com/… vX` or a line of a `require (…)` block, as scripts/pulumi-engine.sh reads it.
  const m = /^\s*(?:require\s+)?github\.com\/pulumi\/pulumi\/pkg\/v3\s+v(\S+)/m.exec(goMod);
  if (!m) throw new Error("scripts/engine/go.mod names no github.com/pulumi/pulumi/pkg/v3 version");
  return m[1];
}

/** Every place of the workflow that hands out a (non-GITHUB_TOKEN) secret, as "job/step" labels. */
export function secretPlaces(wf: Workflow): { workflowLevel: boolean; jobLevel: string[]; steps: string[] } {
  const jobLevel: string[] = [];
  const steps: string[] = [];
  for (const [name, job] of Object.entries(wf.jobs)) {
    if (usesSecret(job.env)) jobLevel.push(name);
    job.steps.forEach((s, i) => {
      if (usesSecret(s)) steps.push(`${name}/${i}:${s.uses ?? s.run}`);
    });
  }
  return { workflowLevel: usesSecret(wf.env), jobLevel, steps };
}

/** Previews get read-only credentials in an environment of their own; drift and applies each have theirs. */
export function environmentProblems(wf: Workflow): string[] {
  const out: string[] = [];
  const { preview, drift, up } = wf.jobs;
  const [p, d, u] = [envName(preview), envName(drift), envName(up)];
  if (!p || !d || !u) return ["preview, drift and up must each name an environment"];
  // A preview runs on refs/pull/N/merge: an environment limited to protected branches (main) refuses it.
  if (p === u || p === d) out.push(`preview shares environment ${p} with a job limited to main`);
  // Applies may need a reviewer; the daily drift check must not wait for one.
  if (d === u) out.push(`drift shares environment ${d} with up (required reviewers would stop it every day)`);
  if (/CERBY_API_KEY|secrets\.CERBY/.test(JSON.stringify(preview))) out.push("preview is given a Cerby key");
  const cmds = pulumiCommands(preview);
  if (cmds.some((c) => c !== "preview")) out.push(`preview runs pulumi ${cmds.join(", ")}`);
  const previews = preview.steps.filter((x) => /(^|\s)pulumi\s+preview/m.test(x.run ?? ""));
  if (previews.length === 0) out.push("preview has no `pulumi preview` step of its own (its flags cannot be checked)");
  for (const s of previews) {
    if (!/(--config|-c)[ =]cerby:mode=manual\b/.test(s.run!)) out.push("preview does not set cerby:mode=manual");
    if (/--refresh\b/.test(s.run!)) out.push("preview refreshes (reads Cerby with the mode in state, needing a key)");
    if (s.env?.OKTA_API_SCOPES !== "okta.apps.read") out.push("preview's Okta token may ask for more than reading");
  }
  return out;
}

/** The header says how to set up each environment the workflow uses (they live in GitHub's settings, not here). */
export function environmentDocProblems(raw: string): string[] {
  const wf = load(raw);
  const header = raw.slice(0, raw.indexOf("\nname:"));
  const rule = (env: string | undefined) => new RegExp(`^#\\s+${env}\\s+Deployment branches: ([^.]*)\\.(.*)$`, "m");
  const out: string[] = [];
  const p = rule(envName(wf.jobs.preview)).exec(header);
  if (!p || !/no restriction/.test(p[1]))
    out.push("the header does not say the preview environment's branches are unrestricted");
  const d = rule(envName(wf.jobs.drift)).exec(header);
  if (!d || !/main only/.test(d[1]) || !/No required reviewers/.test(d[2]))
    out.push("the header does not say the drift environment is main only, with no required reviewers");
  const u = rule(envName(wf.jobs.up)).exec(header);
  if (!u || !/main only/.test(u[1])) out.push("the header does not say the production environment is main only");
  return out;
}

/** One group for every job that touches the stack's state; waiting jobs are queued, never cancelled. */
export function concurrencyProblems(wf: Workflow): string[] {
  const out: string[] = [];
  const stateJobs = Object.entries(wf.jobs).filter(([, j]) => pulumiCommands(j).length > 0);
  if (stateJobs.length < 3) out.push(`only ${stateJobs.map(([n]) => n).join(", ")} run pulumi`);
  const groups = new Set<string>();
  for (const [name, job] of stateJobs) {
    const c = job.concurrency;
    if (!c || typeof c === "string") {
      out.push(`${name}: no concurrency block with queue and cancel-in-progress`);
      continue;
    }
    groups.add(c.group);
    // A group built from the ref or event would split the stack's jobs apart (the old `github.ref`).
    if (c.group.includes("${{")) out.push(`${name}: group ${c.group} depends on the run`);
    if (c["cancel-in-progress"] !== false) out.push(`${name}: cancel-in-progress is not false`);
    // The default (single) keeps one pending job and cancels it when another arrives.
    if (c.queue !== "max") out.push(`${name}: queue is ${c.queue ?? "single (default)"}, not max`);
  }
  if (groups.size > 1) out.push(`the stack's jobs use ${groups.size} groups: ${[...groups].join(", ")}`);
  for (const [name, job] of Object.entries(wf.jobs)) {
    const g = typeof job.concurrency === "string" ? job.concurrency : job.concurrency?.group;
    if (g && groups.has(g) && pulumiCommands(job).length === 0) out.push(`${name} holds the stack's group needlessly`);
  }
  // A workflow-level group may cancel only superseded pull-request runs: every other run has a group of its own.
  const w = wf.concurrency;
  if (w !== undefined) {
    if (typeof w === "string" || !w.group.includes("github.run_id")) out.push("the workflow-level group is shared");
    else if (
      w["cancel-in-progress"] !== false &&
      w["cancel-in-progress"] !== "${{ github.event_name == 'pull_request' }}"
    )
      out.push(`the workflow-level group cancels runs other than pull requests' (${w["cancel-in-progress"]})`);
  }
  return out;
}

/** Nothing at workflow level; each job its own; `pull-requests: write` only where no code of the branch runs. */
export function permissionProblems(wf: Workflow): string[] {
  const out: string[] = [];
  if (JSON.stringify(wf.permissions) !== "{}") out.push("workflow-level permissions are not {}");
  const writers: string[] = [];
  for (const [name, job] of Object.entries(wf.jobs)) {
    if (!job.permissions || typeof job.permissions === "string") {
      out.push(`${name}: no job-level permissions`);
      continue;
    }
    for (const [scope, level] of Object.entries(job.permissions)) {
      if (level !== "write") continue;
      if (scope !== "pull-requests") out.push(`${name}: ${scope}: write`);
      writers.push(name);
      const runsBranchCode = job.steps.some(
        (s) => s.uses?.startsWith("actions/checkout@") || /\b(npm|npx|node|pulumi)\b/.test(s.run ?? ""),
      );
      if (runsBranchCode) out.push(`${name}: has ${scope}: write and runs the branch's code`);
      if (usesSecret(job)) out.push(`${name}: has ${scope}: write and holds secrets`);
    }
  }
  if (writers.length !== 1) out.push(`jobs with a write permission: ${writers.join(", ") || "none"}`);
  return out;
}

/** No `${{ }}` inside a script: values reach shell through variables, so text from a branch cannot become code. */
export function injectionProblems(wf: Workflow): string[] {
  return Object.entries(wf.jobs).flatMap(([name, job]) =>
    job.steps
      .filter((s) => s.run?.includes("${{"))
      .map((s) => `${name}: ${s.id ?? s.run!.slice(0, 40)} expands \${{ }} in its script`),
  );
}

/** Every action pinned by a full commit SHA, its tag in a comment, one SHA per action. */
export function pinProblems(raw: string): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  for (const line of raw.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
    const m = /uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s+v\d+\.\d+\.\d+\s*$/.exec(line);
    if (!m) {
      out.push(`not pinned by SHA with its tag: ${line.trim()}`);
      continue;
    }
    if (seen.has(m[1]) && seen.get(m[1]) !== m[2]) out.push(`${m[1]} pinned to two SHAs`);
    seen.set(m[1], m[2]);
  }
  if (seen.size === 0 && out.length === 0) out.push("no action found");
  return out;
}

/** The CLI installed is the one the tests run (go.mod), and every job that runs `pulumi` installs it first. */
export function versionProblems(wf: Workflow, tested = testedPulumiVersion()): string[] {
  const out: string[] = [];
  const resolve = (v: unknown) =>
    String(v ?? "").replace(/^\$\{\{\s*env\.(\w+)\s*\}\}$/, (_, k: string) => wf.env?.[k] ?? "");
  for (const [name, job] of Object.entries(wf.jobs)) {
    let installed = false;
    for (const s of job.steps) {
      if (s.uses?.startsWith("pulumi/actions@")) {
        const v = resolve(s.with?.["pulumi-version"]);
        if (v !== tested)
          out.push(`${name}: pulumi/actions installs ${v || "its default (^3)"}, the tests run ${tested}`);
        installed = true;
      }
      if (/(^|\s)pulumi\s/m.test(s.run ?? "") && !installed)
        out.push(`${name}: runs pulumi before installing the pinned CLI`);
    }
  }
  return out;
}

export function timeoutProblems(wf: Workflow): string[] {
  return Object.entries(wf.jobs)
    .filter(
      ([, j]) => !Number.isInteger(j["timeout-minutes"]) || j["timeout-minutes"]! < 1 || j["timeout-minutes"]! > 60,
    )
    .map(([n, j]) => `${n}: timeout-minutes ${j["timeout-minutes"] ?? "missing"}`);
}

interface ShellRun {
  status: number;
  stdout: string;
  outputs: Record<string, string>;
  /** $GITHUB_OUTPUT as the step wrote it. */
  outputFile: string;
  summary: string;
}

/** Runs a `run:` script as GitHub's bash does, with stand-ins for `pulumi` and `npm` that exit with the given codes. */
function runScript(
  script: string,
  env: Record<string, string>,
  fakes: { pulumi?: number; npm?: number } = {},
): ShellRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-wf-"));
  try {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    for (const [cmd, code] of Object.entries(fakes))
      fs.writeFileSync(path.join(bin, cmd), `#!/bin/sh\necho "${cmd} $*"\nexit ${code}\n`, { mode: 0o755 });
    const [file, out, summary] = ["step.sh", "output", "summary"].map((f) => path.join(dir, f));
    fs.writeFileSync(file, script);
    fs.writeFileSync(out, "");
    fs.writeFileSync(summary, "");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        STACK: "prod",
        GITHUB_OUTPUT: out,
        GITHUB_STEP_SUMMARY: summary,
        ...env,
      },
    });
    const outputFile = fs.readFileSync(out, "utf8");
    const outputs: Record<string, string> = {};
    for (const m of outputFile.matchAll(/^(\w+)=(.*)$/gm)) outputs[m[1]] = m[2];
    return {
      status: r.status ?? -1,
      stdout: r.stdout + r.stderr,
      outputs,
      outputFile,
      summary: fs.readFileSync(summary, "utf8"),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether GitHub runs a step after an earlier one failed (its `if` has a status function). */
const runsAfterFailure = (s: Step) => /\b(always|failure|cancelled)\(\)/.test(s.if ?? "");

/** The drift job for a preview exit code and a verify exit code: what ran and what the job reported. */
export function simulateDrift(job: Job, preview: number, verify: number) {
  const steps = [stepOf(job, "preview"), stepOf(job, "verify"), stepOf(job, "report")];
  const ran: string[] = [];
  let failed = false;
  const outputs: Record<string, Record<string, string>> = {};
  let report: ShellRun | undefined;
  for (const s of steps) {
    if (failed && !runsAfterFailure(s)) continue;
    const env = Object.fromEntries(
      Object.entries(s.env ?? {}).map(([k, v]) => [
        k,
        v.replace(
          /^\$\{\{\s*steps\.(\w+)\.outputs\.(\w+)\s*\}\}$/,
          (_, st: string, o: string) => outputs[st]?.[o] ?? "",
        ),
      ]),
    );
    const r = runScript(s.run!, env, { pulumi: preview, npm: verify });
    ran.push(s.id ?? s.name!);
    outputs[s.id ?? s.name!] = r.outputs;
    if (r.status !== 0) failed = true;
    if (s === steps[2]) report = r;
  }
  return { ran, failed, report: report?.stdout ?? "", summary: report?.summary ?? "" };
}

/** Drift (7) is reported as drift, any other failure as an error that is not drift, and verify always runs. */
export function driftProblems(job: Job): string[] {
  const out: string[] = [];
  const preview = stepOf(job, "preview").run ?? "";
  if (!/pulumi\s+preview\b.*--refresh\b.*--expect-no-changes\b/.test(preview))
    out.push("the drift step is not preview --refresh --expect-no-changes");
  for (const [p, v] of [
    [0, 0],
    [7, 0],
    [1, 0],
    [3, 1],
    [255, 2],
    [0, 1],
  ]) {
    const r = simulateDrift(job, p, v);
    const label = `preview ${p}, verify ${v}`;
    if (!r.ran.includes("verify")) out.push(`${label}: verify did not run`);
    if (!r.ran.includes("report")) {
      out.push(`${label}: nothing reported`);
      continue;
    }
    if (r.failed !== (p !== 0 || v !== 0)) out.push(`${label}: the job ${r.failed ? "failed" : "passed"}`);
    const saysDrift = /::error title=Drift::/.test(r.report);
    const saysError = /not drift/.test(r.report);
    if (p === 7 && (!saysDrift || saysError)) out.push(`${label}: not reported as drift`);
    if (p !== 7 && p !== 0 && (saysDrift || !saysError))
      out.push(`${label}: not reported as an error that is not drift`);
    if (p === 0 && (saysDrift || saysError)) out.push(`${label}: reported a problem`);
    if (v !== 0 && !/title=verify/.test(r.report)) out.push(`${label}: verify's failure not reported`);
    if (r.summary.trim() === "") out.push(`${label}: nothing in the job summary`);
  }
  return out;
}

describe("the GitOps workflow (.github/workflows/universal-logout.yml)", () => {
  const wf = load();
  const places = secretPlaces(wf);

  describe("secrets", () => {
    it("puts no secret in workflow-level or job-level env, and none in the test job", () => {
      expect(places.workflowLevel, "workflow-level env reaches every job").to.equal(false);
      expect(places.jobLevel).to.deep.equal([]);
      expect(usesSecret(wf.jobs.test)).to.equal(false);
    });

    it("gives secrets only to steps of jobs in an environment, and never to checkout, setup or npm ci", () => {
      expect(places.steps.length).to.be.greaterThan(0);
      for (const label of places.steps) expect(envName(wf.jobs[label.split("/")[0]]), label).to.be.a("string");
      for (const job of Object.values(wf.jobs)) {
        for (const s of job.steps) {
          if (s.uses?.startsWith("actions/") || s.uses?.startsWith("pulumi/actions@") || s.run === "npm ci")
            expect(usesSecret(s), JSON.stringify(s)).to.equal(false);
        }
      }
    });

    it("passes every Okta credential form (OKTA_API_TOKEN included) to each vendor step, and Cerby's key outside previews", () => {
      const keys = oktaCredentialKeys();
      const okta = [keys.apiToken.env, keys.clientId.env, keys.privateKey.env];
      for (const label of places.steps) {
        const [job, rest] = label.split("/");
        const step = wf.jobs[job].steps[Number(rest.split(":")[0])];
        const names = Object.keys(step.env ?? {});
        expect(names, label).to.include.members(okta);
        if (job === "preview") expect(names, label).to.not.include("CERBY_API_KEY");
        else expect(names, label).to.include("CERBY_API_KEY");
      }
    });

    it("fails these checks for the earlier layout (secrets in workflow-level env) — control", () => {
      const old: Workflow = {
        env: { CERBY_API_KEY: "${{ secrets.CERBY_API_KEY }}", STACK: "prod" },
        jobs: { test: { steps: [{ run: "npm test" }] } },
      };
      expect(secretPlaces(old).workflowLevel).to.equal(true);
      const jobScoped: Workflow = {
        jobs: { up: { env: { OKTA_API_TOKEN: "${{ secrets.OKTA_API_TOKEN }}" }, steps: [] } },
      };
      expect(secretPlaces(jobScoped).jobLevel).to.deep.equal(["up"]);
    });
  });

  describe("environments", () => {
    it("previews: an environment of their own, no Cerby key, cerby:mode manual, no refresh, a read-only Okta token", () => {
      expect(environmentProblems(wf)).to.deep.equal([]);
    });

    it("the header says how each environment is set up (branches, reviewers)", () => {
      expect(environmentDocProblems(RAW)).to.deep.equal([]);
    });

    it("catches a preview in production, drift beside up, a Cerby key or a refresh in previews — control", () => {
      const inProduction = mutated((w) => (w.jobs.preview.environment = "production"));
      expect(environmentProblems(inProduction)).to.include(
        "preview shares environment production with a job limited to main",
      );
      const driftBesideUp = mutated((w) => (w.jobs.drift.environment = w.jobs.up.environment));
      expect(environmentProblems(driftBesideUp).join()).to.match(/drift shares environment/);
      const withKey = mutated(
        (w) => (stepOf(w.jobs.preview, "preview").env!.CERBY_API_KEY = "${{ secrets.CERBY_API_KEY }}"),
      );
      expect(environmentProblems(withKey)).to.include("preview is given a Cerby key");
      const apiMode = mutated((w) => {
        const s = stepOf(w.jobs.preview, "preview");
        s.run = s.run!.replace(" --config cerby:mode=manual", " --refresh");
        delete s.env!.OKTA_API_SCOPES;
      });
      expect(environmentProblems(apiMode)).to.include.members([
        "preview does not set cerby:mode=manual",
        "preview refreshes (reads Cerby with the mode in state, needing a key)",
        "preview's Okta token may ask for more than reading",
      ]);
      const driftHeader = RAW.replace(/No required reviewers/, "Required reviewers");
      expect(environmentDocProblems(driftHeader)).to.have.length(1);
    });
  });

  describe("concurrency", () => {
    it("preview, up and drift share one fixed group, queue: max, cancel-in-progress false; the run-level group cancels superseded previews only", () => {
      expect(concurrencyProblems(wf)).to.deep.equal([]);
    });

    it("catches the old ref-keyed group, a default (single) queue, cancel-in-progress and a shared run-level group — control", () => {
      const byRef = mutated(
        (w) => ((w.jobs.drift.concurrency as Concurrency).group = "universal-logout-${{ github.ref }}"),
      );
      expect(concurrencyProblems(byRef).join("\n"))
        .to.match(/drift: group .* depends on the run/)
        .and.match(/2 groups/);
      const single = mutated((w) => delete (w.jobs.up.concurrency as Concurrency).queue);
      expect(concurrencyProblems(single)).to.deep.equal(["up: queue is single (default), not max"]);
      const cancels = mutated((w) => ((w.jobs.preview.concurrency as Concurrency)["cancel-in-progress"] = true));
      expect(concurrencyProblems(cancels)).to.deep.equal(["preview: cancel-in-progress is not false"]);
      const none = mutated((w) => delete w.jobs.drift.concurrency);
      expect(concurrencyProblems(none)).to.include("drift: no concurrency block with queue and cancel-in-progress");
      const shared = mutated(
        (w) => (w.concurrency = { group: "universal-logout-${{ github.ref }}", "cancel-in-progress": true }),
      );
      expect(concurrencyProblems(shared)).to.deep.equal(["the workflow-level group is shared"]);
      const cancelsAll = mutated((w) => ((w.concurrency as Concurrency)["cancel-in-progress"] = true));
      expect(concurrencyProblems(cancelsAll).join()).to.match(/cancels runs other than pull requests'/);
    });
  });

  describe("permissions", () => {
    it("none at workflow level, each job its own, pull-requests: write only in the comment job (no branch code, no secrets)", () => {
      expect(permissionProblems(wf)).to.deep.equal([]);
      expect(wf.jobs.comment.permissions).to.deep.equal({ "pull-requests": "write" });
    });

    it("no script expands ${{ }}: the preview's text reaches gh through a variable", () => {
      expect(injectionProblems(wf)).to.deep.equal([]);
    });

    it("catches workflow-wide permissions and pull-requests: write on the job that runs branch code — control", () => {
      const wide = mutated((w) => (w.permissions = { contents: "read", "pull-requests": "write" }));
      expect(permissionProblems(wide)).to.include("workflow-level permissions are not {}");
      const onPreview = mutated((w) => {
        (w.jobs.preview.permissions as Record<string, string>)["pull-requests"] = "write";
        delete w.jobs.comment;
      });
      expect(permissionProblems(onPreview)).to.include.members([
        "preview: has pull-requests: write and runs the branch's code",
        "preview: has pull-requests: write and holds secrets",
      ]);
      const unscoped = mutated((w) => delete w.jobs.up.permissions);
      expect(permissionProblems(unscoped)).to.include("up: no job-level permissions");
      const interpolated = mutated(
        (w) => (w.jobs.comment.steps[0].run = 'gh pr comment 1 --body "${{ needs.preview.outputs.comment }}"'),
      );
      expect(injectionProblems(interpolated)).to.have.length(1);
    });
  });

  describe("pins", () => {
    it("pins every action by full commit SHA with its tag in a comment", () => {
      expect(pinProblems(RAW)).to.deep.equal([]);
    });

    it("installs the Pulumi CLI that the tests run (scripts/engine/go.mod) before any `pulumi` command", () => {
      expect(testedPulumiVersion()).to.match(/^\d+\.\d+\.\d+$/);
      expect(versionProblems(wf)).to.deep.equal([]);
    });

    it("catches a tag pin, two SHAs for one action, another CLI version and a job without the install — control", () => {
      const byTag = RAW.replace(/pulumi\/actions@[0-9a-f]{40} # v[\d.]+/, "pulumi/actions@v7");
      expect(pinProblems(byTag)).to.deep.equal(["not pinned by SHA with its tag: - uses: pulumi/actions@v7"]);
      const sha = /actions\/checkout@([0-9a-f]{40})/.exec(RAW)![1];
      expect(pinProblems(RAW.replace(sha, "0".repeat(40)))).to.include("actions/checkout pinned to two SHAs");
      expect(versionProblems(wf, "3.999.0").length).to.equal(4);
      const range = mutated((w) => (w.env!.PULUMI_VERSION = "^3"));
      expect(versionProblems(range).join()).to.match(/installs \^3, the tests run/);
      const noInstall = mutated(
        (w) => (w.jobs.up.steps = w.jobs.up.steps.filter((s) => !s.uses?.startsWith("pulumi/actions@"))),
      );
      expect(versionProblems(noInstall)).to.deep.equal(["up: runs pulumi before installing the pinned CLI"]);
    });
  });

  describe("the drift job", () => {
    it("reports drift (exit 7) apart from an error (any other code), fails on either, and always runs verify", () => {
      expect(driftProblems(wf.jobs.drift)).to.deep.equal([]);
      const r = simulateDrift(wf.jobs.drift, 7, 1);
      expect(r.ran).to.deep.equal(["preview", "verify", "report"]);
      expect(r.summary).to.match(/^A refresh found Okta or Cerby changed/m);
    });

    it("catches a preview that stops the job, a report that calls every failure drift, a skipped verify — control", () => {
      const stops = structuredClone(wf.jobs.drift);
      stepOf(stops, "preview").run = stepOf(stops, "preview").run!.replace("set +e\n", "");
      delete stepOf(stops, "verify").if;
      delete stepOf(stops, "report").if;
      expect(driftProblems(stops)).to.include.members([
        "preview 7, verify 0: verify did not run",
        "preview 7, verify 0: nothing reported",
      ]);
      const allDrift = structuredClone(wf.jobs.drift);
      stepOf(allDrift, "report").run = stepOf(allDrift, "report").run!.replace(/^(\s*)7\)/m, "$1[1-9]*)");
      expect(driftProblems(allDrift)).to.include("preview 1, verify 0: not reported as an error that is not drift");
      const noVerify = structuredClone(wf.jobs.drift);
      stepOf(noVerify, "report").run = stepOf(noVerify, "report").run!.replace(
        /\n\s*\[ "\$PREVIEW" = 0 \] && \[ "\$VERIFY" = 0 \]\s*$/,
        '\n[ "$PREVIEW" = 0 ]',
      );
      expect(driftProblems(noVerify)).to.include("preview 0, verify 1: the job passed");
    });
  });

  it("sets timeout-minutes on every job (catches a missing one — control)", () => {
    expect(timeoutProblems(wf)).to.deep.equal([]);
    expect(timeoutProblems(mutated((w) => delete w.jobs.comment["timeout-minutes"]))).to.deep.equal([
      "comment: timeout-minutes missing",
    ]);
  });

  it("the preview step passes pulumi's exit code on and hands the comment over with a delimiter the output cannot forge", () => {
    const step = stepOf(wf.jobs.preview, "preview");
    const ok = runScript(step.run!, { HEAD_SHA: "abc123" }, { pulumi: 0 });
    expect(ok.status).to.equal(0);
    const m = /^comment<<(EOF_[0-9a-f]{32})\n([\s\S]*)\n\1\n$/.exec(ok.outputFile);
    expect(m, ok.outputFile).to.not.equal(null);
    expect(m![2])
      .to.contain("`pulumi preview` of abc123")
      .and.contain("exit 0")
      .and.contain("pulumi preview --stack prod");
    const failed = runScript(step.run!, { HEAD_SHA: "abc123" }, { pulumi: 2 });
    expect(failed.status).to.equal(2);
    expect(failed.outputFile).to.contain("exit 2");
  });
});

/** The `pulumi` arguments of a job's step, from its script, with "$STACK" replaced. */
function pulumiArgs(step: Step, stack: string): string[] {
  const lines = (step.run ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^pulumi\s/.test(l));
  if (lines.length !== 1) throw new Error(`expected one pulumi command in ${step.id}, found ${lines.length}`);
  const args = lines[0]
    .split(/\s+(?:2>&1\s*)?\|/)[0]
    .split(/\s+/)
    .slice(1);
  const out = args.map((a) => (a === '"$STACK"' ? stack : a));
  if (out.some((a) => /["'$`]/.test(a))) throw new Error(`cannot run literally: ${lines[0]}`);
  return out;
}

/** Runs the drift job's report step for two exit codes. */
const report = (preview: number | null, verify: number) =>
  runScript(stepOf(load().jobs.drift, "report").run!, { PREVIEW: String(preview), VERIFY: String(verify) });

describe("the workflow's own `pulumi` commands, through the real CLI against the emulators", function () {
  this.timeout(5 * 60 * 1000);
  const rig = useCliRig();
  const { cerby, cli, must } = rig;
  const STACK = "wf";
  let [upArgs, previewArgs, driftArgs] = [[""], [""], [""]];
  // What each job's environment holds (an SSWS token stands for the Okta credentials).
  const okta = () => ({ OKTA_API_TOKEN: rig.oktaToken });
  const production = () => ({ env: { ...rig.env, ...okta(), CERBY_API_KEY: rig.cerbyKey } });
  const drift = production;
  const preview = () => ({ env: { ...rig.env, ...okta(), OKTA_API_SCOPES: "okta.apps.read" } });
  const verify = () =>
    runVerify(["--stack", STACK], { ...rig.env, ...okta(), CERBY_API_KEY: rig.cerbyKey }, rig.project);

  before(async () => {
    const wf = load();
    upArgs = pulumiArgs(
      wf.jobs.up.steps.find((s) => /pulumi up/.test(s.run ?? ""))!,
      STACK,
    );
    previewArgs = pulumiArgs(stepOf(wf.jobs.preview, "preview"), STACK);
    driftArgs = pulumiArgs(stepOf(wf.jobs.drift, "preview"), STACK);
    await must(["stack", "init", STACK]);
    await must(["config", "set", "cerby:baseUrl", cerby.workspaceUrl("acme")]);
    await must(["config", "set", "cerby:oktaOrgUrl", rig.okta.baseUrl]);
  });

  it("up's command converges both sides", async () => {
    await must(upArgs, production());
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: rig.appId });
  });

  it("drift's command exits 0 on a converged stack; verify exits 0; the report says no drift and passes", async () => {
    const r = await cli(driftArgs, drift());
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect((await verify()).code).to.equal(0);
    const rep = report(0, 0);
    expect(rep.status).to.equal(0);
    expect(rep.stdout).to.match(/^No drift/m);
  });

  it("preview's command plans without a Cerby key and makes no call to Cerby (only the mode override shows)", async () => {
    const r = await cli(previewArgs, preview());
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(cerby.server.requests, "requests to Cerby").to.have.length(0);
    expect(rig.writes()).to.have.length(0);
    expect(r.stdout).to.match(/mode\s*:\s*"api"\s*=>\s*"manual"/);
    expect(r.stdout).to.not.match(/appInstanceId\s*:.*=>/);
  });

  it("without cerby:mode=manual, or with --refresh, the same preview needs the Cerby key it does not have — control", async () => {
    await must(["config", "rm", "cerby:mode"]);
    const api = previewArgs.filter((a, i) => a !== "--config" && previewArgs[i - 1] !== "--config");
    const r = await cli(api, preview());
    expect(r.status).to.not.equal(0);
    expect(r.stdout + r.stderr).to.match(/no Cerby API key/);
    const refreshed = await cli([...previewArgs, "--refresh"], preview());
    expect(refreshed.status).to.not.equal(0);
    expect(refreshed.stdout + refreshed.stderr).to.match(/Cerby API key is not set/);
    await must(["config", "rm", "cerby:mode"]);
    expect(cerby.server.requests, "requests to Cerby").to.have.length(0);
  });

  it("Cerby switched off in its web app: drift's command exits 7, verify exits 1, the report says drift", async () => {
    cerby.setSetting("acme", { enabled: false });
    const r = await cli(driftArgs, drift());
    expect(r.status, r.stdout + r.stderr).to.equal(7);
    expect((await verify()).code).to.equal(1);
    const rep = report(r.status, 1);
    expect(rep.status).to.not.equal(0);
    expect(rep.stdout)
      .to.match(/::error title=Drift::/)
      .and.not.match(/not drift/);
  });

  it("Cerby down (503): drift's command exits with another code, and the report says it is not drift", async () => {
    cerby.server.inject({ kind: "status", status: 503, times: 1000, method: "GET" });
    try {
      const r = await cli(driftArgs, drift());
      expect(r.status, r.stdout + r.stderr).to.not.be.oneOf([0, 7]);
      const rep = report(r.status, 1);
      expect(rep.status).to.not.equal(0);
      expect(rep.stdout)
        .to.match(/Drift check failed \(not drift\)::pulumi preview exited \d+/)
        .and.not.match(/title=Drift::/);
    } finally {
      cerby.server.clearFaults();
    }
  });
});
