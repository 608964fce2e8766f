/**
 * What the real-CLI test files share: both emulators, a copy of the project, a local file backend, the program hosts
 * (one per project copy and environment, kept between commands: see ProgramHosts) and `pulumi` run as a user types it,
 * with every output kept for the secret scan. The files are split so that the suite's workers run them side by side.
 *
 * The program and the plugins run the compiled module (dist/, copied with the project; rebuilt in the copy only when
 * a test changes its sources), as every user's command does: nothing is transpiled per command.
 */
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliResult, Engine, ProgramHosts, localBackendEnv, pulumi } from "../../scripts/pulumi-cli";
import { CerbyEmulator, GTR_PATH } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { RecordedRequest } from "../emulators/server";
import { freshSecret } from "../helpers/keys";
import { projectCopy } from "../helpers/project-copy";
import { ENGINE_BUILD_TIMEOUT_MS, requireEngine } from "../helpers/pulumi-engine";

export const ROOT = path.resolve(__dirname, "../..");
const LOOPBACK_ONLY = path.join(ROOT, "tests", "helpers", "loopback-only.js");

/** Every file under `dir`, as text (state, backups, history). */
export function filesUnder(dir: string): Array<{ source: string; text: string }> {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((f) => ({ source: f, text: fs.readFileSync(f).toString("utf8") }));
}

export interface CliOptions {
  cwd?: string;
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with the `pulumi` process once started (to interrupt it). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface CliRig {
  /** The Pulumi CLI the rig runs (set in the rig's `before` hook). */
  engine(): Engine;
  readonly cerby: CerbyEmulator;
  readonly okta: OktaEmulator;
  /** The Cerby API key of workspace "acme" (admin). */
  readonly cerbyKey: string;
  readonly oktaToken: string;
  /** Every command's output, for the secret scan. */
  readonly transcript: Array<{ source: string; text: string }>;
  /** Set in the rig's `before` hook. */
  tmp: string;
  project: string;
  env: NodeJS.ProcessEnv;
  /** The Cerby app in Okta (ENABLED, with workspace "acme"'s endpoint). */
  appId: string;
  gtrEndpoint(workspace?: string): string;
  /** Every write either emulator received since its log was cleared. */
  writes(): RecordedRequest[];
  /** `pulumi <args>` in `cwd` (the project copy by default), as a user types it (plus --non-interactive). */
  cli(args: string[], opts?: CliOptions): Promise<CliResult>;
  /** As `cli`, and the command must succeed. */
  must(args: string[], opts?: CliOptions): Promise<CliResult>;
  /** As `cli`, and the command must fail. */
  mustFail(args: string[], opts?: CliOptions): Promise<CliResult>;
}

/** Registers the rig's hooks in the calling `describe` (before its own) and returns the rig. */
export function useCliRig(): CliRig {
  const hosts = new ProgramHosts();
  let engine: Engine;
  const show = (args: string[], r: CliResult) => `pulumi ${args.join(" ")} → ${r.status}\n${r.stdout}\n${r.stderr}`;
  const rig: CliRig = {
    engine: () => engine,
    cerby: new CerbyEmulator(),
    okta: new OktaEmulator(),
    cerbyKey: freshSecret("cby_"),
    oktaToken: freshSecret("00"),
    transcript: [],
    tmp: "",
    project: "",
    env: {},
    appId: "",
    gtrEndpoint: (ws = "acme") => `${rig.cerby.workspaceUrl(ws)}${GTR_PATH}`,
    writes: () => [...rig.cerby.server.writes(), ...rig.okta.server.writes()],
    async cli(args, opts = {}) {
      const r = await pulumi(engine, args, opts.cwd ?? rig.project, opts.env ?? rig.env, {
        stdin: opts.stdin,
        hosts,
        onSpawn: opts.onSpawn,
      });
      rig.transcript.push({ source: `pulumi ${args.join(" ")}`, text: r.stdout + r.stderr });
      return r;
    },
    async must(args, opts = {}) {
      const r = await rig.cli(args, opts);
      expect(r.status, show(args, r)).to.equal(0);
      return r;
    },
    async mustFail(args, opts = {}) {
      const r = await rig.cli(args, opts);
      expect(r.status, show(args, r)).to.not.equal(0);
      return r;
    },
  };

  before(async function () {
    this.timeout(ENGINE_BUILD_TIMEOUT_MS);
    engine = requireEngine(this);
    rig.tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-cli-"));
    rig.project = projectCopy("cerby-project-");
    await rig.cerby.start();
    const oktaUrl = await rig.okta.start();
    rig.cerby.oktaJwksUrl = `${oktaUrl}/oauth2/v1/keys`;
    rig.cerby.addWorkspace("acme");
    rig.cerby.addApiKey("acme", rig.cerbyKey, { role: "admin" });
    rig.okta.addApiToken(rig.oktaToken);
    rig.appId = rig.okta.addApp({ label: "Cerby", universalLogout: "ENABLED", gtrEndpoint: rig.gtrEndpoint() }).id;
    rig.env = localBackendEnv(path.join(rig.tmp, "state"), {
      PULUMI_HOME: path.join(rig.tmp, "pulumi-home"),
      NODE_OPTIONS: `--require ${LOOPBACK_ONLY}`,
      CERBY_HTTP_BASE_DELAY_MS: "5",
      OKTA_HTTP_BASE_DELAY_MS: "5",
      CERBY_HTTP_RETRIES: "2",
    });
  });

  after(async () => {
    hosts.stop();
    await rig.cerby.stop();
    await rig.okta.stop();
    for (const d of [rig.tmp, rig.project]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  beforeEach(() => {
    rig.cerby.server.clearLog();
    rig.okta.server.clearLog();
  });

  return rig;
}
