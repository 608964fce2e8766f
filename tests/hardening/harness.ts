/**
 * Shared rig of the hardening suites: both emulators, one Engine (one dynamic-provider plugin) per rig, short retry
 * timings, API-token or OAuth service-app credentials for Okta, and a record of every Cerby state change (to prove a
 * write is applied once however often it is retried). Also the registry of secrets and artifacts the secret-hygiene
 * suite scans, so the fault suite's error messages are scanned too.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { main } from "../../components/program";
import { CerbyEmulator, CerbySetting } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { EmulatorServer, RecordedRequest } from "../emulators/server";
import { freshSecret } from "../helpers/keys";
import { TestKeyPair, freshKeyPair } from "../okta/keys";
import { Engine, RunResult } from "../e2e/engine";

export const WORKSPACE = "acme";
export const RETRIES = 2;
// Each command runs on a fresh plugin process (as under the CLI); its first request also pays for loading the HTTP
// stack, which takes a few hundred ms on a busy 2-core machine. Shorter deadlines would time out before sending.
export const TIMEOUT_MS = 600;

/** Plugin (and, for the label lookup, program) timings: 3 attempts, 5 ms backoff, TIMEOUT_MS per request. */
export const HTTP_ENV: Record<string, string> = {
  CERBY_HTTP_BASE_DELAY_MS: "5",
  CERBY_HTTP_RETRIES: String(RETRIES),
  CERBY_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
  OKTA_HTTP_BASE_DELAY_MS: "5",
  OKTA_HTTP_RETRIES: String(RETRIES),
  OKTA_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
};

/** Everything secret-hygiene scans: secrets by name, and every text the runs produced. */
export const registry = {
  secrets: [] as Array<{ name: string; value: string }>,
  artifacts: [] as Array<{ source: string; text: string }>,
};

export function registerSecret(name: string, value: string): void {
  registry.secrets.push({ name, value });
}

export function registerArtifact(source: string, text: string): void {
  registry.artifacts.push({ source, text });
}

export type AuthKind = "ssws" | "oauth";

export interface Rig {
  auth: AuthKind;
  cerby: CerbyEmulator;
  okta: OktaEmulator;
  engine: Engine;
  dir: string;
  statePath: string;
  cerbyKey: string;
  oktaToken?: string;
  keys?: TestKeyPair;
  clientId?: string;
  appId: string;
  /** Every change of the Cerby setting made through the API (not through the test's setSetting). */
  applied: CerbySetting[];
  /** The secrets of this rig (also in the registry). */
  secrets: Array<{ name: string; value: string }>;
  /** Runs the program (label lookup when cerby:appInstanceId is not set). */
  program: () => Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface RigOptions {
  auth: AuthKind;
  /** Scopes granted to the OAuth service app (default read + manage). */
  scopes?: string[];
  /** Scopes requested (okta:scopes); default: the module's default for the mode. */
  requestScopes?: string;
  /**
   * Each command on a plugin process of its own, as under the CLI (see the driver's `pluginPerCommand`): for tests
   * that count the plugin's access-token requests per command. Default: one plugin for the rig's life.
   */
  pluginPerCommand?: boolean;
}

/** Starts both emulators and the plugin. The Okta app "Cerby" exists and is ENABLED; nothing is applied yet. */
export async function startRig(opts: RigOptions): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cerby-hardening-${opts.auth}-`));
  const statePath = path.join(dir, "state.json");
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  await cerby.start();
  const oktaUrl = await okta.start();
  // Faults are injected; the emulator's own rate limit must never be what a scenario measures.
  okta.rateLimit = { limit: 1_000_000, windowMs: 60_000 };
  okta.tokenRateLimit = { limit: 1_000_000, windowMs: 60_000 };
  cerby.oktaJwksUrl = `${oktaUrl}/oauth2/v1/keys`;
  cerby.addWorkspace(WORKSPACE);
  const secrets: Array<{ name: string; value: string }> = [];
  const reg = (name: string, value: string) => {
    secrets.push({ name, value });
    registerSecret(name, value);
  };
  const cerbyKey = freshSecret("cby_");
  cerby.addApiKey(WORKSPACE, cerbyKey, { role: "admin" });
  reg(`Cerby API key (${opts.auth} rig)`, cerbyKey);

  const applied: CerbySetting[] = [];
  const emu = cerby as unknown as { putSetting: (ws: { setting: CerbySetting }, ...rest: unknown[]) => unknown };
  const putSetting = emu.putSetting.bind(cerby);
  emu.putSetting = (ws, ...rest) => {
    const before = ws.setting;
    const out = putSetting(ws, ...rest);
    if (ws.setting !== before) applied.push({ ...ws.setting });
    return out;
  };

  const config: Record<string, string> = {
    "cerby:baseUrl": cerby.workspaceUrl(WORKSPACE),
    "cerby:oktaOrgUrl": oktaUrl,
    "cerby:apiKey": cerbyKey,
  };
  const secretKeys = ["cerby:apiKey"];
  let oktaToken: string | undefined;
  let keys: TestKeyPair | undefined;
  let clientId: string | undefined;
  if (opts.auth === "ssws") {
    oktaToken = freshSecret("00");
    okta.addApiToken(oktaToken);
    config["okta:apiToken"] = oktaToken;
    secretKeys.push("okta:apiToken");
    reg("Okta API token", oktaToken);
  } else {
    keys = await freshKeyPair("RS256");
    clientId = `0oa${freshSecret("")
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 17)
      .padEnd(17, "x")}`;
    okta.addServiceApp({
      clientId,
      publicJwk: keys.publicJwk,
      scopes: opts.scopes ?? ["okta.apps.read", "okta.apps.manage"],
    });
    config["okta:clientId"] = clientId;
    config["okta:privateKey"] = keys.pem;
    if (opts.requestScopes) config["okta:scopes"] = opts.requestScopes;
    secretKeys.push("okta:privateKey");
    reg("Okta private key (PEM)", keys.pem);
    reg("Okta private key (JWK)", keys.jwkText);
    const jwk = JSON.parse(keys.jwkText) as Record<string, string>;
    for (const m of ["d", "p", "q", "dp", "dq", "qi"]) if (jwk[m]) reg(`Okta private key (JWK ${m})`, jwk[m]);
  }
  const appId = okta.addApp({
    label: "Cerby",
    universalLogout: "ENABLED",
    gtrEndpoint: `${cerby.workspaceUrl(WORKSPACE)}/api/v1/universal-logout/okta/global-token-revocation`,
  }).id;
  const engine = new Engine({
    statePath,
    config,
    secretKeys,
    pluginEnv: { ...HTTP_ENV },
    pluginPerCommand: opts.pluginPerCommand ?? false,
  });
  await engine.start();
  return {
    auth: opts.auth,
    cerby,
    okta,
    engine,
    dir,
    statePath,
    cerbyKey,
    oktaToken,
    keys,
    clientId,
    appId,
    applied,
    secrets,
    program: checkedProgram,
    async stop() {
      await engine.stop();
      await cerby.stop();
      await okta.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The stack's program, as `pulumi up` runs it. It also awaits the App instance ID: under the real engine a failed label
 * lookup fails the program, but tests/e2e/engine.ts only sees registrations that reach its mocks, so a lookup failure
 * would otherwise be lost (and the driver would then delete the resources it did not see).
 */
export async function checkedProgram(): Promise<Record<string, unknown>> {
  const out = await main();
  if (out.appInstanceId !== undefined) {
    await (pulumi.output(out.appInstanceId) as unknown as { promise(): Promise<unknown> }).promise();
  }
  return out;
}

/** Sets OKTA_HTTP_* in this process for the program's label lookup; returns a function that restores them. */
export function useProgramHttpEnv(): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(HTTP_ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

export function errorsOf(r: RunResult): string {
  return r.errors.join("\n");
}

export function ops(r: RunResult): string[] {
  return r.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`);
}

/**
 * Writes that reached the vendor's handler and were answered with a 2xx, i.e. that the server accepted. Malformed and
 * truncated faults answer 200 without reaching the handler; a delayed one does reach it.
 */
export function acceptedWrites(server: EmulatorServer): RecordedRequest[] {
  return server
    .writes()
    .filter((r) => r.status >= 200 && r.status < 300 && (r.fault === undefined || r.fault === "delay"));
}

/** Waits until no request of `server` is still being answered (delayed faults), at most `ms`. */
export async function drain(server: EmulatorServer, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (server.requests.some((r) => r.status === 0 && r.fault !== "reset") && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Calls `fn` once, as soon as a request matching `pred` is in the log (used to expire a token mid-request). */
export function onRequest(server: EmulatorServer, pred: (r: RecordedRequest) => boolean, fn: () => void): () => void {
  const t = setInterval(() => {
    if (server.requests.some(pred)) {
      clearInterval(t);
      fn();
    }
  }, 2);
  return () => clearInterval(t);
}
