import { expect } from "chai";
import { rejection } from "../helpers/errors";
import { OktaClient } from "../../components/okta/client";
import { oktaAdminUrl, resolveCerbyApp } from "../../components/okta/resolve";
import { OktaEmulator } from "../emulators/okta";
import { freshAppId, freshSecret } from "../helpers/keys";

describe("Resolving the Cerby app in the org", () => {
  let emu: OktaEmulator;
  let client: OktaClient;
  const token = freshSecret("00");

  beforeEach(async () => {
    emu = new OktaEmulator();
    await emu.start();
    emu.addApiToken(token);
    client = new OktaClient({ orgUrl: emu.baseUrl, credentials: { kind: "ssws", apiToken: token } });
  });
  afterEach(() => emu.stop());

  it("confirms a direct App instance ID exists and is ACTIVE, with one GET", async () => {
    const app = emu.addApp({});
    const got = await resolveCerbyApp(client, { appInstanceId: app.id });
    expect(got).to.include({ id: app.id, name: "cerby", label: "Cerby", status: "ACTIVE" });
    expect(emu.server.count()).to.equal(1);
  });

  it("rejects a malformed ID before any request, and explains an unknown one", async () => {
    const bad = await rejection(resolveCerbyApp(client, { appInstanceId: "00u123" }));
    expect(bad.message).to.contain("is not an Okta app ID");
    expect(emu.server.count()).to.equal(0);
    const id = freshAppId();
    const missing = await rejection(resolveCerbyApp(client, { appInstanceId: id }));
    expect(missing.message).to.contain(`App ${id} is not in the org`);
  });

  it("finds the unique ACTIVE app by label, ignoring case, and ignores prefix-only matches", async () => {
    emu.addApp({ name: "cerby_other", label: "Cerby Sandbox" });
    const app = emu.addApp({ label: "CERBY" });
    expect((await resolveCerbyApp(client, {})).id).to.equal(app.id);
  });

  it("reports zero matches with the org, the query and how many apps were seen", async () => {
    emu.addApp({ name: "cerby_sb", label: "Cerby Sandbox" });
    const e = await rejection(resolveCerbyApp(client, {}));
    expect(e.message).to.contain(`no app labelled "Cerby" in ${emu.baseUrl}`);
    expect(e.message).to.contain('q="Cerby", 1 app(s) seen');
    expect(e.message).to.contain("Cerby Sandbox");
  });

  it("never guesses between two ACTIVE apps: lists both ids and labels", async () => {
    const a = emu.addApp({});
    const b = emu.addApp({ label: "cerby" });
    const e = await rejection(resolveCerbyApp(client, {}));
    expect(e.message).to.contain("2 ACTIVE apps");
    expect(e.message).to.contain(`${a.id} "Cerby"`);
    expect(e.message).to.contain(`${b.id} "cerby"`);
    expect(e.message).to.contain("set appInstanceId");
  });

  it("says to activate the app when the only match is INACTIVE (by label and by ID)", async () => {
    const app = emu.addApp({ status: "INACTIVE" });
    for (const opts of [{}, { appInstanceId: app.id }]) {
      const e = await rejection(resolveCerbyApp(client, opts));
      expect(e.message).to.contain("is INACTIVE");
      expect(e.message).to.contain("Activate it in the Okta Admin Console");
    }
  });

  it("prefers the ACTIVE app when an INACTIVE one has the same label", async () => {
    emu.addApp({ status: "INACTIVE" });
    const active = emu.addApp({});
    expect((await resolveCerbyApp(client, {})).id).to.equal(active.id);
  });

  it("pages through more than one page before the match", async () => {
    for (let i = 0; i < 250; i++) emu.addApp({ name: `cerby_${i}`, label: `Cerby ${i}` });
    const app = emu.addApp({ label: "Cerby", name: "cerby" });
    expect((await resolveCerbyApp(client, { label: "cerby" })).id).to.equal(app.id);
    expect(emu.server.count({ pathPrefix: "/api/v1/apps" })).to.equal(2);
  });

  it("builds admin URLs for Okta-hosted orgs and for anything else", () => {
    const id = freshAppId();
    expect(oktaAdminUrl("https://acme.okta.com", "cerby", id)).to.equal(
      `https://acme-admin.okta.com/admin/app/cerby/instance/${id}/`,
    );
    expect(oktaAdminUrl("https://dev-1.oktapreview.com/", "cerby", id)).to.equal(
      `https://dev-1-admin.oktapreview.com/admin/app/cerby/instance/${id}/`,
    );
    expect(oktaAdminUrl("https://eu.okta-emea.com", "cerby", id)).to.equal(
      `https://eu-admin.okta-emea.com/admin/app/cerby/instance/${id}/`,
    );
    expect(oktaAdminUrl("http://127.0.0.1:9999", "cerby", id)).to.equal(
      `http://127.0.0.1:9999/admin/app/cerby/instance/${id}/`,
    );
  });
});
