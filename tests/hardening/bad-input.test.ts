/**
 * Bad-input suite: config keys and resource inputs with wrong types, empty, too long, unicode look-alikes,
 * host-injection attempts, plain-http non-loopback URLs, malformed app IDs and keys — each fails at config/check time
 * with a message naming the field, and no request writes anything. Problems only a read can reveal (a Cerby key without
 * the role, an Okta token without the scope, an UNSUPPORTED or INACTIVE app, ambiguous labels) fail before any write.
 */
import { expect } from "chai";
import { loadProgramConfig } from "../../components/config";
import { cerbyUniversalLogoutProvider as cerbyProvider } from "../../components/cerby/provider";
import { oktaUniversalLogoutProvider as oktaProvider } from "../../components/okta/provider";
import { Engine } from "../e2e/engine";
import { configOf } from "../helpers/serialize";
import { freshAppId, freshSecret } from "../helpers/keys";
import { freshKeyPair } from "../okta/keys";
import { HTTP_ENV, Rig, WORKSPACE, errorsOf, registerArtifact, startRig, useProgramHttpEnv } from "./harness";

const LOOKALIKE = "\u0430cme"; // Cyrillic "а"
const HOST_INJECTIONS = ["evil.com#", "a.b", "..", "%2e", "acme.evil.com", "acme/../x", "acme@evil", "acme:443"];

describe("hardening: bad input fails at config/check time, naming the field, with no write", function () {
  this.timeout(30000);
  let rig: Rig;
  let restoreEnv: () => void;
  const noRequests = () => {
    expect(rig.cerby.server.requests, "Cerby requests").to.have.length(0);
    expect(rig.okta.server.requests, "Okta requests").to.have.length(0);
  };
  const noWrites = () => {
    expect(rig.cerby.server.writes(), "Cerby writes").to.have.length(0);
    expect(
      rig.okta.server.writes().filter((r) => r.path !== "/oauth2/v1/token"),
      "Okta writes",
    ).to.have.length(0);
  };

  before(async () => {
    restoreEnv = useProgramHttpEnv();
    rig = await startRig({ auth: "ssws" });
  });
  after(async () => {
    await rig.stop();
    restoreEnv();
  });
  beforeEach(() => {
    rig.cerby.server.clearLog();
    rig.okta.server.clearLog();
  });

  describe("stack config (loadProgramConfig)", () => {
    const good = { "cerby:workspace": "acme", "okta:orgName": "acme" };
    const cases: Array<[string, Record<string, string>, string]> = [
      ...HOST_INJECTIONS.map((w): [string, Record<string, string>, string] => [
        `workspace ${JSON.stringify(w)}`,
        { "cerby:workspace": w },
        "cerby:workspace",
      ]),
      ["workspace look-alike", { "cerby:workspace": LOOKALIKE }, "cerby:workspace"],
      ["workspace too long", { "cerby:workspace": "a".repeat(64) }, "cerby:workspace"],
      ["workspace empty (required)", { "cerby:workspace": "" }, "cerby:workspace"],
      [
        "baseUrl http non-loopback",
        { "cerby:workspace": "", "cerby:baseUrl": "http://cerby.example.com" },
        "cerby:baseUrl",
      ],
      [
        "baseUrl http look-alike loopback",
        { "cerby:workspace": "", "cerby:baseUrl": "http://127.0.0.1.evil.com" },
        "cerby:baseUrl",
      ],
      [
        "baseUrl with credentials",
        { "cerby:workspace": "", "cerby:baseUrl": "https://u:p@x.example.com" },
        "cerby:baseUrl",
      ],
      ["baseUrl not a URL", { "cerby:workspace": "", "cerby:baseUrl": "acme" }, "cerby:baseUrl"],
      ["settingsPath traversal", { "cerby:settingsPath": "/api/../admin" }, "cerby:settingsPath"],
      ["settingsPath encoded traversal", { "cerby:settingsPath": "/%2e%2e/x" }, "cerby:settingsPath"],
      ["settingsPath protocol-relative", { "cerby:settingsPath": "//evil.com/x" }, "cerby:settingsPath"],
      ["mode wrong value", { "cerby:mode": "API" }, "cerby:mode"],
      [
        "requireScimProvisioning not a boolean",
        { "cerby:requireScimProvisioning": "yes" },
        "cerby:requireScimProvisioning",
      ],
      ["appInstanceId malformed", { "cerby:appInstanceId": "0oa123" }, "cerby:appInstanceId"],
      ["appInstanceId user ID", { "cerby:appInstanceId": "00u6a9uwbalsZ4enC0x7" }, "cerby:appInstanceId"],
      ["appInstanceId look-alike", { "cerby:appInstanceId": "0oa6a9uwbalsZ4enC0x\u0445" }, "cerby:appInstanceId"],
      ["appInstanceId path injection", { "cerby:appInstanceId": "0oa6a9uwbalsZ4enC0x7/../x" }, "cerby:appInstanceId"],
      ["appInstanceId too long", { "cerby:appInstanceId": "0oa" + "x".repeat(500) }, "cerby:appInstanceId"],
      ["appLabel too long", { "cerby:appLabel": "x".repeat(101) }, "cerby:appLabel"],
      [
        "appLabel with appInstanceId",
        { "cerby:appLabel": "Cerby", "cerby:appInstanceId": freshAppId() },
        "cerby:appLabel",
      ],
      ["oktaMode wrong value", { "cerby:oktaMode": "sometimes" }, "cerby:oktaMode"],
      [
        "oktaWaitTimeoutSeconds not a number",
        { "cerby:oktaWaitTimeoutSeconds": "abc" },
        "cerby:oktaWaitTimeoutSeconds",
      ],
      ["oktaWaitTimeoutSeconds too big", { "cerby:oktaWaitTimeoutSeconds": "7200" }, "cerby:oktaWaitTimeoutSeconds"],
      ["oktaPollIntervalSeconds negative", { "cerby:oktaPollIntervalSeconds": "-1" }, "cerby:oktaPollIntervalSeconds"],
      ["requireProvisioning not a boolean", { "cerby:requireProvisioning": "1" }, "cerby:requireProvisioning"],
      ["bindings not JSON", { "cerby:bindings": "not json" }, "cerby:bindings"],
      ["bindings empty array", { "cerby:bindings": "[]" }, "cerby:bindings"],
      ["bindings entry a number", { "cerby:bindings": "[1]" }, "cerby:bindings[0]"],
      ["bindings entry null", { "cerby:bindings": "[null]" }, "cerby:bindings[0]"],
      ["bindings entry a string", { "cerby:bindings": '["acme"]' }, "cerby:bindings[0]"],
      ["bindings workspace wrong type", { "cerby:bindings": '[{"workspace":5}]' }, "cerby:bindings[0].workspace"],
      ["bindings unknown key", { "cerby:bindings": '[{"workspace":"acme","foo":1}]' }, "cerby:bindings[0].foo"],
      ["httpTimeoutMs not a number", { "cerby:httpTimeoutMs": "abc" }, "cerby:httpTimeoutMs"],
      ["httpTimeoutMs zero (no timeout)", { "cerby:httpTimeoutMs": "0" }, "cerby:httpTimeoutMs"],
      ["httpRetries negative", { "cerby:httpRetries": "-1" }, "cerby:httpRetries"],
      [
        "oktaOrgUrl http non-loopback",
        { "okta:orgName": "", "cerby:oktaOrgUrl": "http://acme.okta.com" },
        "cerby:oktaOrgUrl",
      ],
      [
        "oktaOrgUrl admin host",
        { "okta:orgName": "", "cerby:oktaOrgUrl": "https://acme-admin.okta.com" },
        "cerby:oktaOrgUrl",
      ],
      ...HOST_INJECTIONS.map((w): [string, Record<string, string>, string] => [
        `okta:orgName ${JSON.stringify(w)}`,
        { "okta:orgName": w },
        "okta:orgName",
      ]),
      ["okta:orgName look-alike", { "okta:orgName": LOOKALIKE }, "okta:orgName"],
      ["okta:orgName empty (required)", { "okta:orgName": "" }, "okta:orgName"],
      ["okta:baseUrl injection", { "okta:baseUrl": "okta.com@evil.com" }, "okta:baseUrl"],
      ["okta:baseUrl look-alike", { "okta:baseUrl": "\u043ekta.com" }, "okta:baseUrl"],
      // Security review 6: any domain used to be accepted (acme.evil.example); custom domains use cerby:oktaOrgUrl.
      ["okta:baseUrl not an Okta domain", { "okta:baseUrl": "evil.example" }, "okta:baseUrl"],
      [
        "baseUrl with a backslash-@ (not in normal form)",
        { "cerby:workspace": "", "cerby:baseUrl": "https://evil.example\\@acme.cerby.com" },
        "cerby:baseUrl",
      ],
      [
        "baseUrl with a TAB (not in normal form)",
        { "cerby:workspace": "", "cerby:baseUrl": "https://acme.cer\tby.com" },
        "cerby:baseUrl",
      ],
      [
        "oktaOrgUrl with a TAB (not in normal form)",
        { "okta:orgName": "", "cerby:oktaOrgUrl": "https://acme.ok\tta.com" },
        "cerby:oktaOrgUrl",
      ],
    ];
    for (const [name, patch, key] of cases) {
      it(`${name} → ${key}`, () => {
        const values: Record<string, string> = { ...good, ...patch };
        expect(() => loadProgramConfig((k) => values[k])).to.throw(new RegExp(`- ${escape(key)}: `));
      });
    }
  });

  describe("resource inputs (provider.check of both providers, offline)", () => {
    before(async () => {
      await cerbyProvider.configure(configOf({ "cerby:apiKey": rig.cerbyKey }));
      await oktaProvider.configure(configOf({ "okta:apiToken": rig.oktaToken! }));
    });
    afterEach(noRequests);

    const cerbyGood = () => ({ baseUrl: rig.cerby.workspaceUrl(WORKSPACE), appInstanceId: rig.appId });
    const cerbyCases: Array<[string, Record<string, unknown>, string]> = [
      ...HOST_INJECTIONS.map((w): [string, Record<string, unknown>, string] => [
        `workspace ${JSON.stringify(w)}`,
        { baseUrl: undefined, workspace: w },
        "workspace",
      ]),
      ["workspace look-alike", { baseUrl: undefined, workspace: LOOKALIKE }, "workspace"],
      ["workspace wrong type", { baseUrl: undefined, workspace: ["acme"] }, "workspace"],
      ["baseUrl http non-loopback", { baseUrl: "http://cerby.example.com" }, "baseUrl"],
      ["baseUrl wrong type", { baseUrl: 42 }, "baseUrl"],
      ["appInstanceId empty", { appInstanceId: "" }, "appInstanceId"],
      ["appInstanceId wrong type", { appInstanceId: 12345678901234567890 }, "appInstanceId"],
      ["appInstanceId look-alike", { appInstanceId: "0oa6a9uwbalsZ4enC0x\u0445" }, "appInstanceId"],
      ["appInstanceId too long", { appInstanceId: "0oa" + "A".repeat(1000) }, "appInstanceId"],
      ["settingsPath wrong type", { settingsPath: 7 }, "settingsPath"],
      ["mode wrong type", { mode: true }, "mode"],
      ["enabled wrong type", { enabled: "true" }, "enabled"],
    ];
    for (const [name, patch, property] of cerbyCases) {
      it(`Cerby: ${name} → ${property}`, async () => {
        const r = await cerbyProvider.check!({}, { ...cerbyGood(), ...patch });
        expect(r.failures!.map((f) => f.property)).to.include(property);
      });
    }

    const oktaGood = () => ({ orgUrl: rig.okta.baseUrl, appInstanceId: rig.appId });
    const oktaCases: Array<[string, Record<string, unknown>, string]> = [
      ["orgUrl http non-loopback", { orgUrl: "http://acme.okta.com" }, "orgUrl"],
      ["orgUrl fragment injection", { orgUrl: "https://evil.com#.okta.com" }, "orgUrl"],
      ["orgUrl wrong type", { orgUrl: 1 }, "orgUrl"],
      ["orgUrl look-alike loopback", { orgUrl: "http://localhost.evil.com" }, "orgUrl"],
      ["appInstanceId malformed", { appInstanceId: "0oa!" }, "appInstanceId"],
      ["appInstanceId wrong type", { appInstanceId: { id: "0oa" } }, "appInstanceId"],
      ["mode wrong value", { mode: "ENFORCE" }, "mode"],
      ["waitTimeoutSeconds wrong type", { waitTimeoutSeconds: "600" }, "waitTimeoutSeconds"],
      ["pollIntervalSeconds too big", { pollIntervalSeconds: 301 }, "pollIntervalSeconds"],
      ["requireProvisioning wrong type", { requireProvisioning: "no" }, "requireProvisioning"],
    ];
    for (const [name, patch, property] of oktaCases) {
      it(`Okta: ${name} → ${property}`, async () => {
        const r = await oktaProvider.check!({}, { ...oktaGood(), ...patch });
        expect(r.failures!.map((f) => f.property)).to.include(property);
      });
    }

    it("Okta: a private key that is not a key → credentials, naming okta:privateKey, without echoing it", async () => {
      for (const bad of [
        "not a key",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        '{"kty":"RSA"}',
      ]) {
        await oktaProvider.configure(configOf({ "okta:clientId": "0oa" + "c".repeat(17), "okta:privateKey": bad }));
        const r = await oktaProvider.check!({}, oktaGood());
        const f = r.failures!.find((x) => x.property === "credentials");
        expect(f?.reason).to.contain("okta:privateKey");
        if (bad.length > 10) expect(f?.reason).not.to.contain(bad);
      }
      const pub = (await freshKeyPair("RS256")).publicJwk;
      await oktaProvider.configure(
        configOf({ "okta:clientId": "0oa" + "c".repeat(17), "okta:privateKey": JSON.stringify(pub) }),
      );
      expect((await oktaProvider.check!({}, oktaGood())).failures!.map((x) => x.reason).join()).to.match(/public key/);
      await oktaProvider.configure(configOf({ "okta:apiToken": rig.oktaToken! }));
    });

    it("Cerby: an invalid cerby:httpTimeoutMs / cerby:httpRetries is reported by check, not silently used", async () => {
      await cerbyProvider.configure(
        configOf({ "cerby:apiKey": rig.cerbyKey, "cerby:httpTimeoutMs": "-5", "cerby:httpRetries": "lots" }),
      );
      const r = await cerbyProvider.check!({}, cerbyGood());
      expect(r.failures!.map((f) => f.property)).to.include.members(["httpTimeoutMs", "httpRetries"]);
      expect(r.failures!.map((f) => f.reason).join("\n"))
        .to.contain("cerby:httpTimeoutMs")
        .and.contain("cerby:httpRetries");
      await cerbyProvider.configure(configOf({ "cerby:apiKey": rig.cerbyKey }));
    });
  });

  describe("through the engine (the program and the plugin)", () => {
    const config = () => rig.engine.opts.config;
    let saved: Record<string, string>;
    beforeEach(() => (saved = { ...config() }));
    afterEach(() => {
      for (const k of Object.keys(config())) delete config()[k];
      Object.assign(config(), saved);
      for (const s of [rig.cerby.server, rig.okta.server])
        registerArtifact("bad-input request log", JSON.stringify(s.requests));
    });

    it("a host-injection workspace fails the program's config check, naming the key, with no request at all", async () => {
      for (const w of HOST_INJECTIONS) {
        delete config()["cerby:baseUrl"];
        config()["cerby:workspace"] = w;
        const r = await rig.engine.up(rig.program);
        expect(errorsOf(r)).to.contain("cerby:workspace:").and.contain("is not a Cerby workspace name");
        noRequests();
      }
      expect(rig.engine.readState().resources).to.have.length(0);
    });

    it('a missing Cerby key fails the plugin\'s check ("check failed: apiKey") before any write', async () => {
      const engine = new Engine({
        statePath: `${rig.dir}/no-key.json`,
        config: { ...config(), "cerby:apiKey": "" },
        pluginEnv: { ...HTTP_ENV },
      });
      await engine.start();
      try {
        const r = await engine.up(rig.program);
        expect(errorsOf(r)).to.match(/check failed:\n\s+apiKey: no Cerby API key/);
        noWrites();
        expect(rig.cerby.server.requests).to.have.length(0);
      } finally {
        await engine.stop();
      }
    });

    /** Read-detectable problems: the label lookup in the program reads Okta and stops before any resource. */
    const lookupFails = async (pattern: RegExp) => {
      const r = await rig.engine.up(rig.program);
      registerArtifact("bad-input errors", errorsOf(r));
      expect(errorsOf(r)).to.match(pattern);
      noWrites();
      expect(rig.cerby.server.requests, "Cerby is not called").to.have.length(0);
      expect(rig.engine.readState().resources).to.have.length(0);
    };

    it("an UNSUPPORTED app fails before any write, saying why", async () => {
      rig.okta.removeApp(rig.appId);
      rig.appId = rig.okta.addApp({ label: "Cerby", universalLogout: "UNSUPPORTED" }).id;
      await lookupFails(
        new RegExp(`Okta reports Universal Logout UNSUPPORTED for the Cerby app "Cerby" \\(${rig.appId}\\)`),
      );
    });

    it("an INACTIVE app fails before any write, saying how to activate it", async () => {
      rig.okta.removeApp(rig.appId);
      rig.appId = rig.okta.addApp({ label: "Cerby", universalLogout: "ENABLED", status: "INACTIVE" }).id;
      await lookupFails(new RegExp(`Okta: the Cerby app ${rig.appId} "Cerby" in .* is INACTIVE`));
    });

    it("ambiguous labels (two ACTIVE apps labelled Cerby, any case) fail before any write, listing both", async () => {
      rig.okta.removeApp(rig.appId);
      rig.appId = rig.okta.addApp({ label: "Cerby", universalLogout: "ENABLED" }).id;
      const twin = rig.okta.addApp({ label: "CERBY", universalLogout: "ENABLED" }).id;
      await lookupFails(new RegExp(`2 ACTIVE apps .* labelled "Cerby": .*${rig.appId}.*${twin}.*set appInstanceId`));
      rig.okta.removeApp(twin);
    });

    it("a look-alike label matches nothing and fails before any write", async () => {
      config()["cerby:appLabel"] = "\u0421erby"; // Cyrillic "С"
      await lookupFails(/Okta: no app labelled "Сerby"/);
    });

    it("a Cerby key of a user without the role is refused on the first write, once, and nothing changes", async () => {
      const memberKey = freshSecret("cby_");
      rig.cerby.addApiKey(WORKSPACE, memberKey, { role: "member" });
      const engine = new Engine({
        statePath: `${rig.dir}/member.json`,
        config: { ...config(), "cerby:apiKey": memberKey },
        secretKeys: ["cerby:apiKey", "okta:apiToken"],
        pluginEnv: { ...HTTP_ENV },
      });
      await engine.start();
      try {
        const before = rig.cerby.getSetting(WORKSPACE);
        const r = await engine.up(rig.program);
        expect(errorsOf(r)).to.match(/Cerby: could not enable Okta Universal Logout: PUT .* HTTP 403/);
        expect(errorsOf(r)).to.contain("needs the workspace Owner, Super Admin or Admin role");
        expect(errorsOf(r)).not.to.contain(memberKey);
        // The assumed Cerby contract has no endpoint that tells a key's role, so the first PUT is how it shows: it is
        // refused (403, not retried) and the setting is untouched; Okta is never reached.
        expect(rig.cerby.server.writes().map((w) => w.status)).to.deep.equal([403]);
        expect(rig.cerby.getSetting(WORKSPACE)).to.deep.equal(before);
        expect(rig.okta.server.writes(), "Okta writes").to.have.length(0);
      } finally {
        await engine.stop();
      }
    });
  });

  describe("an OAuth service app", () => {
    let oauth: Rig;
    before(async () => {
      // The service app is granted only okta.users.read, and its token asks for that: it lacks okta.apps.read.
      oauth = await startRig({ auth: "oauth", scopes: ["okta.users.read"], requestScopes: "okta.users.read" });
    });
    after(() => oauth.stop());

    it("whose token lacks okta.apps.read fails at the label lookup, naming the scope, before any write", async () => {
      const r = await oauth.engine.up(oauth.program);
      expect(errorsOf(r)).to.contain('Okta: could not list the apps matching "Cerby"');
      expect(errorsOf(r)).to.match(/HTTP 403 .*lacks the scope okta\.apps\.read/);
      expect(oauth.cerby.server.requests).to.have.length(0);
      expect(oauth.okta.server.writes().filter((w) => w.path !== "/oauth2/v1/token")).to.have.length(0);
    });

    it("that asks for a scope it was not granted fails at the token request, naming the scope", async () => {
      oauth.engine.opts.config["okta:scopes"] = "okta.apps.read";
      const r = await oauth.engine.up(oauth.program);
      expect(errorsOf(r)).to.contain("Okta: could not get an access token for the service app");
      expect(errorsOf(r)).to.match(/invalid_scope.*okta\.apps\.read/);
      expect(oauth.cerby.server.requests).to.have.length(0);
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
