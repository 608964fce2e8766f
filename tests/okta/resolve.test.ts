import { expect } from "chai";
import { rejection } from "../helpers/errors";
import { UserError } from "../../components/http";
import { OktaClient } from "../../components/okta/client";
import { confirmLabelledApp, oktaAdminUrl, resolveCerbyApp } from "../../components/okta/resolve";
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
    // One list page: the pick is read by its ID only right before Cerby is written (confirmLabelledApp, below).
    expect(emu.server.requests.map((r) => r.path)).to.deep.equal(["/api/v1/apps"]);
  });

  it("refuses an app that Okta answers for an ID with another app's ID, naming both", async () => {
    const asked = emu.addApp({});
    const other = await client.getApp(emu.addApp({ label: "Other" }).id);
    emu.server.inject({ kind: "status", status: 200, times: 1, pathPrefix: `/api/v1/apps/${asked.id}`, body: other });
    const e = await rejection(resolveCerbyApp(client, { appInstanceId: asked.id }));
    expect(e).to.be.instanceOf(UserError);
    expect(e.message).to.contain(`the answer is the app ${other.id} ("Other"), not ${asked.id}`);
    expect(e.message).to.contain(`carries another app's ID (${other.id})`);
    expect(e.stack).to.equal(e.message);
  });

  it("by label, refuses a listed app whose ID is not an app ID, reading nothing more", async () => {
    const app = emu.addApp({});
    const listed = await client.getApp(app.id);
    emu.server.clearLog();
    emu.server.inject({
      kind: "status",
      status: 200,
      times: 1,
      pathPrefix: "/api/v1/apps",
      body: [{ ...listed, id: "x" }],
    });
    const badId = await rejection(resolveCerbyApp(client, {}));
    expect(badId).to.be.instanceOf(UserError);
    expect(badId.message).to.contain('is listed with the id "x", which is not an Okta app ID');
    expect(emu.server.count(), "nothing read for a malformed ID").to.equal(1);
  });

  it("confirmLabelledApp (before Cerby is written): the pick read by its ID must be that app, ACTIVE, so labelled", async () => {
    const app = emu.addApp({});
    const other = await client.getApp(emu.addApp({ label: "Other" }).id);
    const listed = await client.getApp(app.id);
    emu.server.clearLog();
    expect((await confirmLabelledApp(client, "cerby", app.id)).id).to.equal(app.id);
    expect(emu.server.requests.map((r) => r.path)).to.deep.equal([`/api/v1/apps/${app.id}`]);
    emu.server.inject({ kind: "status", status: 200, times: 1, pathPrefix: `/api/v1/apps/${app.id}`, body: other });
    expect((await rejection(confirmLabelledApp(client, "Cerby", app.id))).message).to.contain(`not ${app.id}`);
    const renamed = { ...listed, label: "Renamed" };
    emu.server.inject({ kind: "status", status: 200, times: 1, pathPrefix: `/api/v1/apps/${app.id}`, body: renamed });
    const e = await rejection(confirmLabelledApp(client, "Cerby", app.id));
    expect(e).to.be.instanceOf(UserError);
    expect(e.message).to.contain(`the app ${app.id} was found by its label "Cerby"`);
    expect(e.message).to.contain('read by its ID it is labelled "Renamed"');
    emu.server.inject({
      kind: "status",
      status: 200,
      times: 1,
      pathPrefix: `/api/v1/apps/${app.id}`,
      body: { ...listed, status: "INACTIVE" },
    });
    expect((await rejection(confirmLabelledApp(client, "Cerby", app.id))).message).to.contain("is INACTIVE");
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
      // A user error (its stack is the message): Pulumi prints it without "Unhandled exception" or call frames.
      expect(e).to.be.instanceOf(UserError);
      expect(e.stack).to.equal(e.message);
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
    // Two list pages.
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
