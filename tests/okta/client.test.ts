import { expect } from "chai";
import { failure } from "../helpers/errors";
import { OktaClient, OktaClientOptions, parseLinkHeader } from "../../components/okta/client";
import { OktaCredentials } from "../../components/okta/config";
import { resetHttpLimiters } from "../../components/http";
import { OktaEmulator } from "../emulators/okta";
import { freshAppId, freshSecret } from "../helpers/keys";
import { TestKeyPair, freshKeyPair } from "./keys";

describe("Okta client against the emulator", () => {
  let emu: OktaEmulator;
  let keys: TestKeyPair;
  const token = freshSecret("00");
  const clientId = freshAppId();

  const ssws = (t = token): OktaCredentials => ({ kind: "ssws", apiToken: t });
  const oauth = (over: Partial<Extract<OktaCredentials, { kind: "oauth" }>> = {}): OktaCredentials => ({
    kind: "oauth",
    clientId,
    privateKey: keys.pem,
    privateKeyId: keys.kid,
    scopes: ["okta.apps.read", "okta.apps.manage"],
    ...over,
  });
  const client = (credentials: OktaCredentials = ssws(), extra: Partial<OktaClientOptions> = {}) =>
    new OktaClient({
      orgUrl: emu.baseUrl,
      credentials,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      ...extra,
    });

  before(async () => {
    keys = await freshKeyPair("RS256");
    emu = new OktaEmulator();
    await emu.start();
    emu.addApiToken(token);
    emu.addServiceApp({ clientId, publicJwk: keys.publicJwk, scopes: ["okta.apps.read", "okta.apps.manage"] });
  });
  after(() => emu.stop());
  beforeEach(() => {
    emu.server.clearFaults();
    emu.server.clearLog();
    emu.rateLimit = { limit: 600, windowMs: 60_000 };
    // Rate-limit state is shared per origin across the process; a test that changes the limit mid-window resets it.
    resetHttpLimiters();
  });

  describe("reading apps", () => {
    it("reads an Application with its Universal Logout status using an API token (SSWS)", async () => {
      const app = emu.addApp({ universalLogout: "ENABLED" });
      const got = await client().getApp(app.id);
      expect(got).to.deep.include({ id: app.id, name: "cerby", label: "Cerby", status: "ACTIVE" });
      expect(got.universalLogout).to.include({ status: "ENABLED", protocol: "GLOBAL_TOKEN_REVOCATION" });
      expect(emu.server.requests[0].headers.authorization).to.equal("[redacted]");
    });

    it("reads USER_PROVISIONING as ENABLED, DISABLED, and NOT_SET_UP for Okta's 400 E0000001", async () => {
      const app = emu.addApp({});
      expect(await client().getProvisioning(app.id)).to.equal("ENABLED");
      emu.setProvisioning(app.id, "DISABLED");
      expect(await client().getProvisioning(app.id)).to.equal("DISABLED");
      emu.setProvisioning(app.id, "NOT_SET_UP");
      expect(await client().getProvisioning(app.id)).to.equal("NOT_SET_UP");
    });

    it("follows Link rel=next across pages", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(emu.addApp({ name: `paged_${i}`, label: `Paged ${i}` }).id);
      const apps = await client().listApps({ q: "paged", limit: 2 });
      expect(apps.map((a) => a.id)).to.deep.equal(ids);
      expect(emu.server.count({ pathPrefix: "/api/v1/apps" })).to.equal(3);
    });

    it("parses Link headers with several relations", () => {
      expect(
        parseLinkHeader(
          '<https://a.okta.com/api/v1/apps?limit=2>; rel="self", <https://a.okta.com/x?after=1>; rel="next"',
        ),
      ).to.deep.equal({ self: "https://a.okta.com/api/v1/apps?limit=2", next: "https://a.okta.com/x?after=1" });
      expect(parseLinkHeader(undefined)).to.deep.equal({});
    });

    it("express-configures Universal Logout (204)", async () => {
      const app = emu.addApp({});
      await client().expressConfigureUniversalLogout(app.id);
      expect(emu.getApp(app.id).universalLogout).to.equal("ENABLED");
    });
  });

  describe("OAuth service app (private_key_jwt)", () => {
    it("fetches one access token for several calls, with a signed assertion the org accepts", async () => {
      const app = emu.addApp({});
      const c = client(oauth());
      for (let i = 0; i < 3; i++) await c.getApp(app.id);
      expect(emu.tokenRequests).to.equal(1);
      expect(emu.server.count({ pathPrefix: "/api/v1/apps" })).to.equal(3);
    });

    it("accepts the private key as a JWK (kid from the JWK) and as an EC P-256 key (ES256)", async () => {
      const app = emu.addApp({});
      expect((await client(oauth({ privateKey: keys.jwkText, privateKeyId: undefined })).getApp(app.id)).id).to.equal(
        app.id,
      );
      const ec = await freshKeyPair("ES256");
      const ecClient = freshAppId();
      emu.addServiceApp({ clientId: ecClient, publicJwk: ec.publicJwk, scopes: ["okta.apps.read"] });
      const c = client({ kind: "oauth", clientId: ecClient, privateKey: ec.pem, scopes: ["okta.apps.read"] });
      expect((await c.getApp(app.id)).id).to.equal(app.id);
    });

    it("refreshes an access token that expires mid-run once, then succeeds", async () => {
      const app = emu.addApp({});
      const c = client(oauth());
      await c.getApp(app.id);
      emu.expireAllAccessTokens();
      await c.getApp(app.id);
      await c.getApp(app.id);
      expect(emu.tokenRequests).to.equal(2);
      expect(emu.server.requests.filter((r) => r.status === 401)).to.have.length(1);
    });

    it("never puts the API token, access token or assertion in errors or the emulator's log", async () => {
      const app = emu.addApp({});
      const c = client(oauth());
      await c.getApp(app.id);
      const e1 = await failure(c.getApp(freshAppId()));
      const e2 = await failure(client(ssws(freshSecret("00"))).getApp(app.id));
      const log = JSON.stringify(emu.server.requests);
      expect(log).not.to.contain(token);
      expect(log).not.to.match(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT
      for (const e of [e1, e2]) {
        expect(e.message).not.to.contain(token);
        expect(e.message).not.to.match(/eyJ[A-Za-z0-9_-]{10,}/);
      }
      expect(JSON.stringify(c)).not.to.contain(keys.d);
    });

    it("explains an unknown client (invalid_client) with what to check, without retrying", async () => {
      const e = await failure(client(oauth({ clientId: freshAppId() })).getApp(freshAppId()));
      expect(e.status).to.equal(401);
      expect(e.code).to.equal("invalid_client");
      expect(e.message).to.contain("okta:clientId");
      expect(e.message).to.contain("Public keys");
      expect(emu.tokenRequests).to.equal(1);
    });

    it("explains a scope the service app was not granted (invalid_scope)", async () => {
      const readOnly = freshAppId();
      emu.addServiceApp({ clientId: readOnly, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"] });
      const e = await failure(client(oauth({ clientId: readOnly })).getApp(freshAppId()));
      expect(e.code).to.equal("invalid_scope");
      expect(e.message).to.contain("Okta API Scopes");
    });

    it("says clearly that DPoP is not supported and how to proceed", async () => {
      const dpop = freshAppId();
      emu.addServiceApp({ clientId: dpop, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"], requireDpop: true });
      const e = await failure(client(oauth({ clientId: dpop, scopes: ["okta.apps.read"] })).getApp(freshAppId()));
      expect(e.code).to.equal("invalid_dpop_proof");
      expect(e.message).to.contain("requires DPoP, which this module does not support yet");
      expect(e.message).to.contain("Require Demonstrating Proof of Possession (DPoP) header in token requests");
      expect(emu.tokenRequests).to.equal(1);
    });
  });

  describe("errors", () => {
    it("401 E0000011 with an API token: says to create a new token, one request, no retry", async () => {
      const bad = freshSecret("00");
      const e = await failure(client(ssws(bad)).getApp(freshAppId()));
      expect(e.status).to.equal(401);
      expect(e.code).to.equal("E0000011");
      expect(e.message).to.contain("Security → API → Tokens");
      expect(e.message).to.match(/Okta request id: oae[0-9A-Za-z]+/);
      expect(e.message).not.to.contain(bad);
      expect(emu.server.count()).to.equal(1);
    });

    it("403 E0000006 for a missing admin role names the roles, no retry", async () => {
      const none = freshSecret("00");
      emu.addApiToken(none, { role: "NONE" });
      const app = emu.addApp({});
      const e = await failure(client(ssws(none)).getApp(app.id));
      expect(e.status).to.equal(403);
      expect(e.code).to.equal("E0000006");
      expect(e.message).to.contain("Application Administrator");
      expect(e.message).not.to.contain("Okta API Scopes");
      expect(emu.server.count()).to.equal(1);
    });

    it("403 with insufficient_scope names the missing scope, not a role", async () => {
      const readOnly = freshAppId();
      emu.addServiceApp({ clientId: readOnly, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"] });
      const app = emu.addApp({});
      const c = client(oauth({ clientId: readOnly, scopes: ["okta.apps.read"] }));
      const e = await failure(c.expressConfigureUniversalLogout(app.id));
      expect(e.status).to.equal(403);
      expect(e.message).to.contain("lacks the scope okta.apps.manage");
      expect(e.message).to.contain("Okta API Scopes");
      expect(emu.server.count({ pathPrefix: "/api/v1/apps" })).to.equal(1);
    });

    it("404 E0000007 says the app ID is not in this org, no retry", async () => {
      const id = freshAppId();
      const e = await failure(client().getApp(id));
      expect(e.status).to.equal(404);
      expect(e.message).to.contain(`App ${id} is not in the org ${emu.baseUrl}`);
      expect(emu.server.count()).to.equal(1);
    });

    it("400 is not retried and carries Okta's causes", async () => {
      const e = await failure(client().listApps({ filter: 'label sw "x"' }));
      expect(e.status).to.equal(400);
      expect(e.code).to.equal("E0000031");
      expect(e.message).to.contain("Unsupported filter expression");
      expect(emu.server.count()).to.equal(1);
    });

    it("waits for X-Rate-Limit-Reset: a drained bucket pauses every client of the origin, so none meets a 429", async () => {
      const app = emu.addApp({});
      emu.rateLimit = { limit: 2, windowMs: 1000 };
      await new Promise((r) => setTimeout(r, 1100)); // a fresh window
      emu.server.clearLog();
      const a = client();
      await a.getApp(app.id);
      await a.getApp(app.id); // remaining 0: `a` now waits for the reset
      const b = client();
      const t0 = Date.now();
      await b.getApp(app.id); // the pause is shared per origin: `b` waits for the reset too, no 429
      const statuses = emu.server.requests.map((r) => r.status);
      expect(statuses).to.deep.equal([200, 200, 200]);
      await a.getApp(app.id);
      expect(emu.server.count()).to.equal(4);
      expect(emu.server.requests.filter((r) => r.status === 429)).to.have.length(0);
      expect(Date.now() - t0).to.be.below(3500);
    });

    it("429 beyond the retry budget reports the rate limit and its reset time", async () => {
      const app = emu.addApp({});
      emu.rateLimit = { limit: 1, windowMs: 60_000 };
      const c = client(ssws(), { retry: { retries: 2, baseDelayMs: 5, maxWaitMs: 200 } });
      await c.getApp(app.id).catch(() => undefined); // drains the bucket (or already meets the 429)
      emu.server.clearLog();
      const e = await failure(c.getApp(app.id));
      expect(emu.server.count()).to.equal(1); // a reset a minute away is reported, not waited for
      expect(e.status).to.equal(429);
      expect(e.code).to.equal("E0000047");
      expect(e.message).to.match(/the limit resets at \d{4}-\d\d-\d\dT/);
      expect(e.message).to.contain("safe to repeat");
    });

    it("retries 503 and succeeds; explains 5xx beyond the budget as safe to repeat", async () => {
      const app = emu.addApp({});
      emu.server.inject({ kind: "status", status: 503, times: 2 });
      await client().getApp(app.id);
      expect(emu.server.count()).to.equal(3);
      emu.server.inject({ kind: "status", status: 500, times: 10 });
      const e = await failure(client(ssws(), { retry: { retries: 1, baseDelayMs: 5 } }).getApp(app.id));
      expect(e.message).to.contain("after 2 attempts");
      expect(e.message).to.contain("safe to repeat");
    });
  });
});
