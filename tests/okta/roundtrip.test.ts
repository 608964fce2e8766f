import { expect } from "chai";
import type { JWTHeaderParameters, JWTPayload } from "jose";
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
    cerby.addWorkspace("other");
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
    okta.tamperGtrToken = undefined;
    cerby.server.clearLog();
  });

  /** The Global Token Revocation requests Cerby received (Authorization is redacted in the log). */
  const gtrRequests = () => cerby.server.requests.filter((r) => r.path === `/ws/acme${GTR_PATH}`);

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
    expect(gtrRequests().map((q) => q.body)).to.deep.equal([{ sub_id: { format: "email", email } }]);
  });

  it("with another App instance ID configured in Cerby, Cerby rejects the logout (401) and sessions remain", async () => {
    await cerbyClient.putUniversalLogout(true, freshAppId());
    okta.setUniversalLogout(app.id, "ENABLED");
    const r = await okta.triggerUniversalLogout(app.id, email);
    expect(r).to.deep.equal({ sent: true, status: 401 });
    expect(cerby.activeSessions("acme", email)).to.be.at.least(1);
    expect(gtrRequests().map((q) => q.status)).to.deep.equal([401]);
  });

  describe("Cerby refuses (401) a token Okta's real one differs from, and the user stays logged in", () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: Array<[string, (t: { header: JWTHeaderParameters; claims: JWTPayload }) => void]> = [
      ["iss is another Okta org", (t) => (t.claims.iss = "https://other.okta.com")],
      ["iss is the App instance ID (the old emulated format)", (t) => (t.claims.iss = t.claims.sub)],
      ["typ is JWT", (t) => (t.header.typ = "JWT")],
      ["aud is another workspace's endpoint", (t) => (t.claims.aud = `${cerby.workspaceUrl("other")}${GTR_PATH}`)],
      [
        "it expired (exp in the past)",
        (t) => Object.assign(t.claims, { iat: now() - 900, nbf: now() - 1200, exp: now() - 600 }),
      ],
      ["it is not yet valid (nbf in the future)", (t) => (t.claims.nbf = now() + 600)],
    ];
    for (const [name, tamper] of cases) {
      it(`when ${name}`, async () => {
        await cerbyClient.putUniversalLogout(true, app.id);
        okta.setUniversalLogout(app.id, "ENABLED");
        okta.tamperGtrToken = tamper;
        const r = await okta.triggerUniversalLogout(app.id, email);
        expect(r).to.deep.equal({ sent: true, status: 401 });
        expect(cerby.activeSessions("acme", email)).to.be.at.least(1);
      });
    }

    it("when the jti was already used (the same jti twice)", async () => {
      await cerbyClient.putUniversalLogout(true, app.id);
      okta.setUniversalLogout(app.id, "ENABLED");
      const jti = `jti-${app.id}`;
      okta.tamperGtrToken = (t) => (t.claims.jti = jti);
      expect(await okta.triggerUniversalLogout(app.id, email)).to.deep.equal({ sent: true, status: 204 });
      expect(cerby.activeSessions("acme", email)).to.equal(0);
      cerby.login("acme", email);
      expect(await okta.triggerUniversalLogout(app.id, email)).to.deep.equal({ sent: true, status: 401 });
      expect(cerby.activeSessions("acme", email)).to.equal(1);
    });
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
