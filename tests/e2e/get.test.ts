/**
 * `CerbyUniversalLogout.get` / `OktaUniversalLogout.get` through the driver: the SDK's ReadResource reaches Pulumi's
 * own dynamic-provider plugin as a Read with the id and only the serialized provider (no prior state), as under the
 * CLI. The settings are read, recorded as read (external), refreshed, and never written or switched off.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CerbyUniversalLogout } from "../../components/cerby/provider";
import { OktaUniversalLogout } from "../../components/okta/provider";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaApp, OktaEmulator } from "../emulators/okta";
import { freshAppId, freshSecret } from "../helpers/keys";
import { stopRig } from "../helpers/rigs";
import { Engine, RunResult } from "./engine";

describe("Resource.get through the driver (read by id, no prior state)", function () {
  this.timeout(60000);
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const cerbyKey = freshSecret("cby_");
  const oktaToken = freshSecret("00");
  const appId = freshAppId();
  let app: OktaApp;
  let dir: string;
  let engine: Engine;
  let cerbyId: string;
  let oktaId: string;
  const ok = (r: RunResult) => expect(r.errors, r.errors.join("\n")).to.deep.equal([]);
  const writes = () => cerby.server.requests.filter((r) => r.method !== "GET").length + okta.server.writes().length;

  const program = () => {
    const c = CerbyUniversalLogout.get("adopted-cerby", cerbyId);
    const o = OktaUniversalLogout.get("adopted-okta", oktaId);
    return {
      cerbyEnabled: c.enabled,
      cerbyAppInstanceId: c.appInstanceId,
      cerbyUrl: c.url,
      cerbyIdp: c.idpType,
      oktaStatus: o.status,
      oktaLabel: o.appLabel,
      oktaProvisioning: o.provisioning,
    };
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-get-"));
    await cerby.start();
    const oktaUrl = await okta.start();
    cerby.addWorkspace("acme");
    cerby.addApiKey("acme", cerbyKey, { role: "admin" });
    cerby.setSetting("acme", { enabled: true, appInstanceId: appId });
    cerby.setIdp("acme", { idpType: "okta", scimEnabled: true });
    okta.addApiToken(oktaToken);
    app = okta.addApp({ universalLogout: "ENABLED", provisioning: "ENABLED" });
    cerbyId = `${cerby.workspaceUrl("acme")}#okta-universal-logout`;
    oktaId = `${oktaUrl}/api/v1/apps/${app.id}#universal-logout`;
    engine = new Engine({
      statePath: path.join(dir, "state.json"),
      config: { "cerby:apiKey": cerbyKey, "okta:apiToken": oktaToken },
      secretKeys: ["cerby:apiKey", "okta:apiToken"],
    });
    await engine.start();
  });
  after(() => stopRig([engine, cerby, okta], dir));
  beforeEach(() => {
    cerby.server.clearLog();
    okta.server.clearLog();
  });

  it("up reads both settings by id and records them as read, writing nothing", async () => {
    const r = await engine.up(program);
    ok(r);
    expect(r.steps.map((s) => s.op)).to.deep.equal(["read", "read"]);
    expect(r.outputs).to.deep.include({
      cerbyEnabled: true,
      cerbyAppInstanceId: appId,
      cerbyUrl: cerby.workspaceUrl("acme"),
      cerbyIdp: "okta",
      oktaStatus: "ENABLED",
      oktaLabel: "Cerby",
      oktaProvisioning: "ENABLED",
    });
    // The two reads run concurrently: state order is completion order.
    const byName = Object.fromEntries(engine.readState().resources.map((s) => [s.name, s]));
    expect(byName["adopted-cerby"]).to.include({ id: cerbyId, external: true });
    expect(byName["adopted-okta"]).to.include({ id: oktaId, external: true });
    expect(byName["adopted-cerby"].inputs).to.include({
      baseUrl: cerby.workspaceUrl("acme"),
      appInstanceId: appId,
      mode: "api",
    });
    expect(byName["adopted-okta"].inputs).to.include({ appInstanceId: app.id, mode: "verify" });
    expect(writes()).to.equal(0);
  });

  it("refresh then shows what changed in Cerby", async () => {
    cerby.setSetting("acme", { enabled: false });
    const r = await engine.refresh();
    cerby.setSetting("acme", { enabled: true, appInstanceId: appId });
    ok(r);
    const cerbyStep = r.steps.find((s) => s.urn.endsWith("adopted-cerby"));
    expect(cerbyStep?.changed).to.include.members(["enabled", "appInstanceId"]);
  });

  it("destroy leaves both settings as they are (a read resource is not the stack's to switch off)", async () => {
    const r = await engine.destroy();
    ok(r);
    expect(r.steps.map((s) => s.op)).to.deep.equal(["discard", "discard"]);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    expect(writes()).to.equal(0);
  });

  it("an id that is not one fails naming the form expected", async () => {
    cerbyId = "acme";
    try {
      const r = await engine.up(program);
      expect(r.errors.join("\n")).to.contain("<workspace URL>#okta-universal-logout");
    } finally {
      cerbyId = `${cerby.workspaceUrl("acme")}#okta-universal-logout`;
    }
  });
});
