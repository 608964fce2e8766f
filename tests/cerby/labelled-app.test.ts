/**
 * A label lookup's pick is read by its ID in Okta right before Cerby is written (issue 19), by the Cerby provider's
 * create/update — not by the program on every `up` and preview, where it would cost one Okta call per binding
 * (issue 21). Nothing is written to Cerby when Okta does not answer for that ID with that app, ACTIVE, so labelled.
 */
import { expect } from "chai";
import { cerbyUniversalLogoutProvider as provider } from "../../components/cerby/provider";
import { checkCerbyInputs } from "../../components/cerby/inputs";
import { OktaClient } from "../../components/okta/client";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { configOf } from "../helpers/serialize";
import { rejection } from "../helpers/errors";
import { freshSecret } from "../helpers/keys";

describe("Cerby provider: a label lookup's pick is read by its ID in Okta before the write", () => {
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const key = freshSecret("cby_");
  const token = freshSecret("00");
  let appId: string;
  const inputsFor = (labelledApp: unknown, appInstanceId = appId) =>
    checkCerbyInputs({ baseUrl: cerby.workspaceUrl("acme"), appInstanceId, labelledApp }).inputs;

  before(async () => {
    await cerby.start();
    await okta.start();
    cerby.addWorkspace("acme");
    cerby.addApiKey("acme", key, { role: "admin" });
    okta.addApiToken(token);
    appId = okta.addApp({ label: "Cerby" }).id;
    process.env.CERBY_HTTP_BASE_DELAY_MS = "5";
    process.env.OKTA_HTTP_BASE_DELAY_MS = "5";
    await provider.configure(configOf({ "cerby:apiKey": key, "okta:apiToken": token }));
  });
  after(async () => {
    delete process.env.CERBY_HTTP_BASE_DELAY_MS;
    delete process.env.OKTA_HTTP_BASE_DELAY_MS;
    await cerby.stop();
    await okta.stop();
  });
  beforeEach(() => {
    cerby.server.clearLog();
    okta.server.clearLog();
    okta.server.clearFaults();
    cerby.setSetting("acme", { enabled: false });
    cerby.setIdp("acme", { idpType: "okta", scimEnabled: true });
  });

  it("create reads the app by its ID in Okta, then writes Cerby", async () => {
    await provider.create(inputsFor({ orgUrl: okta.baseUrl, label: "Cerby" }));
    expect(okta.server.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([`GET /api/v1/apps/${appId}`]);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
  });

  it("without labelledApp (an App instance ID given, already read by the program), no Okta call", async () => {
    await provider.create(inputsFor(undefined));
    expect(okta.server.count()).to.equal(0);
    expect(cerby.getSetting("acme").enabled).to.equal(true);
  });

  it("Okta answering with another app, or the app relabelled or INACTIVE: a user error, nothing written to Cerby", async () => {
    const other = await new OktaClient({
      orgUrl: okta.baseUrl,
      credentials: { kind: "ssws", apiToken: token },
    }).getApp(okta.addApp({ label: "Other" }).id);
    const answers = [
      [other, `not ${appId}`],
      [{ ...other, id: appId, label: "Renamed" }, 'read by its ID it is labelled "Renamed"'],
      [{ ...other, id: appId, label: "Cerby", status: "INACTIVE" }, "is INACTIVE"],
    ] as const;
    for (const [body, message] of answers) {
      okta.server.inject({ kind: "status", status: 200, times: 1, pathPrefix: `/api/v1/apps/${appId}`, body });
      const e = await rejection(provider.create(inputsFor({ orgUrl: okta.baseUrl, label: "Cerby" })));
      expect(e.message).to.contain(message);
      expect(e.stack).to.equal(e.message);
      expect(cerby.server.count(), "no Cerby call at all").to.equal(0);
      expect(cerby.getSetting("acme").enabled).to.equal(false);
    }
  });

  it("check: a labelledApp needs Okta credentials (before any write), and must be { orgUrl, label }", async () => {
    await provider.configure(configOf({ "cerby:apiKey": key }));
    try {
      const r = await provider.check(
        {},
        {
          baseUrl: cerby.workspaceUrl("acme"),
          appInstanceId: appId,
          labelledApp: { orgUrl: okta.baseUrl, label: "Cerby" },
        },
      );
      expect((r.failures ?? []).map((f) => f.property)).to.deep.equal(["labelledApp"]);
      expect(r.failures?.[0].reason).to.match(/okta:apiToken|OKTA_API_TOKEN/);
    } finally {
      await provider.configure(configOf({ "cerby:apiKey": key, "okta:apiToken": token }));
    }
    const bad = await provider.check(
      {},
      { baseUrl: cerby.workspaceUrl("acme"), appInstanceId: appId, labelledApp: { orgUrl: "ftp://x", label: "" } },
    );
    expect((bad.failures ?? []).map((f) => f.property)).to.deep.equal(["labelledApp"]);
  });
});
