import { expect } from "chai";
import { cerbyUniversalLogoutProvider as provider } from "../../components/cerby/provider";
import { configOf } from "../helpers/serialize";
import { freshAppId, freshSecret } from "../helpers/keys";

/** Bad input is reported by `check`, naming the property, before any request (check has no network path at all). */
describe("Cerby resource check: bad input matrix", () => {
  const good = { workspace: "acme", appInstanceId: freshAppId() };
  before(() => provider.configure(configOf({ "cerby:apiKey": freshSecret("cby_") })));

  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["upper-case workspace", { workspace: "Acme" }, "workspace", /not a Cerby workspace name/],
    ["workspace with a dot", { workspace: "a.b" }, "workspace", /lower-case subdomain/],
    ["host injection with #", { workspace: "evil.com#" }, "workspace", /not a Cerby workspace name/],
    ["dot-dot", { workspace: ".." }, "workspace", /not a Cerby workspace name/],
    ["percent-encoded dot", { workspace: "%2e" }, "workspace", /not a Cerby workspace name/],
    ["unicode look-alike (Cyrillic a)", { workspace: "\u0430cme" }, "workspace", /not a Cerby workspace name/],
    ["64-character label", { workspace: "a".repeat(64) }, "workspace", /at most 63/],
    ["trailing hyphen", { workspace: "acme-" }, "workspace", /not a Cerby workspace name/],
    ["number instead of a name", { workspace: 42 }, "workspace", /not a Cerby workspace name/],
    ["neither workspace nor baseUrl", { workspace: undefined }, "workspace", /is required/],
    ["both workspace and baseUrl", { baseUrl: "https://cerby.example.com" }, "baseUrl", /either workspace or baseUrl/],
    [
      "http baseUrl off loopback",
      { workspace: undefined, baseUrl: "http://cerby.example.com" },
      "baseUrl",
      /must use https/,
    ],
    [
      "baseUrl with credentials",
      { workspace: undefined, baseUrl: "https://u:p@cerby.example.com" },
      "baseUrl",
      /must not carry credentials/,
    ],
    [
      "baseUrl with an empty fragment",
      { workspace: undefined, baseUrl: "https://cerby.example.com#" },
      "baseUrl",
      /must not have a query or fragment/,
    ],
    [
      "baseUrl with an empty query",
      { workspace: undefined, baseUrl: "https://cerby.example.com?" },
      "baseUrl",
      /must not have a query or fragment/,
    ],
    ["baseUrl that is not a URL", { workspace: undefined, baseUrl: "cerby" }, "baseUrl", /is not a URL/],
    ["empty App instance ID", { appInstanceId: "" }, "appInstanceId", /is required/],
    ["App instance ID too short", { appInstanceId: "0oa123" }, "appInstanceId", /not an Okta app ID/],
    [
      "App instance ID with a user prefix",
      { appInstanceId: "00u6a9uwbalsZ4enC0x7" },
      "appInstanceId",
      /starting with 0oa/,
    ],
    [
      "App instance ID with look-alike",
      { appInstanceId: "0oa6a9uwbalsZ4enC0x\u0445" },
      "appInstanceId",
      /not an Okta app ID/,
    ],
    ["App instance ID too long", { appInstanceId: "0oa" + "x".repeat(500) }, "appInstanceId", /not an Okta app ID/],
    ["unknown mode", { mode: "auto" }, "mode", /"api".*"manual"/],
    ["settingsPath with ..", { settingsPath: "/api/../admin" }, "settingsPath", /not a settings path/],
    ["settingsPath with a query", { settingsPath: "/api/v1?x=1" }, "settingsPath", /not a settings path/],
    ["enabled not a boolean", { enabled: "yes" }, "enabled", /not a boolean/],
    [
      "requireScimProvisioning not a boolean",
      { requireScimProvisioning: 1 },
      "requireScimProvisioning",
      /not a boolean/,
    ],
  ];

  for (const [name, patch, property, reason] of cases) {
    it(`rejects ${name} on ${property}`, async () => {
      const r = await provider.check!({}, { ...good, ...patch });
      const f = (r.failures ?? []).find((x) => x.property === property);
      expect(f, JSON.stringify(r.failures)).to.not.equal(undefined);
      expect(f!.reason).to.match(reason);
    });
  }

  it("accepts good input, applies defaults and reports no failure", async () => {
    const r = await provider.check!({}, good);
    expect(r.failures).to.deep.equal([]);
    expect(r.inputs).to.include({ mode: "api", enabled: true, settingsPath: "/api/v1/settings/idp" });
  });

  it("accepts an http loopback baseUrl (emulators)", async () => {
    const r = await provider.check!(
      {},
      { appInstanceId: good.appInstanceId, baseUrl: "http://127.0.0.1:8080/ws/acme" },
    );
    expect(r.failures).to.deep.equal([]);
  });

  it("lets an App instance ID that is not known yet through (preview of a new Okta app)", async () => {
    const r = await provider.check!({}, { ...good, appInstanceId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
    expect(r.failures).to.deep.equal([]);
  });

  it("fails on the API key, naming the config key, when api mode has no key", async () => {
    const saved = process.env.CERBY_API_KEY;
    delete process.env.CERBY_API_KEY;
    await provider.configure(configOf({}));
    try {
      const r = await provider.check!({}, good);
      expect(r.failures?.[0].property).to.equal("apiKey");
      expect(r.failures?.[0].reason).to.contain("pulumi config set --secret cerby:apiKey");
      const manual = await provider.check!({}, { ...good, mode: "manual" });
      expect(manual.failures).to.deep.equal([]);
    } finally {
      if (saved !== undefined) process.env.CERBY_API_KEY = saved;
      await provider.configure(configOf({ "cerby:apiKey": freshSecret("cby_") }));
    }
  });
});
