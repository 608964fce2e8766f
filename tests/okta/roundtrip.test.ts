import { expect } from "chai";
import { CerbyClient } from "../../components/cerby/client";
import { checkOktaInputs } from "../../components/okta/inputs";
import { oktaUniversalLogoutProvider as provider } from "../../components/okta/provider";
import { CerbyEmulator, GTR_PATH } from "../emulators/cerby";
import { OktaApp, OktaEmulator } from "../emulators/okta";
import { configOf } from "../helpers/serialize";
import { freshAppId, freshSecret } from "../helpers/keys";

/** Both sides on: Okta's logout reaches Cerby and ends the user's sessions; half-configured, nothing is ended. */
describe("Universal Logout round trip: Okta emulator → Cerby emulator", () => {
  const okta = new OktaEmulator();
  const cerby = new CerbyEmulator();
  const oktaToken = freshSecret("00");
  const cerbyKey = freshSecret("cby_");
  const email = "alice@acme.example";
  let app: OktaApp;
  let cerbyClient: CerbyClient;

  before(async () => {
    await okta.start();
    await cerby.start();
    okta.addApiToken(oktaToken);
    cerby.oktaJwksUrl = `${okta.baseUrl}/oauth2/v1/keys`;
    cerby.addWorkspace("acme");
    cerby.addApiKey("acme", cerbyKey, { role: "owner" });
    cerby.addUser("acme", email, { provisionedBy: "scim" });
    cerbyClient = new CerbyClient({ baseUrl: cerby.workspaceUrl("acme"), apiKey: () => cerbyKey });
    await provider.configure(configOf({ "okta:apiToken": oktaToken }));
  });
  after(async () => {
    await okta.stop();
    await cerby.stop();
  });
  beforeEach(async () => {
    app = okta.addApp({ gtrEndpoint: `${cerby.workspaceUrl("acme")}${GTR_PATH}` });
    cerby.login("acme", email);
    await cerbyClient.putUniversalLogout(false, null);
  });

  it("with Cerby enabled for the app and Okta ENABLED, a logout ends the user's Cerby sessions", async () => {
    await cerbyClient.putUniversalLogout(true, app.id);
    okta.setUniversalLogout(app.id, "ENABLED");
    const verified = await provider.create(checkOktaInputs({ orgUrl: okta.baseUrl, appInstanceId: app.id }).inputs);
    expect(verified.outs.status).to.equal("ENABLED");
    expect(cerby.activeSessions("acme", email)).to.be.at.least(1);

    const r = await okta.triggerUniversalLogout(app.id, email);
    expect(r).to.deep.equal({ sent: true, status: 204 });
    expect(cerby.activeSessions("acme", email)).to.equal(0);
    expect(cerby.logouts.map((l) => l.email)).to.include(email);
  });

  it("with another App instance ID configured in Cerby, Cerby rejects the logout (401) and sessions remain", async () => {
    await cerbyClient.putUniversalLogout(true, freshAppId());
    okta.setUniversalLogout(app.id, "ENABLED");
    const r = await okta.triggerUniversalLogout(app.id, email);
    expect(r).to.deep.equal({ sent: true, status: 401 });
    expect(cerby.activeSessions("acme", email)).to.be.at.least(1);
  });

  it("before Okta's box is ticked (DISABLED), nothing is sent and verify fails", async () => {
    await cerbyClient.putUniversalLogout(true, app.id);
    cerby.server.clearLog();
    const r = await okta.triggerUniversalLogout(app.id, email);
    expect(r.sent).to.equal(false);
    expect(cerby.server.count({ pathPrefix: `/ws/acme${GTR_PATH}` })).to.equal(0);
    expect(cerby.activeSessions("acme", email)).to.be.at.least(1);
    let err: Error | undefined;
    await provider
      .create(checkOktaInputs({ orgUrl: okta.baseUrl, appInstanceId: app.id }).inputs)
      .catch((e: Error) => (err = e));
    expect(err?.message).to.contain("Universal Logout is off");
  });
});
