/**
 * End to end, without the Pulumi CLI: the real program, run under mocks, driving Pulumi's real dynamic-provider plugin
 * over gRPC against both emulators, with a state file kept between runs (see ./engine.ts).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../components/program";
import { CerbyEmulator, GTR_PATH } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { freshSecret } from "../helpers/keys";
import { Engine, RunResult } from "./engine";

describe("end to end through the dynamic-provider plugin", function () {
  this.timeout(60000);
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const cerbyKey = freshSecret("cby_");
  const oktaToken = freshSecret("00");
  const user = "ada@example.com";
  let dir: string;
  let engine: Engine;
  let appId: string;
  const logs: string[] = [];

  const program = () => main();
  const gtrEndpoint = () => `${cerby.workspaceUrl("acme")}${GTR_PATH}`;
  const ok = (r: RunResult) => {
    logs.push(JSON.stringify(r));
    expect(r.errors, r.errors.join("\n")).to.deep.equal([]);
    return r;
  };
  const ops = (r: RunResult) => r.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`);
  const writes = () => [...cerby.server.writes(), ...okta.server.writes()];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-e2e-"));
    await cerby.start();
    const oktaUrl = await okta.start();
    cerby.oktaJwksUrl = `${oktaUrl}/oauth2/v1/keys`;
    cerby.addWorkspace("acme");
    cerby.addApiKey("acme", cerbyKey, { role: "admin" });
    cerby.addUser("acme", user, { provisionedBy: "scim" });
    okta.addApiToken(oktaToken);
    appId = okta.addApp({ label: "Cerby", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() }).id;
    engine = new Engine({
      statePath: path.join(dir, "state.json"),
      config: {
        "cerby:baseUrl": cerby.workspaceUrl("acme"),
        "cerby:oktaOrgUrl": oktaUrl,
        "cerby:apiKey": cerbyKey,
        "okta:apiToken": oktaToken,
      },
      secretKeys: ["cerby:apiKey", "okta:apiToken"],
      pluginEnv: { CERBY_HTTP_BASE_DELAY_MS: "5", OKTA_HTTP_BASE_DELAY_MS: "5", CERBY_HTTP_RETRIES: "2" },
    });
    await engine.start();
  });

  after(async () => {
    await engine.stop();
    await cerby.stop();
    await okta.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    cerby.server.clearLog();
    okta.server.clearLog();
  });

  it("7a. before `up`, an Okta-initiated logout does not reach Cerby (the user stays logged in)", async () => {
    cerby.login("acme", user);
    const sent = await okta.triggerUniversalLogout(appId, user);
    expect(sent).to.include({ sent: true, status: 401 });
    expect(cerby.activeSessions("acme", user)).to.equal(1);
  });

  it("1. `up` from nothing enables Cerby with the resolved App instance ID and verifies Okta", async () => {
    const r = ok(await engine.up(program));
    expect(ops(r)).to.deep.equal(["create cerby-cerby", "create cerby-okta"]);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    expect(r.outputs).to.include({ appInstanceId: appId, cerbyEnabled: true, oktaUniversalLogoutStatus: "ENABLED" });
    expect(r.outputs.oktaAdminUrl).to.contain(`/instance/${appId}/`);
    expect(r.outputs.summary).to.contain(appId).and.to.contain("enabled");
    expect(okta.server.writes()).to.have.length(0);
  });

  it("7b. after `up`, an Okta-initiated logout logs the user out of Cerby (Global Token Revocation)", async () => {
    expect(cerby.activeSessions("acme", user)).to.equal(1);
    const sent = await okta.triggerUniversalLogout(appId, user);
    expect(sent).to.include({ sent: true, status: 204 });
    expect(cerby.activeSessions("acme", user)).to.equal(0);
  });

  it("2. `up` again makes zero writes and reports no changes", async () => {
    const r = ok(await engine.up(program));
    expect(ops(r)).to.deep.equal(["same cerby-cerby", "same cerby-okta"]);
    expect(writes()).to.have.length(0);
    // No provider call reads either side on a converged `up`: diff works from state.
    expect(cerby.server.count()).to.equal(0);
  });

  it("3a. drift in Cerby (disabled in the web app) shows on refresh/preview and `up` repairs it", async () => {
    cerby.setSetting("acme", { enabled: false });
    const refreshed = ok(await engine.refresh({ previewOnly: true }));
    const cerbyStep = refreshed.steps.find((s) => s.urn.endsWith("cerby-cerby"))!;
    expect(cerbyStep.changed).to.include.members(["enabled", "appInstanceId"]);
    const preview = ok(await engine.up(program, { preview: true, refresh: true }));
    expect(ops(preview)).to.include("update cerby-cerby");
    expect(writes()).to.have.length(0);
    const r = ok(await engine.up(program, { refresh: true }));
    expect(ops(r)).to.include("update cerby-cerby");
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
  });

  it("3b. drift in Okta (box unticked) shows on refresh, and `up` in verify mode fails with the console steps", async () => {
    okta.setUniversalLogout(appId, "DISABLED");
    const refreshed = ok(await engine.refresh({ previewOnly: true }));
    expect(refreshed.steps.find((s) => s.urn.endsWith("cerby-okta"))!.changed).to.include("status");
    const r = await engine.up(program, { refresh: true });
    expect(r.errors.join("\n")).to.contain("Okta system or admin initiates logout");
    expect(r.errors.join("\n")).to.contain(`/instance/${appId}/`);
    expect(okta.server.writes()).to.have.length(0);
    okta.setUniversalLogout(appId, "ENABLED");
    ok(await engine.up(program, { refresh: true }));
  });

  it("4. a replaced Okta app (new app ID) updates Cerby in place, never replaces it", async () => {
    okta.removeApp(appId);
    const newId = okta.addApp({ label: "Cerby", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() }).id;
    const r = ok(await engine.up(program));
    expect(ops(r)).to.deep.equal(["update cerby-cerby", "update cerby-okta"]);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: newId });
    expect(r.outputs.appInstanceId).to.equal(newId);
    appId = newId;
  });

  it("4b. a failing App instance ID lookup fails `up` before any write and deletes nothing", async () => {
    okta.removeApp(appId);
    const r = await engine.up(program);
    expect(r.errors.join("\n")).to.match(/Okta: .*"Cerby"/);
    expect(r.steps.map((s) => s.op)).not.to.include("delete");
    expect(writes()).to.have.length(0);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    expect(engine.readState().resources.map((x) => x.name)).to.include.members(["cerby-cerby", "cerby-okta"]);
    okta.addApp({ id: appId, label: "Cerby", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() });
    const again = ok(await engine.up(program));
    expect(ops(again)).to.deep.equal(["same cerby-cerby", "same cerby-okta"]);
  });

  it("5. Cerby failing beyond the retry budget fails `up` clearly, and the next `up` converges", async () => {
    ok(await engine.destroy());
    cerby.server.inject({ kind: "status", status: 503, times: 1000, method: "PUT" });
    const failed = await engine.up(program);
    expect(failed.errors.join("\n")).to.match(
      /Cerby: could not enable Okta Universal Logout: PUT .* HTTP 503 after 3 attempts/,
    );
    expect(failed.errors.join("\n")).to.contain("safe to repeat");
    expect(engine.readState().resources.map((r) => r.name)).not.to.include("cerby-okta");
    expect(cerby.getSetting("acme").enabled).to.equal(false);
    cerby.server.clearFaults();
    cerby.server.clearLog();
    const r = ok(await engine.up(program));
    expect(ops(r)).to.deep.equal(["create cerby-cerby", "create cerby-okta"]);
    expect(cerby.server.writes()).to.have.length(1);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
  });

  it("6. `destroy` disables Cerby and leaves Okta untouched, with a note on what the Okta admin must do", async () => {
    engine.pluginStdout.length = 0;
    const r = ok(await engine.destroy());
    const note = engine.pluginStdout.join("");
    expect(note).to.contain("Okta: Pulumi made no call (Okta has no API to turn Universal Logout off)");
    expect(note).to.contain("Okta system or admin initiates logout");
    expect(ops(r)).to.deep.equal(["delete cerby-okta", "delete cerby-cerby"]);
    expect(cerby.getSetting("acme")).to.include({ enabled: false, appInstanceId: null });
    expect(okta.server.writes()).to.have.length(0);
    expect(okta.getApp(appId).universalLogout).to.equal("ENABLED");
    expect(engine.readState().resources.filter((x) => x.type.startsWith("pulumi-nodejs"))).to.have.length(0);
  });

  it("8. nothing the run wrote holds the Cerby key or the Okta token", async () => {
    ok(await engine.up(program));
    const state = fs.readFileSync(path.join(dir, "state.json"), "utf8");
    expect(state).to.contain("__provider");
    const everything = [
      state,
      engine.pluginStderr.join(""),
      engine.pluginStdout.join(""),
      logs.join("\n"),
      JSON.stringify(cerby.server.requests),
      JSON.stringify(okta.server.requests),
    ].join("\n");
    for (const secret of [cerbyKey, oktaToken]) {
      expect(everything).not.to.contain(secret);
      expect(everything).not.to.contain(Buffer.from(secret).toString("base64"));
    }
  });
});
