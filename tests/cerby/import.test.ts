/**
 * `read(id)` without prior state: what Pulumi's plugin does for `CerbyUniversalLogout.get(name, id)` (the properties
 * then hold only the serialized provider). The id alone must locate the setting, and the result must be a full state
 * plus inputs, so that the next `up` diffs against what Cerby has.
 */
import { expect } from "chai";
import {
  cerbyUniversalLogoutProvider as provider,
  CerbyUniversalLogoutState,
  cerbySettingId,
} from "../../components/cerby/provider";
import { checkCerbyInputs } from "../../components/cerby/inputs";
import { cerbyReadInputs } from "../../components/cerby/converge";
import { CerbyEmulator } from "../emulators/cerby";
import { rejection } from "../helpers/errors";
import { useCerbyProviderRig } from "../helpers/rigs";
import { freshAppId, freshSecret } from "../helpers/keys";

describe("Cerby Universal Logout provider: read by id (import, get)", () => {
  const emu = new CerbyEmulator();
  const key = freshSecret("cby_");
  const appId = freshAppId();
  let url: string;
  let id: string;

  useCerbyProviderRig(emu, key);
  before(() => {
    url = emu.workspaceUrl("acme");
    id = `${url}#okta-universal-logout`;
  });
  beforeEach(() => {
    emu.server.clearLog();
    emu.setSetting("acme", { enabled: true, appInstanceId: appId });
    emu.setIdp("acme", { idpType: "okta", scimEnabled: true });
  });

  it("the id create records is the one read accepts", () => {
    expect(cerbySettingId(checkCerbyInputs({ baseUrl: url, appInstanceId: appId }).inputs)).to.equal(id);
  });

  it("reads the live setting from the id alone: full state and inputs, and the same program then has no diff", async () => {
    const r = await provider.read(id);
    expect(r.id).to.equal(id);
    expect(r.props).to.include({
      baseUrl: url,
      url,
      settingsPath: "/api/v1/settings/idp",
      mode: "api",
      enabled: true,
      appInstanceId: appId,
      idpType: "okta",
      scimEnabled: true,
      requireScimProvisioning: false,
    });
    expect(r.props!.warnings).to.deep.equal([]);
    expect(r.inputs).to.deep.equal(checkCerbyInputs({ baseUrl: url, appInstanceId: appId }).inputs);
    const program = checkCerbyInputs({ baseUrl: url, appInstanceId: appId }).inputs;
    expect((await provider.diff(r.id!, r.props!, program)).changes).to.equal(false);
    expect(emu.server.requests.filter((q) => q.method !== "GET")).to.have.length(0);
  });

  it("treats properties holding only the serialized provider (Pulumi's plugin on get) as no state", async () => {
    const r = await provider.read(id, { __provider: "exports.handler = …" } as unknown as CerbyUniversalLogoutState);
    expect(r.props).to.include({ baseUrl: url, enabled: true, appInstanceId: appId });
  });

  it("a setting that is off reads as off, and the program that wants it on then updates it", async () => {
    emu.setSetting("acme", { enabled: false });
    const r = await provider.read(id);
    expect(r.props).to.include({ enabled: false, appInstanceId: null });
    const program = checkCerbyInputs({ baseUrl: url, appInstanceId: appId }).inputs;
    const d = await provider.diff(r.id!, r.props!, program);
    expect(d).to.include({ changes: true });
    expect(d.replaces).to.deep.equal([]);
  });

  it("an id that is not a Cerby setting id fails naming the expected form, before any request", async () => {
    for (const bad of ["acme", `${url}#something-else`, "not a url#okta-universal-logout"]) {
      const e = await rejection(provider.read(bad));
      expect(e.name).to.equal("UserError");
      expect(e.message).to.contain(JSON.stringify(bad));
      expect(e.message).to.contain("<workspace URL>#okta-universal-logout");
    }
    expect(emu.server.requests).to.have.length(0);
  });

  it("a workspace URL in the id becomes `workspace` (as cerby:workspace declares it), any other URL `baseUrl`", () => {
    expect(cerbyReadInputs("https://acme.cerby.com#okta-universal-logout")).to.deep.include({
      workspace: "acme",
      settingsPath: "/api/v1/settings/idp",
      mode: "api",
    });
    expect(cerbyReadInputs("https://acme.cerby.com#okta-universal-logout")).not.to.have.property("baseUrl");
    expect(cerbyReadInputs(id)).to.deep.include({ baseUrl: url }).and.not.to.have.property("workspace");
  });

  it("an import assumes the default settings path unless `get` names one", () => {
    const given = { settingsPath: "/api/v2/settings/idp" } as Partial<CerbyUniversalLogoutState>;
    expect(cerbyReadInputs(id, given).settingsPath).to.equal("/api/v2/settings/idp");
    expect(cerbyReadInputs(id).settingsPath).to.equal("/api/v1/settings/idp");
  });
});
