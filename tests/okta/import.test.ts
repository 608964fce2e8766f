/**
 * `read(id)` without prior state: what Pulumi's plugin does for `OktaUniversalLogout.get(name, id)`. The id create
 * records names the org and the App instance ID; the result must be a full state plus inputs.
 */
import { expect } from "chai";
import { rejection } from "../helpers/errors";
import { OktaUniversalLogoutState, oktaUniversalLogoutProvider as provider } from "../../components/okta/provider";
import { checkOktaInputs } from "../../components/okta/inputs";
import { OktaApp, OktaEmulator } from "../emulators/okta";
import { useOktaProviderRig } from "../helpers/rigs";
import { freshSecret } from "../helpers/keys";

describe("Okta Universal Logout provider: read by id (import, get)", () => {
  const emu = new OktaEmulator();
  const token = freshSecret("00");
  let app: OktaApp;
  const idOf = (a: OktaApp) => `${emu.baseUrl}/api/v1/apps/${a.id}#universal-logout`;

  useOktaProviderRig(emu, token);
  beforeEach(() => {
    app = emu.addApp({ universalLogout: "ENABLED", provisioning: "ENABLED" });
    emu.server.clearLog();
  });

  it("the id create records is the one read accepts", async () => {
    const inputs = checkOktaInputs({ orgUrl: emu.baseUrl, appInstanceId: app.id }).inputs;
    expect((await provider.create(inputs)).id).to.equal(idOf(app));
  });

  it("reads the app from the id alone: full state and inputs, and the same program then has no diff", async () => {
    const r = await provider.read(idOf(app));
    const inputs = checkOktaInputs({ orgUrl: emu.baseUrl, appInstanceId: app.id }).inputs;
    expect(r.id).to.equal(idOf(app));
    expect(r.props).to.include({
      orgUrl: emu.baseUrl,
      appInstanceId: app.id,
      mode: "verify",
      status: "ENABLED",
      appName: "cerby",
      appLabel: "Cerby",
      adminUrl: `${emu.baseUrl}/admin/app/cerby/instance/${app.id}/`,
      provisioning: "ENABLED",
    });
    expect(r.props!.warnings).to.deep.equal([]);
    // The inputs a program declares, plus the app as read (what the program's own read would hold).
    const { observedApp, ...declared } = r.inputs as typeof inputs;
    expect(declared).to.deep.equal(inputs);
    expect(observedApp).to.include({ id: app.id, status: "ACTIVE" });
    expect((await provider.diff(r.id!, r.props!, inputs)).changes).to.equal(false);
    expect(emu.server.writes()).to.have.length(0);
  });

  it("treats properties holding only the serialized provider (Pulumi's plugin on get) as no state", async () => {
    const r = await provider.read(idOf(app), {
      __provider: "exports.handler = …",
    } as unknown as OktaUniversalLogoutState);
    expect(r.props).to.include({ appInstanceId: app.id, status: "ENABLED" });
  });

  it("an app with Universal Logout off reads as DISABLED, and a verify program then has a diff", async () => {
    const off = emu.addApp({ universalLogout: "DISABLED" });
    const r = await provider.read(idOf(off));
    expect(r.props).to.include({ status: "DISABLED", appInstanceId: off.id });
    const inputs = checkOktaInputs({ orgUrl: emu.baseUrl, appInstanceId: off.id }).inputs;
    expect((await provider.diff(r.id!, r.props!, inputs)).changes).to.equal(true);
  });

  it("an id that is not an Okta Universal Logout id fails naming the expected form, before any request", async () => {
    for (const bad of [
      app.id,
      `${emu.baseUrl}/api/v1/apps/${app.id}`,
      `${emu.baseUrl}/api/v1/apps/nope#universal-logout`,
    ]) {
      const e = await rejection(provider.read(bad));
      expect(e.name).to.equal("UserError");
      expect(e.message).to.contain(JSON.stringify(bad));
      expect(e.message).to.contain("<org URL>/api/v1/apps/<App instance ID>#universal-logout");
    }
    expect(emu.server.requests).to.have.length(0);
  });
});
