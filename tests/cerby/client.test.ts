import { expect } from "chai";
import { failure } from "../helpers/errors";
import { CerbyClient } from "../../components/cerby/client";
import { CerbyEmulator } from "../emulators/cerby";
import { freshAppId, freshSecret } from "../helpers/keys";

describe("Cerby client against the emulator", () => {
  const emu = new CerbyEmulator();
  const adminKey = freshSecret("cby_");
  const memberKey = freshSecret("cby_");
  const appId = freshAppId();
  let url: string;

  const client = (key = adminKey, extra: Partial<ConstructorParameters<typeof CerbyClient>[0]> = {}) =>
    new CerbyClient({
      baseUrl: url,
      apiKey: () => key,
      appInstanceId: appId,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      ...extra,
    });

  before(async () => {
    await emu.start();
    emu.addWorkspace("acme");
    emu.addApiKey("acme", adminKey, { role: "admin" });
    emu.addApiKey("acme", memberKey, { role: "member" });
    url = emu.workspaceUrl("acme");
  });
  after(() => emu.stop());
  beforeEach(() => {
    emu.server.clearFaults();
    emu.server.clearLog();
    emu.setSetting("acme", { enabled: false });
  });

  it("reads, enables and disables the Universal Logout setting", async () => {
    const c = client();
    expect(await c.getUniversalLogout()).to.include({ enabled: false, appInstanceId: null });
    const on = await c.putUniversalLogout(true, appId);
    expect(on).to.include({ enabled: true, appInstanceId: appId });
    expect(emu.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
    const off = await c.putUniversalLogout(false, null);
    expect(off).to.include({ enabled: false, appInstanceId: null });
  });

  it("refuses a PUT whose answer is not what was asked (another App instance ID, or still on), naming both", async () => {
    const other = freshAppId();
    const answer = (enabled: boolean, id: string | null) => ({
      data: {
        id: "okta",
        type: "universal-logout-settings",
        attributes: { provider: "okta", enabled, appInstanceId: id, updatedAt: null, updatedBy: null },
      },
    });
    emu.server.inject({ kind: "status", status: 200, times: 1, method: "PUT", body: answer(true, other) });
    const e = await failure(client().putUniversalLogout(true, appId));
    expect(e.message).to.contain(
      `Cerby did not store what was asked (Universal Logout on with App instance ID ${appId})`,
    );
    expect(e.message).to.contain(`on with App instance ID ${other}`);
    expect(e.message).to.match(/^Cerby: could not enable Okta Universal Logout: PUT /);
    emu.server.inject({ kind: "status", status: 200, times: 1, method: "PUT", body: answer(true, appId) });
    const off = await failure(client().putUniversalLogout(false, null));
    expect(off.message).to.contain("Cerby did not store what was asked (Universal Logout off)");
  });

  it("reads the IdP settings of the workspace", async () => {
    expect(await client().getIdpSettings()).to.include({ idpType: "okta", scimEnabled: true });
  });

  it("sends the API key only as X-API-Key and the emulator log never holds it", async () => {
    await client().getUniversalLogout();
    expect(emu.server.requests[0].headers["x-api-key"]).to.equal("[redacted]");
    expect(JSON.stringify(emu.server.requests)).not.to.contain(adminKey);
  });

  it("uses a configurable settings path", async () => {
    const other = new CerbyEmulator({ settingsPath: "/api/v2/workspace/idp" });
    await other.start();
    try {
      other.addWorkspace("beta");
      other.addApiKey("beta", adminKey, { role: "owner" });
      const c = new CerbyClient({
        baseUrl: other.workspaceUrl("beta"),
        apiKey: () => adminKey,
        settingsPath: "/api/v2/workspace/idp",
      });
      expect((await c.putUniversalLogout(true, appId)).enabled).to.equal(true);
      expect(other.server.requests.map((r) => r.path)).to.include("/ws/beta/api/v2/workspace/idp/universal-logout");
    } finally {
      await other.stop();
    }
  });

  it("explains a 401 (bad key) without echoing the key, and does not retry", async () => {
    const bad = freshSecret("cby_");
    const e = await failure(client(bad).getUniversalLogout());
    expect(e.status).to.equal(401);
    expect(e.message).to.match(/Cerby: could not read the Universal Logout setting/);
    expect(e.message).to.match(/pulumi config set --secret cerby:apiKey/);
    expect(e.message).to.match(/request id: [0-9a-f-]{36}/);
    expect(e.message).not.to.contain(bad);
    expect(emu.server.count()).to.equal(1);
  });

  it("explains a 403 by naming the roles that can change IdP settings, and does not retry", async () => {
    const e = await failure(client(memberKey).putUniversalLogout(true, appId));
    expect(e.status).to.equal(403);
    expect(e.message).to.contain("Owner, Super Admin or Admin role");
    expect(emu.server.count()).to.equal(1);
    expect(emu.getSetting("acme").enabled).to.equal(false);
  });

  it("explains a 404 on the settings path with the web-app steps, the App instance Id to paste and manual mode", async () => {
    const e = await failure(client(adminKey, { settingsPath: "/api/v1/nope" }).getUniversalLogout());
    expect(e.status).to.equal(404);
    expect(e.message).to.contain("IDP Settings tab → Universal Logout");
    expect(e.message).to.contain(appId);
    expect(e.message).to.contain("cerby:mode manual");
    expect(emu.server.count()).to.equal(1);
  });

  it("reports a 400 validation error with the field Cerby named, leniently parsed", async () => {
    const e = await failure(client().putUniversalLogout(true, "0oa-not-an-id"));
    expect(e.status).to.equal(400);
    expect(e.code).to.equal("validation_error");
    expect(e.message).to.contain("data.attributes.appInstanceId");
    expect(emu.server.count()).to.equal(1);
  });

  it("retries 503s with backoff and succeeds within the budget", async () => {
    emu.server.inject({ kind: "status", status: 503, times: 2 });
    expect((await client().getUniversalLogout()).enabled).to.equal(false);
    expect(emu.server.count()).to.equal(3);
  });

  it("gives up after the retry budget with a clear 5xx error", async () => {
    emu.server.inject({ kind: "status", status: 500, times: 10 });
    const e = await failure(
      client(adminKey, { retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 10 } }).getUniversalLogout(),
    );
    expect(e.status).to.equal(500);
    expect(e.message).to.contain("after 3 attempts");
    expect(e.message).to.contain("safe to repeat");
    expect(emu.server.count()).to.equal(3);
  });

  it("honours Retry-After on 429", async () => {
    emu.server.inject({ kind: "status", status: 429, times: 1, headers: { "Retry-After": "1" } });
    const t0 = Date.now();
    await client().getUniversalLogout();
    expect(Date.now() - t0).to.be.at.least(950);
    expect(emu.server.count()).to.equal(2);
  });

  it("backs off on 429 without Retry-After and then succeeds", async () => {
    emu.server.inject({ kind: "status", status: 429, times: 2 });
    await client().getUniversalLogout();
    expect(emu.server.count()).to.equal(3);
  });

  it("does not wait when Retry-After is beyond the longest wait: it reports the rate limit", async () => {
    emu.server.inject({ kind: "status", status: 429, times: 1, headers: { "Retry-After": "600" } });
    const e = await failure(client().getUniversalLogout());
    expect(e.status).to.equal(429);
    // What Cerby asked for, not a retry budget that was never used.
    expect(e.message).to.contain("Cerby asked to wait 600 s (Retry-After)");
    expect(e.message).not.to.contain("retry budget");
    expect(emu.server.count()).to.equal(1);
  });

  it("retries a connection reset", async () => {
    emu.server.inject({ kind: "reset", times: 1 });
    await client().getUniversalLogout();
    expect(emu.server.count()).to.equal(2);
  });

  it("retries a malformed JSON body, then explains it if it persists", async () => {
    emu.server.inject({ kind: "malformed", times: 1 });
    await client().getUniversalLogout();
    expect(emu.server.count()).to.equal(2);
    emu.server.clearLog();
    emu.server.inject({ kind: "malformed", times: 10 });
    const e = await failure(client(adminKey, { retry: { retries: 1, baseDelayMs: 5 } }).getUniversalLogout());
    expect(e.message).to.contain("not valid JSON");
    expect(emu.server.count()).to.equal(2);
  });

  it("times out a slow answer, retries, and says so when every attempt times out", async () => {
    emu.server.inject({ kind: "delay", ms: 400, times: 10 });
    const e = await failure(
      client(adminKey, { timeoutMs: 100, retry: { retries: 1, baseDelayMs: 5 } }).getUniversalLogout(),
    );
    expect(e.status).to.equal(undefined);
    expect(e.message).to.contain("did not answer in time");
    expect(emu.server.count()).to.equal(2);
  });

  it("repeats an enabling PUT safely after a reset: one state, unchanged updatedAt", async () => {
    await client().putUniversalLogout(true, appId);
    const first = emu.getSetting("acme").updatedAt;
    emu.server.inject({ kind: "reset", times: 1, method: "PUT" });
    await client().putUniversalLogout(true, appId);
    expect(emu.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId, updatedAt: first });
  });

  it("rejects an answer that is JSON but not the contract's shape, without guessing", async () => {
    emu.server.inject({
      kind: "status",
      status: 200,
      times: 1,
      body: { data: { type: "something-else", attributes: {} } },
    });
    const e = await failure(client().getUniversalLogout());
    expect(e.message).to.contain("unexpected response shape");
    expect(e.message).to.contain("cerby:settingsPath");
  });
});
