import { expect } from "chai";
import { cerbyUniversalLogoutProvider as provider, CerbyUniversalLogoutState } from "../../components/cerby/provider";
import { checkCerbyInputs, CerbyUniversalLogoutInputs } from "../../components/cerby/inputs";
import { CerbyEmulator } from "../emulators/cerby";
import { configOf } from "../helpers/serialize";
import { useCerbyProviderRig } from "../helpers/rigs";
import { freshAppId, freshSecret } from "../helpers/keys";

describe("Cerby Universal Logout provider lifecycle", () => {
  const emu = new CerbyEmulator();
  const key = freshSecret("cby_");
  const appId = freshAppId();
  const otherId = freshAppId();
  let inputs: CerbyUniversalLogoutInputs;

  useCerbyProviderRig(emu, key);
  before(() => {
    inputs = checkCerbyInputs({ baseUrl: emu.workspaceUrl("acme"), appInstanceId: appId }).inputs;
  });
  beforeEach(() => {
    emu.server.clearLog();
    emu.server.clearFaults();
    emu.setSetting("acme", { enabled: false });
    emu.setIdp("acme", { idpType: "okta", scimEnabled: true });
  });

  const puts = () => emu.server.requests.filter((r) => r.method === "PUT").length;

  it("create enables Universal Logout with the App instance ID", async () => {
    const r = await provider.create(inputs);
    expect(r.id).to.equal(`${emu.workspaceUrl("acme")}#okta-universal-logout`);
    expect(r.outs).to.include({ enabled: true, appInstanceId: appId, idpType: "okta", scimEnabled: true });
    expect(r.outs.warnings).to.deep.equal([]);
    expect(emu.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    expect(puts()).to.equal(1);
  });

  it("create adopts a setting already enabled with the same ID: one idempotent write that changes nothing", async () => {
    emu.setSetting("acme", { enabled: true, appInstanceId: appId });
    const before = emu.getSetting("acme");
    const r = await provider.create(inputs);
    expect(r.outs).to.include({ enabled: true, appInstanceId: appId, updatedAt: before.updatedAt });
    expect(emu.getSetting("acme")).to.deep.equal(before);
    // The floor: the IdP-settings read (the SCIM precondition) and the write; no read of the setting before it.
    expect(emu.server.requests.map((x) => x.method)).to.deep.equal(["GET", "PUT"]);
  });

  it("create corrects a setting enabled with another ID", async () => {
    emu.setSetting("acme", { enabled: true, appInstanceId: otherId });
    await provider.create(inputs);
    expect(emu.getSetting("acme").appInstanceId).to.equal(appId);
    expect(puts()).to.equal(1);
  });

  it("update changes the ID in place", async () => {
    const created = await provider.create(inputs);
    const news = { ...inputs, appInstanceId: otherId };
    const d = await provider.diff(created.id, created.outs, news);
    expect(d).to.include({ changes: true });
    expect(d.replaces).to.deep.equal([]);
    const u = await provider.update(created.id, created.outs, news);
    expect(u.outs).to.include({ appInstanceId: otherId, enabled: true });
    expect(emu.getSetting("acme").appInstanceId).to.equal(otherId);
  });

  it("diff is empty for the same inputs and asks replacement only for another workspace", async () => {
    const created = await provider.create(inputs);
    expect((await provider.diff(created.id, created.outs, inputs)).changes).to.equal(false);
    const moved = checkCerbyInputs({ workspace: "other", appInstanceId: appId }).inputs;
    expect((await provider.diff(created.id, created.outs, moved)).replaces).to.include.members([
      "workspace",
      "baseUrl",
    ]);
  });

  it("read reports drift (disabled in the web app) and diff then asks for an update that repairs it", async () => {
    const created = await provider.create(inputs);
    emu.setSetting("acme", { enabled: false });
    const r = await provider.read(created.id, created.outs as CerbyUniversalLogoutState);
    expect(r.props).to.include({ enabled: false, appInstanceId: null });
    expect(r.inputs).to.include({ enabled: false, appInstanceId: null });
    const d = await provider.diff(created.id, r.props, inputs);
    expect(d.changes).to.equal(true);
    await provider.update(created.id, r.props as CerbyUniversalLogoutState, inputs);
    expect(emu.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
  });

  it("read reports a different ID set in the web app", async () => {
    const created = await provider.create(inputs);
    emu.setSetting("acme", { enabled: true, appInstanceId: otherId });
    const r = await provider.read(created.id, created.outs as CerbyUniversalLogoutState);
    expect(r.props).to.include({ appInstanceId: otherId });
    expect((await provider.diff(created.id, r.props, inputs)).changes).to.equal(true);
  });

  it("delete disables the setting with one write; already off, the same write changes nothing", async () => {
    const created = await provider.create(inputs);
    emu.server.clearLog();
    await provider.delete(created.id, created.outs as CerbyUniversalLogoutState);
    expect(emu.getSetting("acme")).to.include({ enabled: false, appInstanceId: null });
    expect(emu.server.requests.map((x) => x.method)).to.deep.equal(["PUT"]);
    const off = emu.getSetting("acme");
    await provider.delete(created.id, created.outs as CerbyUniversalLogoutState);
    expect(emu.getSetting("acme")).to.deep.equal(off);
  });

  it("manual mode records the desired state with the web-app steps and makes no request", async () => {
    const manual = { ...inputs, mode: "manual" as const };
    const r = await provider.create(manual);
    expect(r.outs.warnings[0]).to.contain("IDP Settings tab");
    expect(r.outs.warnings[0]).to.contain(appId);
    await provider.read(r.id, r.outs as CerbyUniversalLogoutState);
    await provider.delete(r.id, r.outs as CerbyUniversalLogoutState);
    expect(emu.server.requests).to.have.length(0);
    expect(emu.getSetting("acme").enabled).to.equal(false);
  });

  it("warns when SCIM provisioning is off, and still enables", async () => {
    emu.setIdp("acme", { scimEnabled: false });
    const r = await provider.create(inputs);
    expect(r.outs.warnings.join(" ")).to.contain("SCIM provisioning (Directory Sync) is off");
    expect(emu.getSetting("acme").enabled).to.equal(true);
  });

  it("fails before any write when requireScimProvisioning is set and the IdP is not Okta", async () => {
    emu.setIdp("acme", { idpType: "azure" });
    let err: Error | undefined;
    await provider.create({ ...inputs, requireScimProvisioning: true }).catch((e: Error) => (err = e));
    expect(err?.message).to.contain("IdP is azure, not Okta");
    expect(err?.message).to.contain("Nothing was changed");
    expect(puts()).to.equal(0);
  });

  it("a failed create leaves Cerby unchanged and the next run converges", async () => {
    emu.server.inject({ kind: "status", status: 503, times: 50, method: "PUT" });
    let err: Error | undefined;
    await provider.create(inputs).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/^Cerby: could not enable Okta Universal Logout/);
    expect(emu.getSetting("acme").enabled).to.equal(false);
    emu.server.clearFaults();
    emu.server.clearLog();
    await provider.create(inputs);
    expect(emu.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    expect(puts()).to.equal(1);
  });

  it("reads the API key from CERBY_API_KEY when stack config has none", async () => {
    await provider.configure(configOf({}));
    process.env.CERBY_API_KEY = key;
    try {
      const r = await provider.create(inputs);
      expect(r.outs.enabled).to.equal(true);
    } finally {
      delete process.env.CERBY_API_KEY;
      await provider.configure(configOf({ "cerby:apiKey": key }));
    }
  });
});
