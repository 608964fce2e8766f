/**
 * Fault suite: for each side and each phase (check = the program's label lookup, read = refresh, create = first up,
 * update = up after a new App instance ID, delete = destroy), inject 5xx bursts shorter and longer than the retry
 * budget, connection resets, timeouts, malformed and truncated JSON, 429 storms with and without reset headers, and
 * (OAuth) an access token expiring mid-run and the token endpoint failing. Each scenario asserts:
 *  - the outcome: a burst inside the budget is absorbed; beyond it the run fails with an error that names the side
 *    ("Cerby:" / "Okta:"), the step ("could not enable Okta Universal Logout") and what happened;
 *  - the emulator's state is the old or the new one, never a mix (Cerby's enabled + App instance ID pair);
 *  - no write is applied twice (the Cerby setting changes at most once per scenario, retried PUTs are no-ops);
 *  - the next clean run converges with the minimum number of calls.
 * The table of scenarios → outcome is printed at the end of each file.
 *
 * The scenarios live here; faults-cerby, faults-okta and faults-okta-oauth (.test.ts) each run one side and credential
 * kind (one rig each), so `npm test` runs them in parallel.
 */
import { expect } from "chai";
import type { Fault, FaultMatch, RecordedRequest } from "../emulators/server";
import { freshAppId } from "../helpers/keys";
import { RunResult } from "../e2e/engine";
import { scan } from "./scan";
import {
  AuthKind,
  RETRIES,
  Rig,
  TIMEOUT_MS,
  WORKSPACE,
  acceptedWrites,
  drain,
  errorsOf,
  onRequest,
  ops,
  registerArtifact,
  registry,
  startRig,
  useProgramHttpEnv,
} from "./harness";

type Side = "Cerby" | "Okta";
type Phase = "check" | "read" | "create" | "update" | "delete" | "create (enforce)";

interface FaultDef {
  name: string;
  /** Absorbed by the retry budget (the run succeeds) or not (it fails clearly). */
  recovers: boolean;
  make(match: FaultMatch, side: Side): Fault[];
  /** What the error must say beyond side and step. */
  error?: RegExp[];
  /** OAuth only. */
  oauth?: boolean;
  /** Target the token endpoint instead of the phase's API call. */
  tokenEndpoint?: boolean;
  /** Expire every access token while the targeted request is in flight. */
  expireMidRun?: boolean;
  /** The answers carry a wait (`resetHeaders`): each next attempt must come at least `headerWaitMs` later. */
  waitsForHeaders?: boolean;
}

const ATTEMPTS = RETRIES + 1;
/** A delayed answer: past the client's timeout with a margin (it only has to be late, not very late). */
const SLOW_MS = TIMEOUT_MS + 100;
const rateBody = (side: Side) =>
  side === "Okta"
    ? { errorCode: "E0000047", errorSummary: "API call exceeded rate limit due to too many requests.", errorCauses: [] }
    : { errors: [{ code: "Too many requests", title: "Too many requests", detail: "Slow down.", status: 429 }] };
/**
 * "Reset headers": Okta's X-Rate-Limit-* and Cerby's Retry-After, with short windows (the scenarios test what happens
 * around the wait, not its length): Okta's reset is the current second (the client waits its 100 ms reset margin),
 * Cerby's Retry-After is 0.2 s (the client reads fractional seconds; tests/cerby/client.test.ts waits a whole one).
 */
const RETRY_AFTER_S = 0.2;
const OKTA_RESET_MARGIN_MS = 100;
const resetHeaders = (side: Side): Record<string, string> =>
  side === "Okta"
    ? {
        "x-rate-limit-limit": "600",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": String(Math.floor(Date.now() / 1000)),
      }
    : { "retry-after": String(RETRY_AFTER_S) };
/** The least time the client must leave after a throttled answer carrying `resetHeaders` before its next attempt. */
const headerWaitMs = (side: Side) => (side === "Okta" ? OKTA_RESET_MARGIN_MS : RETRY_AFTER_S * 1000);

const FAULTS: FaultDef[] = [
  { name: "5xx ×2 (< budget)", recovers: true, make: (m) => [{ ...m, kind: "status", status: 503, times: RETRIES }] },
  {
    name: "5xx storm (> budget)",
    recovers: false,
    make: (m) => [{ ...m, kind: "status", status: 503, times: 1000 }],
    error: [new RegExp(`HTTP 503 after ${ATTEMPTS} attempts`), /safe to repeat/],
  },
  { name: "reset ×2 (< budget)", recovers: true, make: (m) => [{ ...m, kind: "reset", times: RETRIES }] },
  {
    name: "resets (> budget)",
    recovers: false,
    make: (m) => [{ ...m, kind: "reset", times: 1000 }],
    error: [new RegExp(`no answer after ${ATTEMPTS} attempts`), /connection reset|socket hang up/, /safe to repeat/],
  },
  {
    name: "timeout ×1 (< budget)",
    recovers: true,
    make: (m) => [{ ...m, kind: "delay", ms: SLOW_MS, times: 1 }],
  },
  {
    name: "timeouts (> budget)",
    recovers: false,
    make: (m) => [{ ...m, kind: "delay", ms: SLOW_MS, times: 1000 }],
    error: [new RegExp(`no answer after ${ATTEMPTS} attempts`), /did not answer in time/],
  },
  { name: "malformed JSON ×2 (< budget)", recovers: true, make: (m) => [{ ...m, kind: "malformed", times: RETRIES }] },
  {
    name: "malformed JSON (> budget)",
    recovers: false,
    make: (m) => [{ ...m, kind: "malformed", times: 1000 }],
    error: [
      new RegExp(`HTTP 200 after ${ATTEMPTS} attempts`),
      /not valid JSON/,
      // A read says so; a write that got an unreadable answer may have landed, and says so too.
      /this step only read|whether the (PUT|POST) was applied is unknown; the next run converges from what is there/,
    ],
  },
  { name: "truncated JSON ×2 (< budget)", recovers: true, make: (m) => [{ ...m, kind: "truncated", times: RETRIES }] },
  {
    name: "truncated JSON (> budget)",
    recovers: false,
    make: (m) => [{ ...m, kind: "truncated", times: 1000 }],
    error: [new RegExp(`no answer after ${ATTEMPTS} attempts`), /connection reset|aborted/],
  },
  {
    name: "429 + reset header ×1 (< budget)",
    waitsForHeaders: true,
    recovers: true,
    make: (m, side) => [
      { ...m, kind: "status", status: 429, times: 1, headers: resetHeaders(side), body: rateBody(side) },
    ],
  },
  {
    name: "429 + reset header storm (> budget)",
    waitsForHeaders: true,
    recovers: false,
    make: (m, side) => [
      { ...m, kind: "status", status: 429, times: 1000, headers: resetHeaders(side), body: rateBody(side) },
    ],
    error: [new RegExp(`HTTP 429 after ${ATTEMPTS} attempts`), /rate-limit/],
  },
  {
    name: "429 no headers ×2 (< budget)",
    recovers: true,
    make: (m, side) => [{ ...m, kind: "status", status: 429, times: RETRIES, body: rateBody(side) }],
  },
  {
    name: "429 no headers storm (> budget)",
    recovers: false,
    make: (m, side) => [{ ...m, kind: "status", status: 429, times: 1000, body: rateBody(side) }],
    error: [new RegExp(`HTTP 429 after ${ATTEMPTS} attempts`), /rate-limit/, /safe to repeat/],
  },
];

const OAUTH_FAULTS: FaultDef[] = [
  {
    name: "access token expires mid-run",
    recovers: true,
    oauth: true,
    expireMidRun: true,
    make: (m) => [{ ...m, kind: "delay", ms: 60, times: 1 }],
  },
  {
    name: "token endpoint 503 ×2 (< budget)",
    recovers: true,
    oauth: true,
    tokenEndpoint: true,
    make: (m) => [{ ...m, kind: "status", status: 503, times: RETRIES }],
  },
  {
    name: "token endpoint 503 storm (> budget)",
    recovers: false,
    oauth: true,
    tokenEndpoint: true,
    make: (m) => [{ ...m, kind: "status", status: 503, times: 1000 }],
    error: [new RegExp(`HTTP 503 after ${ATTEMPTS} attempts`), /safe to repeat/],
  },
  {
    name: "token endpoint resets (> budget)",
    recovers: false,
    oauth: true,
    tokenEndpoint: true,
    make: (m) => [{ ...m, kind: "reset", times: 1000 }],
    error: [new RegExp(`no answer after ${ATTEMPTS} attempts`), /connection reset|socket hang up/],
  },
  {
    name: "token endpoint 400 invalid_client",
    recovers: false,
    oauth: true,
    tokenEndpoint: true,
    make: (m) => [
      {
        ...m,
        kind: "status",
        status: 400,
        times: 1000,
        body: { error: "invalid_client", error_description: "The client_assertion signature is invalid." },
      },
    ],
    error: [/HTTP 400 — invalid_client/, /okta:privateKey/],
  },
];

interface Row {
  side: Side;
  auth: AuthKind;
  phase: Phase;
  fault: string;
  outcome: string;
  message: string;
  followUp: string;
}

const rows: Row[] = [];

/** The step each phase's targeted call belongs to, as the user reads it in the error. */
function step(side: Side, phase: Phase, rig: Rig, appId: string, tokenEndpoint: boolean): string {
  if (tokenEndpoint) return "Okta: could not get an access token for the service app";
  if (side === "Cerby") {
    return {
      read: "Cerby: could not read the Universal Logout setting",
      create: "Cerby: could not enable Okta Universal Logout",
      update: "Cerby: could not enable Okta Universal Logout",
      delete: "Cerby: could not disable Okta Universal Logout",
    }[phase as "read"]!;
  }
  return {
    check: 'Okta: could not list the apps matching "Cerby"',
    read: `Okta: could not read the app ${appId}`,
    // The program reads the app (and confirms the given ID) before any write; the provider then uses what it read.
    create: `Okta: could not read the app ${appId}`,
    update: `Okta: could not read the app ${appId}`,
    "create (enforce)": "Okta: could not configure Universal Logout by Express Configuration",
  }[phase as "read"]!;
}

/** The request a scenario's fault targets. */
function target(side: Side, phase: Phase, rig: Rig, appId: string): FaultMatch {
  const ul = `/ws/${WORKSPACE}${rig.cerby.settingsPath}/universal-logout`;
  if (side === "Cerby") return { method: phase === "read" ? "GET" : "PUT", pathPrefix: ul };
  switch (phase) {
    case "check":
      return { method: "GET", pathPrefix: "/api/v1/apps" };
    case "create (enforce)":
      return { method: "POST", pathPrefix: `/api/v1/apps/${appId}/express-configure` };
    default:
      return { method: "GET", pathPrefix: `/api/v1/apps/${appId}` };
  }
}

/** Writes to the Management API (a token request is a POST, but changes nothing). */
const apiWrites = (rs: RecordedRequest[]) => rs.filter((r) => r.path !== "/oauth2/v1/token");

/**
 * The OAuth rig starts a plugin process per command, as the CLI does, unless a command says `samePlugin`. Setup commands
 * (bringing the stack to a phase's starting point) run on the plugin process already running: no assertion reads
 * their requests.
 */
const SETUP = { samePlugin: true };

/**
 * A scenario's run and its follow-up: a plugin process of their own where the plugin calls Okta — a refresh reads the
 * app, enforce mode configures it — so that the plugin starts with no access token, as under the CLI, and the token
 * requests counted are that command's own. Elsewhere only the program calls Okta (verify mode: the provider uses the
 * app the program read; Okta has no call that turns Universal Logout off), and the command shares the running plugin,
 * saving a process start (~1 s of CPU): should the plugin call Okta there after all, the scenario's exact count of
 * Okta calls fails.
 */
const measured = (phase: Phase) => ({ samePlugin: phase !== "read" && phase !== "create (enforce)" });

type Pair = { enabled: boolean; appInstanceId: string | null };
const pair = (s: Pair): Pair => ({ enabled: s.enabled, appInstanceId: s.appInstanceId });

function describeSide(side: Side, auth: AuthKind, phases: Phase[], faults: FaultDef[]) {
  describe(`${side} side (${auth === "ssws" ? "API token" : "OAuth service app"}): faults in every phase`, function () {
    this.timeout(30000);
    let rig: Rig;
    let restoreEnv: () => void;
    const ok = (r: RunResult, what: string) => {
      expect(r.errors, `${what}: ${errorsOf(r)}`).to.deep.equal([]);
      return r;
    };

    before(async () => {
      restoreEnv = useProgramHttpEnv();
      // OAuth: access tokens are counted per command, so commands get plugin processes of their own (`measured`).
      rig = await startRig({ auth, pluginPerCommand: auth === "oauth" });
      rig.engine.opts.config["cerby:appInstanceId"] = rig.appId;
      ok(await rig.engine.up(rig.program), "initial up");
    });
    after(async () => {
      registerArtifact(`fault suite (${side}, ${auth}): state file`, JSON.stringify(rig.engine.readState()));
      registerArtifact(`fault suite (${side}, ${auth}): plugin stderr`, rig.engine.pluginStderr.join(""));
      registerArtifact(`fault suite (${side}, ${auth}): plugin stdout`, rig.engine.pluginStdout.join(""));
      registerArtifact(
        `fault suite (${side}, ${auth}): request logs`,
        JSON.stringify([rig.cerby.server.requests, rig.okta.server.requests]),
      );
      await rig.stop();
      restoreEnv();
    });

    const cfg = () => rig.engine.opts.config;
    const reset = () => {
      rig.cerby.server.clearFaults();
      rig.okta.server.clearFaults();
      rig.cerby.server.clearLog();
      rig.okta.server.clearLog();
      rig.applied.length = 0;
    };

    /** Brings the stack and the emulators to the phase's starting point; returns the old and the desired state. */
    async function prepare(phase: Phase): Promise<{ old: Pair; want: Pair; appId: string }> {
      reset();
      cfg()["cerby:oktaMode"] = "verify";
      if (phase === "create" || phase === "create (enforce)") {
        ok(await rig.engine.destroy(SETUP), "destroy before create");
        if (phase === "create (enforce)") {
          rig.okta.setUniversalLogout(rig.appId, "DISABLED");
          cfg()["cerby:oktaMode"] = "enforce";
        }
      } else {
        ok(await rig.engine.up(rig.program, SETUP), "up before the scenario");
      }
      if (phase === "update") {
        // The Cerby app was re-created in Okta: a new App instance ID.
        rig.okta.removeApp(rig.appId);
        rig.appId = rig.okta.addApp({ id: freshAppId(), label: "Cerby", universalLogout: "ENABLED" }).id;
        cfg()["cerby:appInstanceId"] = rig.appId;
      }
      if (phase === "check") delete cfg()["cerby:appInstanceId"];
      else cfg()["cerby:appInstanceId"] = rig.appId;
      const old = pair(rig.cerby.getSetting(WORKSPACE));
      const want: Pair =
        phase === "delete" ? { enabled: false, appInstanceId: null } : { enabled: true, appInstanceId: rig.appId };
      reset();
      return { old, want, appId: rig.appId };
    }

    const run = (phase: Phase) =>
      phase === "read"
        ? rig.engine.refresh(measured(phase))
        : phase === "delete"
          ? rig.engine.destroy(measured(phase))
          : rig.engine.up(rig.program, measured(phase));

    for (const phase of phases) {
      for (const f of faults) {
        it(`${phase}: ${f.name}`, async () => {
          const { old, want, appId } = await prepare(phase);
          const match: FaultMatch = f.tokenEndpoint
            ? { method: "POST", pathPrefix: "/oauth2/v1/token" }
            : target(side, phase, rig, appId);
          for (const fault of f.make(match, side)) (side === "Cerby" ? rig.cerby : rig.okta).server.inject(fault);
          const stopWatch = f.expireMidRun
            ? onRequest(
                rig.okta.server,
                (r) => r.fault === "delay" && r.path.startsWith(match.pathPrefix!),
                () => rig.okta.expireAllAccessTokens(),
              )
            : () => undefined;

          const result = await run(phase);
          stopWatch();
          await drain(rig.cerby.server);
          await drain(rig.okta.server);
          rig.cerby.server.clearFaults();
          rig.okta.server.clearFaults();
          const text = errorsOf(result);
          registerArtifact(`fault suite: ${side} ${auth} ${phase} ${f.name}: errors`, text);

          // 1. Outcome and the user-facing error.
          if (f.recovers) {
            expect(result.errors, text).to.deep.equal([]);
          } else {
            expect(result.errors, "the run should fail").not.to.deep.equal([]);
            expect(text).to.contain(step(side, phase, rig, appId, !!f.tokenEndpoint));
            for (const re of f.error ?? []) expect(text).to.match(re);
            expect(text).not.to.match(/\n\s+at /, "no stack trace in the user-facing error");
          }

          // The client waited as the headers said: measured on the emulator's clock, between a throttled answer and
          // the next attempt at the same call.
          if (f.waitsForHeaders) {
            const server = (side === "Cerby" ? rig.cerby : rig.okta).server;
            const attempts = server.requests.filter(
              (r) => r.method === match.method && r.path.startsWith(match.pathPrefix!),
            );
            const throttled = attempts.filter((r) => r.status === 429);
            expect(throttled.length, "throttled attempts").to.be.at.least(1);
            for (const [i, r] of attempts.entries()) {
              if (r.status !== 429 || i + 1 >= attempts.length) continue;
              const gap = attempts[i + 1].at - r.at;
              expect(gap, `ms between a 429 and the next attempt`).to.be.at.least(headerWaitMs(side));
            }
          }

          // 2. Old or new, never a mix.
          const now = pair(rig.cerby.getSetting(WORKSPACE));
          expect([old, want], `Cerby is ${JSON.stringify(now)}`).to.deep.include(now);
          if (f.recovers && phase !== "read" && phase !== "check") expect(now).to.deep.equal(want);
          if (phase !== "create (enforce)") {
            expect(apiWrites(rig.okta.server.writes()), "verify mode never writes to Okta").to.have.length(0);
          } else {
            expect(["DISABLED", "ENABLED"]).to.include(rig.okta.getApp(appId).universalLogout);
          }

          // 3. No write applied twice: the setting changed at most once, and only if it had to.
          const changedOld = JSON.stringify(old) !== JSON.stringify(want);
          expect(rig.applied.length, JSON.stringify(rig.applied)).to.be.at.most(changedOld ? 1 : 0);
          if (f.recovers && changedOld && phase !== "read" && phase !== "check") expect(rig.applied).to.have.length(1);
          // A PUT is re-sent only when the previous attempt got no usable answer; one the client saw succeed never is.
          const accepted = acceptedWrites(rig.cerby.server);
          const timedOut = accepted.filter((r) => r.fault === "delay").length;
          expect(accepted.length - timedOut).to.be.at.most(1);
          const oktaAccepted = apiWrites(acceptedWrites(rig.okta.server));
          expect(oktaAccepted.length - oktaAccepted.filter((r) => r.fault === "delay").length).to.be.at.most(1);
          const appliedInRun = rig.applied.length;
          if (f.expireMidRun) {
            // The expired token is answered 401 once; one new token is fetched and the call is repeated. The program
            // and the plugin are two processes, each with its own token: only the program calls Okta in check, only the
            // plugin in read, both in create/update.
            // The plugin calls Okta in create/update only to enforce: verify uses the app the program read.
            const processes = 1;
            expect(rig.okta.server.requests.filter((r) => r.status === 401)).to.have.length(1);
            expect(rig.okta.tokenRequests, "token requests in the run").to.equal(processes + 1);
          }

          // 4. The next clean run converges with the minimum calls.
          const oktaEnabledBefore = rig.okta.getApp(appId).universalLogout === "ENABLED";
          const stateNames = rig.engine.readState().resources.map((r) => r.name);
          const cerbyState = rig.engine.readState().resources.find((r) => r.name === "cerby-cerby");
          // Cerby's step is done when state already records the wanted setting (a failure in the program's Okta read
          // or in the Okta step after Cerby leaves it done or untouched; the state says which).
          const cerbyDone =
            cerbyState !== undefined &&
            cerbyState.outputs.enabled === want.enabled &&
            cerbyState.outputs.appInstanceId === want.appInstanceId;
          reset();
          let expected: { cerby: number; okta: number };
          // Okta access tokens: one per process that calls Okta (the program's lookup, the plugin's provider).
          let expectedTokens: number;
          let follow: RunResult;
          if (phase === "read") {
            follow = ok(await rig.engine.refresh(measured(phase)), "follow-up refresh");
            // The app, which carries its Universal Logout status and its features (provisioning): one read.
            expected = { cerby: 1, okta: 1 };
            expectedTokens = 1;
          } else if (phase === "delete") {
            follow = ok(await rig.engine.destroy(measured(phase)), "follow-up destroy");
            const cerbyLeft = stateNames.includes("cerby-cerby");
            // One idempotent PUT per workspace still in state (no read first).
            expected = { cerby: cerbyLeft ? 1 : 0, okta: 0 };
            expectedTokens = 0;
          } else {
            follow = ok(await rig.engine.up(rig.program, measured(phase)), "follow-up up");
            // The IdP-settings read, then one idempotent PUT (it changes nothing when the lost answer's PUT had landed).
            const cerbyCalls = cerbyDone ? 0 : 2;
            // The program reads the Okta app once per run: confirming the given ID, or (check: the label lookup) one
            // list page. A label lookup's pick is read by its ID by the Cerby provider, only right before it writes.
            const programOkta = 1;
            const confirmOkta = phase === "check" && cerbyCalls > 0 ? 1 : 0;
            let providerOkta = 0;
            if (phase !== "check" && result.errors.length) {
              // verify: none (the provider uses the app the program read); enforce: Express Configuration + a re-read.
              providerOkta = phase === "create (enforce)" && !oktaEnabledBefore ? 2 : 0;
            }
            expected = { cerby: cerbyCalls, okta: programOkta + providerOkta + confirmOkta };
            expectedTokens = 1 + (providerOkta + confirmOkta > 0 ? 1 : 0);
            if (!result.errors.length && phase !== "check") {
              expect(ops(follow)).to.deep.equal(["same cerby-cerby", "same cerby-okta"]);
            }
          }
          const tokens = rig.okta.tokenRequests;
          const counted = { cerby: rig.cerby.server.count(), okta: rig.okta.server.count() - tokens };
          expect(counted, `follow-up calls (ops: ${ops(follow).join(", ")})`).to.deep.equal(expected);
          if (rig.auth === "oauth")
            expect(tokens, "one access token per process that calls Okta").to.equal(expectedTokens);
          // Every write of the follow-up is the one PUT of its step (refresh writes nothing).
          expect(acceptedWrites(rig.cerby.server).length).to.equal(phase !== "read" && expected.cerby > 0 ? 1 : 0);
          expect(appliedInRun + rig.applied.length, "the setting changed exactly once overall").to.equal(
            changedOld ? 1 : 0,
          );
          const final = pair(rig.cerby.getSetting(WORKSPACE));
          if (phase !== "read" && phase !== "check") expect(final).to.deep.equal(want);
          if (phase === "create (enforce)") expect(rig.okta.getApp(appId).universalLogout).to.equal("ENABLED");
          if (phase === "read") ok(await rig.engine.up(rig.program, SETUP), "up after the follow-up refresh");

          const raw = result.errors[0] ?? "";
          const first = raw.slice(Math.max(0, raw.search(/(Cerby|Okta): could not/)));
          rows.push({
            side,
            auth,
            phase,
            fault: f.name,
            outcome: result.errors.length ? "failed clearly" : "absorbed",
            message: first ? first.slice(0, 110) + (first.length > 110 ? "…" : "") : "—",
            followUp: `${expected.cerby} Cerby + ${expected.okta} Okta${rig.auth === "oauth" && expected.okta ? " + 1 token" : ""}`,
          });
        });
      }
    }

    if (phases.includes("create")) {
      it(`${side === "Cerby" ? "check" : "delete"}: makes no ${side} request, so no ${side} fault can affect it`, async () => {
        await prepare(side === "Cerby" ? "create" : "read");
        const server = side === "Cerby" ? rig.cerby.server : rig.okta.server;
        server.inject({ kind: "status", status: 503, times: 1000 });
        server.inject({ kind: "reset", times: 1000 });
        const r =
          side === "Cerby"
            ? await rig.engine.up(rig.program, { preview: true })
            : await rig.engine.destroy(measured("delete"));
        server.clearFaults();
        expect(r.errors, errorsOf(r)).to.deep.equal([]);
        expect(server.count(), `${side} requests`).to.equal(0);
        rows.push({
          side,
          auth,
          phase: side === "Cerby" ? "check" : "delete",
          fault: "every request fails",
          outcome: "unaffected (no call)",
          message: "—",
          followUp: "—",
        });
      });
    }
  });
}

/** Which side, credential kind and phases a fault-suite file runs. */
export const FAULT_SUITES = {
  cerby: () => describeSide("Cerby", "ssws", ["read", "create", "update", "delete"], FAULTS),
  okta: () => describeSide("Okta", "ssws", ["check", "read", "create", "update", "create (enforce)"], FAULTS),
  oktaOAuth: () => describeSide("Okta", "oauth", ["check", "read", "create", "update"], OAUTH_FAULTS),
};

/** The fault suite for one side and credential kind, its secret scan and its table. */
export function describeFaultSuite(suite: keyof typeof FAULT_SUITES): void {
  describe("hardening: fault suite", function () {
    FAULT_SUITES[suite]();

    // secret-hygiene.test.ts scans these too when it runs after this file in the same process; `npm test` runs files in
    // parallel worker processes, so the fault suite scans what it recorded itself.
    describe("what the fault suite recorded", () => {
      it("(errors, states, plugin output, request logs) holds none of its secrets", () => {
        expect(registry.artifacts.filter((a) => a.source.startsWith("fault suite")).length).to.be.greaterThan(0);
        expect(scan(registry.artifacts, registry.secrets)).to.deep.equal([]);
      });
    });

    after(() => {
      const head: Array<keyof Row> = ["side", "auth", "phase", "fault", "outcome", "followUp", "message"];
      const titles: Record<keyof Row, string> = {
        side: "side",
        auth: "auth",
        phase: "phase",
        fault: "fault",
        outcome: "outcome",
        followUp: "next run's calls",
        message: "user-facing error",
      };
      const widths = head.map((h) => Math.max(titles[h].length, ...rows.map((r) => r[h].length)));
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i]))
          .join(" | ")
          .trimEnd();
      console.log(
        [
          "",
          `Fault suite: ${rows.length} scenarios`,
          line(head.map((h) => titles[h])),
          line(widths.map((w) => "-".repeat(w))),
          ...rows.map((r) => line(head.map((h) => r[h]))),
          "",
        ].join("\n"),
      );
    });
  });
}
