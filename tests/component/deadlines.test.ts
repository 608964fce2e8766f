/**
 * Every step has a deadline (components/lifecycle.ts): each provider method and each lookup of the program ends at
 * cerby:operationTimeoutSeconds / cerby:oktaOperationTimeoutSeconds (60 s by default) with a message that says which
 * requests were made and what they changed; a Retry-After that would outlast the deadline is not begun. In enforce and
 * wait mode the wait for ENABLED comes on top. (Cancellation by the engine is tested through the plugin process, in
 * tests/provider/dynamic-provider.test.ts: it stops a whole process.)
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { cerbyUniversalLogoutProvider as cerby } from "../../components/cerby/provider";
import { OktaUniversalLogoutInputs, checkOktaInputs } from "../../components/okta/inputs";
import { oktaUniversalLogoutProvider as okta } from "../../components/okta/provider";
import { providerSettings, setProviderSettings } from "../../components/settings";
import { StepRequest, noteRequest, runStep, stepSleep } from "../../components/lifecycle";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { rejection } from "../helpers/errors";
import { freshSecret } from "../helpers/keys";
import { Registered, configOf, installMocks, settle } from "../helpers/serialize";

const UL_PATH = "/api/v1/settings/idp/universal-logout";

/** Runs `p`, returning its rejection and how long it took. */
async function timed(p: Promise<unknown>): Promise<{ e: Error; ms: number }> {
  const t0 = Date.now();
  const e = await rejection(p);
  return { e, ms: Date.now() - t0 };
}

describe("deadlines: every step ends in time and says what it did", function () {
  this.timeout(30_000);
  const cerbyEmu = new CerbyEmulator();
  const oktaEmu = new OktaEmulator();
  const cerbyKey = freshSecret("cby_");
  const oktaToken = freshSecret("00");
  // The providers' settings are process-wide: put back whatever another test file configured.
  const saved = { cerby: providerSettings("cerby"), okta: providerSettings("okta") };
  let ws = "";

  before(async () => {
    await cerbyEmu.start();
    cerbyEmu.addWorkspace("acme");
    cerbyEmu.addApiKey("acme", cerbyKey, { role: "admin" });
    ws = cerbyEmu.workspaceUrl("acme");
    await oktaEmu.start();
    oktaEmu.addApiToken(oktaToken);
    process.env.CERBY_HTTP_BASE_DELAY_MS = "5";
    process.env.OKTA_HTTP_BASE_DELAY_MS = "5";
  });
  after(async () => {
    delete process.env.CERBY_HTTP_BASE_DELAY_MS;
    delete process.env.OKTA_HTTP_BASE_DELAY_MS;
    setProviderSettings("cerby", saved.cerby);
    setProviderSettings("okta", saved.okta);
    await cerbyEmu.stop();
    await oktaEmu.stop();
  });
  beforeEach(() => {
    cerbyEmu.server.clearFaults();
    cerbyEmu.server.clearLog();
    oktaEmu.server.clearFaults();
    oktaEmu.server.clearLog();
  });

  const configureCerby = (extra: Record<string, string> = {}) =>
    cerby.configure(configOf({ "cerby:apiKey": cerbyKey, ...extra }));
  const configureOkta = (extra: Record<string, string> = {}) =>
    okta.configure(configOf({ "okta:apiToken": oktaToken, ...extra }));
  const cerbyProps = () => ({ baseUrl: ws, mode: "api", url: ws, enabled: true, warnings: [] }) as never;

  describe("Cerby (cerby:operationTimeoutSeconds)", () => {
    it("a Retry-After longer than what is left of the step is not waited for: the step stops at once, saying so", async () => {
      await configureCerby({ "cerby:operationTimeoutSeconds": "5" });
      cerbyEmu.server.inject({
        kind: "status",
        status: 503,
        times: 1,
        method: "PUT",
        headers: { "Retry-After": "30" },
      });
      const { e, ms } = await timed(cerby.delete("id", cerbyProps()));
      expect(ms).to.be.below(2000);
      expect(e.name).to.equal("StepStopped");
      expect(e.message).to.match(
        /^Cerby: stopped trying to turn off Universal Logout in Cerby \(delete\) while waiting 30 s that Cerby asked for \(Retry-After\) before retrying PUT \/api\/v1\/settings\/idp\/universal-logout: that wait is longer than the [45] s left before its deadline of 5 s \(cerby:operationTimeoutSeconds\)\./,
      );
      expect(e.message).to.contain(`Done: PUT ${UL_PATH} → 503.`);
      expect(e.message).to.contain(`Of the writes: PUT ${UL_PATH} was refused (HTTP 503) and changed nothing.`);
      expect(e.message).to.contain("If Cerby is only slow, raise cerby:operationTimeoutSeconds.");
      expect(cerbyEmu.server.count({ method: "PUT" })).to.equal(1);
    });

    it("the default deadline is a minute: a Retry-After of 65 s (within the longest server wait) is not begun", async () => {
      await configureCerby();
      cerbyEmu.server.inject({
        kind: "status",
        status: 503,
        times: 1,
        method: "PUT",
        headers: { "Retry-After": "65" },
      });
      const { e, ms } = await timed(cerby.delete("id", cerbyProps()));
      expect(ms).to.be.below(2000);
      expect(e.message).to.match(/left before its deadline of 60 s \(cerby:operationTimeoutSeconds\)/);
    });

    it("a vendor that answers too slowly is cut off at the deadline, not after every attempt's own timeout", async () => {
      await configureCerby({ "cerby:operationTimeoutSeconds": "1" });
      cerbyEmu.server.inject({ kind: "delay", ms: 5000, times: 5, method: "GET" });
      const { e, ms } = await timed(cerby.read(`${ws}#okta-universal-logout`, cerbyProps()));
      expect(ms).to.be.within(900, 2500);
      expect(e.message).to.match(
        /^Cerby: stopped trying to read the Cerby setting while waiting for the answer to GET /,
      );
      expect(e.message).to.contain(": its deadline of 1 s passed (cerby:operationTimeoutSeconds).");
      expect(e.message).to.contain(`→ no answer.`);
      expect(e.message).to.contain("Nothing was written to Cerby.");
    });

    it("a bad value is a check failure naming the key, before any request", async () => {
      await configureCerby({ "cerby:operationTimeoutSeconds": "0" });
      const r = await cerby.check({}, { baseUrl: ws, appInstanceId: "0oa6a9uwbalsZ4enC0x7" });
      expect(r.failures).to.deep.include({
        property: "operationTimeoutSeconds",
        reason: 'cerby:operationTimeoutSeconds "0" is not a whole number of seconds from 1 to 3600 (default 60)',
      });
      expect(cerbyEmu.server.requests).to.have.length(0);
    });
  });

  describe("Okta (cerby:oktaOperationTimeoutSeconds, cerby:oktaHttpTimeoutMs, cerby:oktaHttpRetries)", () => {
    const inputsFor = (appId: string, over: Record<string, unknown> = {}): OktaUniversalLogoutInputs => {
      const { inputs, failures } = checkOktaInputs({ orgUrl: oktaEmu.baseUrl, appInstanceId: appId, ...over });
      expect(failures).to.deep.equal([]);
      return inputs;
    };

    it("a slow read is cut off at the step's deadline", async () => {
      await configureOkta({ "cerby:oktaOperationTimeoutSeconds": "1" });
      const app = oktaEmu.addApp({ universalLogout: "ENABLED" });
      oktaEmu.server.inject({ kind: "delay", ms: 5000, times: 5, method: "GET" });
      const { e, ms } = await timed(okta.read(`${oktaEmu.baseUrl}/api/v1/apps/${app.id}#universal-logout`));
      expect(ms).to.be.within(900, 2500);
      expect(e.message).to.match(/^Okta: stopped trying to read the Okta app while waiting for the answer to GET /);
      expect(e.message).to.contain("its deadline of 1 s passed (cerby:oktaOperationTimeoutSeconds)");
      expect(e.message).to.contain("Nothing was written to Okta.");
    });

    it("takes its request timeout and retries from stack config: one attempt of 300 ms, then the error", async () => {
      await configureOkta({ "cerby:oktaHttpTimeoutMs": "300", "cerby:oktaHttpRetries": "0" });
      const app = oktaEmu.addApp({ universalLogout: "ENABLED" });
      oktaEmu.server.inject({ kind: "delay", ms: 3000, times: 5, method: "GET" });
      const { e, ms } = await timed(okta.read(`${oktaEmu.baseUrl}/api/v1/apps/${app.id}#universal-logout`));
      expect(ms).to.be.below(1500);
      expect(e.message).to.contain("within the 300 ms deadline per attempt");
      expect(oktaEmu.server.count({ method: "GET" })).to.equal(1);
    });

    it("in wait mode the step lasts cerby:oktaWaitTimeoutSeconds on top: the wait's own timeout speaks, not the deadline", async () => {
      await configureOkta({ "cerby:oktaOperationTimeoutSeconds": "1" });
      const app = oktaEmu.addApp({ universalLogout: "DISABLED" });
      const inputs = inputsFor(app.id, { mode: "wait", waitTimeoutSeconds: 2, pollIntervalSeconds: 1 });
      const { e, ms } = await timed(okta.create(inputs));
      expect(ms).to.be.within(1900, 4000);
      expect(e.message).to.contain("is still DISABLED");
      expect(e.message).to.contain("after waiting 2 s");
      expect(e.message).not.to.contain("deadline");
    });
  });

  describe("what a stopped step says it did", () => {
    const stopped = (requests: StepRequest[]) =>
      rejection(
        runStep({ side: "Okta", doing: "do it", timeoutSeconds: 1, timeoutSetting: "cerby:key" }, async () => {
          for (const r of requests) noteRequest(r);
          await stepSleep(5000, "waiting");
        }),
      );
    const get = (status?: number) => ({ method: "GET", path: "/api/v1/apps/a", status, write: false });

    it("reads and token requests are listed (repeats counted), and are not writes", async () => {
      const token = { method: "POST", path: "/oauth2/v1/token", status: 200, write: false };
      const e = await stopped([token, get(200), get(200), get(200), get()]);
      expect(e.message).to.equal(
        "Okta: stopped trying to do it while waiting: its deadline of 1 s passed (cerby:key). Done: POST " +
          "/oauth2/v1/token → 200; GET /api/v1/apps/a → 200 (×3); GET /api/v1/apps/a → no answer. Nothing was " +
          "written to Okta. Pulumi records this step as not done; the next run converges from what is there. If " +
          "Okta is only slow, raise cerby:key.",
      );
    });

    it("each write is applied, refused, or unknown (no answer)", async () => {
      const write = (path: string, status?: number) => ({ method: "POST", path, status, write: true });
      const e = await stopped([write("/a", 204), write("/b", 503), write("/c")]);
      expect(e.message).to.contain(
        "Of the writes: POST /a was applied; POST /b was refused (HTTP 503) and changed nothing; whether POST /c " +
          "was applied is unknown (no answer came).",
      );
    });
  });

  describe("the program's lookups (cerby:oktaOperationTimeoutSeconds)", () => {
    const registered: Registered[] = [];
    let savedConfig: string | undefined;
    before(() => {
      savedConfig = process.env.PULUMI_CONFIG;
      installMocks(registered, (r) => ({ ...r.inputs }));
    });
    after(() => {
      if (savedConfig === undefined) delete process.env.PULUMI_CONFIG;
      else process.env.PULUMI_CONFIG = savedConfig;
    });

    it("a lookup that Okta does not answer in time fails the program at the deadline, naming the key", async () => {
      pulumi.runtime.setConfig("cerby:oktaOperationTimeoutSeconds", "1");
      oktaEmu.server.inject({ kind: "delay", ms: 5000, times: 10, method: "GET" });
      const mod = await import("../../components/universal-logout");
      const t0 = Date.now();
      const c = new mod.CerbyOktaUniversalLogout("slow", {
        cerby: { workspace: "acme" },
        okta: { orgUrl: oktaEmu.baseUrl },
        oktaCredentials: () => ({ kind: "ssws" as const, apiToken: oktaToken }),
        appLabel: "Cerby",
      });
      const e = await rejection((c.appInstanceId as unknown as { promise(): Promise<string> }).promise());
      await settle();
      expect(Date.now() - t0).to.be.within(900, 3000);
      expect(e.message).to.match(/Okta: stopped trying to look up the Cerby app labelled "Cerby" in /);
      expect(e.message).to.contain("its deadline of 1 s passed (cerby:oktaOperationTimeoutSeconds)");
    });
  });
});
