import { expect } from "chai";
import { oktaUniversalLogoutProvider as provider } from "../../components/okta/provider";
import { UNKNOWN } from "../../components/shared";
import { OktaConfigError, importOktaPrivateKey, oktaCredentials, oktaOrgUrl } from "../../components/okta/config";
import { OktaEmulator } from "../emulators/okta";
import { configOf } from "../helpers/serialize";
import { freshAppId, freshSecret } from "../helpers/keys";
import { TestKeyPair, freshKeyPair } from "./keys";

const OKTA_ENV = [
  "OKTA_API_TOKEN",
  "OKTA_API_CLIENT_ID",
  "OKTA_API_PRIVATE_KEY",
  "OKTA_API_PRIVATE_KEY_ID",
  "OKTA_API_SCOPES",
];

/** Bad input is reported by `check`, naming the property, before any request (check has no network path at all). */
describe("Okta resource check: bad input matrix", () => {
  const emu = new OktaEmulator();
  const token = freshSecret("00");
  const saved: Record<string, string | undefined> = {};
  let good: Record<string, unknown>;

  before(async () => {
    await emu.start();
    for (const k of OKTA_ENV) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
    good = { orgUrl: emu.baseUrl, appInstanceId: freshAppId() };
  });
  after(async () => {
    for (const k of OKTA_ENV) if (saved[k] !== undefined) process.env[k] = saved[k];
    await emu.stop();
  });
  beforeEach(() => provider.configure(configOf({ "okta:apiToken": token })));
  afterEach(() => expect(emu.server.requests).to.have.length(0));

  it("accepts good input and fills the defaults", async () => {
    const r = await provider.check!({}, good);
    expect(r.failures).to.deep.equal([]);
    expect(r.inputs).to.deep.equal({
      ...good,
      mode: "verify",
      waitTimeoutSeconds: 600,
      pollIntervalSeconds: 10,
      requireProvisioning: false,
      status: "ENABLED",
    });
  });

  it("sets the status the mode asks of Okta (none in warn mode), whatever a caller gives", async () => {
    for (const mode of ["verify", "enforce", "wait"]) {
      expect((await provider.check!({}, { ...good, mode, status: "DISABLED" })).inputs!.status, mode).to.equal(
        "ENABLED",
      );
    }
    const warn = (await provider.check!({}, { ...good, mode: "warn", status: "ENABLED" })).inputs;
    expect(warn).not.to.have.property("status");
  });

  it("skips validation of values not known yet (preview of a new app)", async () => {
    const r = await provider.check!({}, { ...good, appInstanceId: UNKNOWN, mode: UNKNOWN });
    expect(r.failures).to.deep.equal([]);
  });

  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["missing orgUrl", { orgUrl: undefined }, "orgUrl", /is required/],
    ["http orgUrl off loopback", { orgUrl: "http://acme.okta.com" }, "orgUrl", /must use https/],
    ["orgUrl with a path", { orgUrl: "https://acme.okta.com/admin" }, "orgUrl", /without a path/],
    ["orgUrl of the admin console", { orgUrl: "https://acme-admin.okta.com" }, "orgUrl", /without "-admin"/],
    ["orgUrl with credentials", { orgUrl: "https://u:p@acme.okta.com" }, "orgUrl", /must not carry credentials/],
    ["orgUrl not a URL", { orgUrl: "acme" }, "orgUrl", /is not a URL/],
    ["missing App instance ID", { appInstanceId: undefined }, "appInstanceId", /is required/],
    ["user ID instead of an app ID", { appInstanceId: "00u6a9uwbalsZ4enC0x7" }, "appInstanceId", /starting with 0oa/],
    ["App instance ID too long", { appInstanceId: "0oa" + "x".repeat(300) }, "appInstanceId", /not an Okta app ID/],
    ["unknown mode", { mode: "auto" }, "mode", /"verify".*"warn".*"enforce".*"wait"/],
    ["zero timeout", { waitTimeoutSeconds: 0 }, "waitTimeoutSeconds", /from 1 to 3600/],
    ["timeout too long", { waitTimeoutSeconds: 7200 }, "waitTimeoutSeconds", /from 1 to 3600/],
    ["fractional poll interval", { pollIntervalSeconds: 1.5 }, "pollIntervalSeconds", /whole number/],
    ["poll interval as a string", { pollIntervalSeconds: "10" }, "pollIntervalSeconds", /from 1 to 300/],
    ["requireProvisioning not a boolean", { requireProvisioning: "yes" }, "requireProvisioning", /not a boolean/],
  ];
  for (const [name, patch, property, reason] of cases) {
    it(`reports ${name} on ${property}`, async () => {
      const r = await provider.check!({}, { ...good, ...patch });
      expect(r.failures).to.have.length(1);
      expect(r.failures![0].property).to.equal(property);
      expect(r.failures![0].reason).to.match(reason);
    });
  }

  describe("credentials", () => {
    let keys: TestKeyPair;
    before(async () => (keys = await freshKeyPair()));

    const credentialFailure = async (config: Record<string, string>, inputs: Record<string, unknown> = {}) => {
      await provider.configure(configOf(config));
      const r = await provider.check!({}, { ...good, ...inputs });
      expect(r.failures).to.have.length(1);
      expect(r.failures![0].property).to.equal("credentials");
      const reason = r.failures![0].reason;
      for (const secret of [token, keys.pem, keys.d, "MII"]) expect(reason).not.to.contain(secret);
      return reason;
    };

    it("none set: says exactly which config to set", async () => {
      const reason = await credentialFailure({});
      expect(reason).to.contain("pulumi config set --secret okta:apiToken");
      expect(reason).to.contain("okta:clientId");
      expect(reason).to.contain("okta:privateKey");
    });

    it("API token and service app both set: rejected, naming both", async () => {
      const reason = await credentialFailure({
        "okta:apiToken": token,
        "okta:clientId": freshAppId(),
        "okta:privateKey": keys.pem,
      });
      expect(reason).to.contain("okta:apiToken and okta:clientId/okta:privateKey are both set");
    });

    it("client ID without a private key, and the reverse", async () => {
      expect(await credentialFailure({ "okta:clientId": freshAppId() })).to.match(/^okta:privateKey is not set/);
      expect(await credentialFailure({ "okta:privateKey": keys.pem })).to.match(/^okta:clientId is not set/);
    });

    it("a private key that is not a key, without echoing it", async () => {
      const garbage = "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----";
      const reason = await credentialFailure({ "okta:clientId": freshAppId(), "okta:privateKey": garbage });
      expect(reason).to.match(/^okta:privateKey is not a PEM or JWK private key: /);
      expect(reason).not.to.contain("not base64");
    });

    it("a JWK that is public only, or malformed JSON, without echoing it", async () => {
      const { d: _d, ...pub } = JSON.parse(keys.jwkText) as Record<string, unknown>;
      expect(
        await credentialFailure({ "okta:clientId": freshAppId(), "okta:privateKey": JSON.stringify(pub) }),
      ).to.contain('has no "d"');
      const broken = keys.jwkText.slice(0, 60);
      const reason = await credentialFailure({ "okta:clientId": freshAppId(), "okta:privateKey": broken });
      expect(reason).to.contain("not valid JSON");
      expect(reason).not.to.contain(broken.slice(10));
    });

    it("scopes without okta.apps.manage in enforce mode", async () => {
      const reason = await credentialFailure(
        { "okta:clientId": freshAppId(), "okta:privateKey": keys.pem, "okta:scopes": "okta.apps.read" },
        { mode: "enforce" },
      );
      expect(reason).to.contain("lacks okta.apps.manage");
    });

    it("an API token pasted with its scheme", async () => {
      expect(await credentialFailure({ "okta:apiToken": `SSWS ${token}` })).to.contain('without "SSWS "');
    });

    it("accepts a service app key given as PEM, as JWK, and through OKTA_* variables", async () => {
      for (const privateKey of [keys.pem, keys.jwkText]) {
        await provider.configure(configOf({ "okta:clientId": freshAppId(), "okta:privateKey": privateKey }));
        expect((await provider.check!({}, good)).failures).to.deep.equal([]);
      }
      await provider.configure(configOf({}));
      process.env.OKTA_API_CLIENT_ID = freshAppId();
      process.env.OKTA_API_PRIVATE_KEY = keys.pem.replace(/\n/g, "\\n"); // as CI secrets often arrive
      try {
        expect((await provider.check!({}, good)).failures).to.deep.equal([]);
      } finally {
        delete process.env.OKTA_API_CLIENT_ID;
        delete process.env.OKTA_API_PRIVATE_KEY;
      }
    });
  });
});

describe("Okta config helpers", () => {
  it("builds the org URL from okta:orgName and okta:baseUrl", () => {
    expect(oktaOrgUrl({ orgName: "acme" })).to.equal("https://acme.okta.com");
    expect(oktaOrgUrl({ orgName: "dev-123", baseUrl: "oktapreview.com" })).to.equal("https://dev-123.oktapreview.com");
    expect(oktaOrgUrl({ orgUrl: "http://127.0.0.1:8080/" })).to.equal("http://127.0.0.1:8080");
  });

  it("rejects unusable org settings, naming the key", () => {
    const fails = (s: Parameters<typeof oktaOrgUrl>[0], key: string, re: RegExp) => {
      try {
        oktaOrgUrl(s);
      } catch (e) {
        expect(e).to.be.instanceOf(OktaConfigError);
        expect((e as OktaConfigError).key).to.equal(key);
        expect((e as Error).message).to.match(re);
        return;
      }
      throw new Error(`expected ${JSON.stringify(s)} to be rejected`);
    };
    fails({}, "okta:orgName", /pulumi config set okta:orgName/);
    fails({ orgName: "acme.okta.com" }, "okta:orgName", /only the subdomain/);
    fails({ orgName: "acme-admin" }, "okta:orgName", /without "-admin"/);
    fails({ orgName: "acme", baseUrl: "okta com" }, "okta:baseUrl", /not an Okta domain/);
    fails({ orgName: "acme", orgUrl: "https://acme.okta.com" }, "orgUrl", /both set/);
  });

  it("reads scopes separated by commas or spaces, with defaults by mode", async () => {
    const keys = await freshKeyPair("ES256");
    const get = (scopes?: string) => (k: string) =>
      ({ "okta:clientId": "0oa1", "okta:privateKey": keys.pem, ...(scopes ? { "okta:scopes": scopes } : {}) })[k];
    const scopesOf = (c: ReturnType<typeof oktaCredentials>) => (c.kind === "oauth" ? c.scopes : []);
    expect(scopesOf(oktaCredentials(get(), {}, "verify"))).to.deep.equal(["okta.apps.read"]);
    expect(scopesOf(oktaCredentials(get(), {}, "enforce"))).to.deep.equal(["okta.apps.read", "okta.apps.manage"]);
    expect(scopesOf(oktaCredentials(get("okta.apps.read, okta.apps.manage"), {}))).to.deep.equal([
      "okta.apps.read",
      "okta.apps.manage",
    ]);
    expect(scopesOf(oktaCredentials(get("okta.apps.read okta.users.read"), {}))).to.deep.equal([
      "okta.apps.read",
      "okta.users.read",
    ]);
    expect(importOktaPrivateKey(keys.pem, "k1")).to.include({ alg: "ES256", kid: "k1" });
  });
});
