import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from "jose";
import { CerbyEmulator, GTR_PATH } from "./cerby";

const APP_ID = "0oa6a9uwbalsZ4enC0x7";
const UL = "/api/v1/settings/idp/universal-logout";

async function call(
  url: string,
  init: { method?: string; key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key) headers["X-API-Key"] = init.key;
  let body: string | undefined = init.raw;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, { method: init.method ?? "GET", headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

function putBody(enabled: boolean, appInstanceId?: string | null, extra: Record<string, unknown> = {}) {
  return {
    data: { type: "universal-logout-settings", attributes: { provider: "okta", enabled, appInstanceId, ...extra } },
  };
}

describe("CerbyEmulator", () => {
  let cerby: CerbyEmulator;
  let acme: string;

  beforeEach(async () => {
    cerby = new CerbyEmulator();
    await cerby.start();
    cerby.addWorkspace("acme");
    cerby.addWorkspace("other");
    cerby.addApiKey("acme", "admin-key", { role: "admin", userId: "u-admin" });
    cerby.addApiKey("acme", "member-key", { role: "member" });
    cerby.addApiKey("acme", "expired-key", { role: "owner", expiresAt: new Date(Date.now() - 1000) });
    cerby.addApiKey("acme", "deleted-key", { role: "owner", deleted: true });
    cerby.addApiKey("other", "other-key", { role: "owner" });
    acme = cerby.workspaceUrl("acme");
  });

  afterEach(() => cerby.stop());

  describe("auth", () => {
    for (const [name, key] of [
      ["missing", undefined],
      ["unknown", "nope"],
      ["expired", "expired-key"],
      ["deleted", "deleted-key"],
      ["other workspace's", "other-key"],
    ] as const) {
      it(`401 for a ${name} key`, async () => {
        const r = await call(acme + UL, { key });
        expect(r.status).to.equal(401);
        expect(r.json.errors[0]).to.include({ status: 401, code: "Unauthorized" });
        expect(r.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
      });
    }

    it("accepts the header in any case; GET allowed for members, PUT is 403 naming the roles", async () => {
      const g = await call(acme + UL, { headers: { "x-api-key": "member-key" } });
      expect(g.status).to.equal(200);
      const p = await call(acme + UL, { method: "PUT", key: "member-key", body: putBody(true, APP_ID) });
      expect(p.status).to.equal(403);
      expect(p.json.errors[0]).to.include({ status: 403, code: "Forbidden" });
      expect(p.json.errors[0].detail).to.match(/Owner, Super Admin or Admin/);
      expect(cerby.getSetting("acme").enabled).to.equal(false);
    });

    it("404 for unknown workspace and unknown path", async () => {
      const w = await call(cerby.workspaceUrl("nowhere") + UL, { key: "admin-key" });
      expect(w.status).to.equal(404);
      expect(w.json.errors[0]).to.include({ status: 404, code: "Not found" });
      const p = await call(acme + "/api/v1/nothing", { key: "admin-key" });
      expect(p.status).to.equal(404);
    });
  });

  describe("universal-logout setting", () => {
    it("starts disabled, enables, stays idempotent, records updatedBy", async () => {
      const g = await call(acme + UL, { key: "admin-key" });
      expect(g.json.data).to.deep.include({ id: "okta", type: "universal-logout-settings" });
      expect(g.json.data.attributes).to.include({ provider: "okta", enabled: false, appInstanceId: null });

      const p1 = await call(acme + UL, { method: "PUT", key: "admin-key", body: putBody(true, APP_ID) });
      expect(p1.status).to.equal(200);
      expect(p1.json.data.attributes).to.include({ enabled: true, appInstanceId: APP_ID, updatedBy: "u-admin" });
      await new Promise((r) => setTimeout(r, 5));
      const p2 = await call(acme + UL, { method: "PUT", key: "admin-key", body: putBody(true, APP_ID) });
      expect(p2.json.data.attributes.updatedAt).to.equal(p1.json.data.attributes.updatedAt);
      expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: APP_ID });
    });

    it("enabled:false clears appInstanceId", async () => {
      cerby.setSetting("acme", { enabled: true, appInstanceId: APP_ID });
      const p = await call(acme + UL, { method: "PUT", key: "admin-key", body: putBody(false, APP_ID) });
      expect(p.status).to.equal(200);
      expect(p.json.data.attributes).to.include({ enabled: false, appInstanceId: null });
    });

    it("400 validation errors with string status, snake_case code and meta.loc", async () => {
      for (const bad of ["0oa123", "1oa6a9uwbalsZ4enC0x7", "0oa6a9uwbalsZ4enC0x-", null]) {
        const r = await call(acme + UL, { method: "PUT", key: "admin-key", body: putBody(true, bad) });
        expect(r.status, String(bad)).to.equal(400);
        const e = r.json.errors[0];
        expect(e).to.include({ status: "400", code: "validation_error" });
        expect(e.meta.loc).to.deep.equal(["data", "attributes", "appInstanceId"]);
        expect(e.meta.msg).to.be.a("string");
        expect(e.meta.type).to.be.a("string");
      }
      const prov = await call(acme + UL, {
        method: "PUT",
        key: "admin-key",
        body: putBody(true, APP_ID, { provider: "azure" }),
      });
      expect(prov.status).to.equal(400);
      expect(prov.json.errors[0].meta.loc).to.deep.equal(["data", "attributes", "provider"]);
      const type = await call(acme + UL, {
        method: "PUT",
        key: "admin-key",
        body: { data: { type: "x", attributes: {} } },
      });
      expect(type.status).to.equal(400);
      const en = await call(acme + UL, {
        method: "PUT",
        key: "admin-key",
        body: putBody("yes" as unknown as boolean, APP_ID),
      });
      expect(en.status).to.equal(400);
      const malformed = await call(acme + UL, { method: "PUT", key: "admin-key", raw: "{ not json" });
      expect(malformed.status).to.equal(400);
      expect(cerby.getSetting("acme").enabled).to.equal(false);
    });

    it("serves the IdP context", async () => {
      cerby.addUser("acme", "a@acme.test");
      cerby.addUser("acme", "b@acme.test");
      cerby.addUser("acme", "local@acme.test", { provisionedBy: "local" });
      cerby.setIdp("acme", { idpType: "azure", scimEnabled: false });
      const r = await call(acme + "/api/v1/settings/idp", { key: "member-key" });
      expect(r.status).to.equal(200);
      expect(r.json).to.deep.equal({
        data: {
          id: "idp",
          type: "idp-settings",
          attributes: {
            idpType: "azure",
            ssoProtocol: "saml",
            scimProvisioning: { enabled: false, usersProvisioned: 2 },
          },
        },
      });
    });

    it("honours fault injection (503 twice, then 200)", async () => {
      cerby.server.inject({ kind: "status", status: 503, times: 2, method: "GET", pathPrefix: "/ws/acme" });
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) codes.push((await call(acme + UL, { key: "admin-key" })).status);
      expect(codes).to.deep.equal([503, 503, 200]);
      expect(cerby.server.count({ method: "GET", pathPrefix: "/ws/acme" })).to.equal(3);
      expect(cerby.server.requests[0].headers["x-api-key"]).to.equal("[redacted]");
    });
  });

  it("serves a configurable settingsPath", async () => {
    const custom = new CerbyEmulator({ settingsPath: "/api/v2/idp-config/" });
    await custom.start();
    try {
      custom.addWorkspace("acme");
      custom.addApiKey("acme", "k", { role: "owner" });
      const base = custom.workspaceUrl("acme");
      expect((await call(base + UL, { key: "k" })).status).to.equal(404);
      const r = await call(base + "/api/v2/idp-config/universal-logout", {
        method: "PUT",
        key: "k",
        body: putBody(true, APP_ID),
      });
      expect(r.status).to.equal(200);
      expect((await call(base + "/api/v2/idp-config", { key: "k" })).json.data.type).to.equal("idp-settings");
    } finally {
      await custom.stop();
    }
  });

  describe("global token revocation", () => {
    let jwksServer: http.Server;
    let privateKey: KeyLike;
    /** The emulated Okta org: its issuer URL, its JWKS at `${issuer}/oauth2/v1/keys`. */
    let issuer: string;
    const kid = "test-kid";
    const alice = "alice@acme.test";

    before(async () => {
      const pair = await generateKeyPair("RS256");
      privateKey = pair.privateKey;
      const jwk = await exportJWK(pair.publicKey);
      const jwks = JSON.stringify({ keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] });
      jwksServer = http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(jwks);
      });
      await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
      issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    });

    after(() => new Promise<void>((r) => jwksServer.close(() => r())));

    beforeEach(() => {
      cerby.oktaJwksUrl = `${issuer}/oauth2/v1/keys`;
      cerby.setSetting("acme", { enabled: true, appInstanceId: APP_ID });
      cerby.addUser("acme", alice, { sub: "00u1234567890abcdefg" });
      cerby.login("acme", alice);
      cerby.login("acme", alice);
    });

    type Claims = { iss?: string; sub?: string; aud?: string; jti?: string; iat?: number; nbf?: number; exp?: number };

    /** A request token as Okta sends it; `claims` overrides (undefined drops the claim), `header` overrides the header. */
    function sign(
      claims: Claims = {},
      header: Record<string, unknown> = {},
      key: KeyLike = privateKey,
    ): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      const payload: Claims = {
        iss: issuer,
        sub: APP_ID,
        aud: acme + GTR_PATH,
        iat: now,
        nbf: now - 300,
        exp: now + 300,
        jti: randomUUID(),
        ...claims,
      };
      for (const k of Object.keys(payload) as Array<keyof Claims>) if (payload[k] === undefined) delete payload[k];
      return new SignJWT(payload)
        .setProtectedHeader({ alg: "RS256", kid, typ: "global-token-revocation+jwt", ...header })
        .sign(key);
    }

    const gtr = (jwt: string, body: unknown = { sub_id: { format: "email", email: alice } }) =>
      call(acme + GTR_PATH, { method: "POST", headers: { authorization: `Bearer ${jwt}` }, body });

    async function expectRefused(jwt: string, detail: RegExp) {
      const r = await gtr(jwt);
      expect(r.status, r.text).to.equal(401);
      expect(r.json.errors[0]).to.include({ status: 401, code: "Unauthorized" });
      expect(r.json.errors[0].detail).to.match(detail);
      expect(cerby.activeSessions("acme", alice)).to.equal(2);
      expect(cerby.logouts).to.have.length(0);
    }

    it("derives the Okta org issuer from the JWKS URL", () => {
      expect(cerby.federatedOktaIssuer).to.equal(issuer);
      cerby.oktaIssuer = "https://acme.okta.com/";
      expect(cerby.federatedOktaIssuer).to.equal("https://acme.okta.com");
    });

    it("204 and the user's sessions end for the request Okta sends (sub_id email); the same jti again is 401", async () => {
      expect(cerby.activeSessions("acme", alice)).to.equal(2);
      const jwt = await sign();
      const r = await gtr(jwt);
      expect(r.status, r.text).to.equal(204);
      expect(r.text).to.equal("");
      expect(cerby.activeSessions("acme", alice)).to.equal(0);
      expect(cerby.logouts).to.have.length(1);
      expect(cerby.logouts[0]).to.include({ workspace: "acme", email: alice });
      cerby.login("acme", alice);
      const replay = await gtr(jwt);
      expect(replay.status).to.equal(401);
      expect(replay.json.errors[0]).to.include({ status: 401, code: "Unauthorized" });
      expect(replay.json.errors[0].detail).to.match(/replay/);
      expect(cerby.activeSessions("acme", alice)).to.equal(1);
    });

    it("401 for a new token that reuses a jti already accepted", async () => {
      expect((await gtr(await sign({ jti: "jti-once" }))).status).to.equal(204);
      cerby.login("acme", alice);
      const again = await gtr(await sign({ jti: "jti-once" }));
      expect(again.status).to.equal(401);
      expect(again.json.errors[0].detail).to.match(/replay/);
      expect(cerby.activeSessions("acme", alice)).to.equal(1);
    });

    it("accepts the older body member subject", async () => {
      const r = await gtr(await sign(), { subject: { format: "email", email: alice } });
      expect(r.status, r.text).to.equal(204);
      expect(cerby.activeSessions("acme", alice)).to.equal(0);
    });

    it("accepts iss_sub under sub_id", async () => {
      const r = await gtr(await sign(), { sub_id: { format: "iss_sub", iss: issuer, sub: "00u1234567890abcdefg" } });
      expect(r.status, r.text).to.equal(204);
      expect(cerby.activeSessions("acme", alice)).to.equal(0);
    });

    it("accepts the issuer set by oktaIssuer (a custom domain) and then refuses the JWKS-derived one", async () => {
      cerby.oktaIssuer = "https://login.acme.example";
      await expectRefused(await sign(), /"iss"/);
      const r = await gtr(await sign({ iss: "https://login.acme.example" }));
      expect(r.status, r.text).to.equal(204);
    });

    it("401 when the App instance ID configured in Cerby is not the token's sub", async () => {
      cerby.setSetting("acme", { enabled: true, appInstanceId: "0oaOTHERotherOTHER01" });
      await expectRefused(await sign(), /"sub"/);
    });

    it("401 for the pre-2026-11 token (iss = App instance ID, typ JWT)", async () => {
      await expectRefused(await sign({ iss: APP_ID }, { typ: "JWT" }), /"typ"|"iss"/);
    });

    const now = () => Math.floor(Date.now() / 1000);
    const refusals: Array<[string, () => Promise<string>, RegExp]> = [
      ["iss is another Okta org", () => sign({ iss: "https://other.okta.com" }), /"iss"/],
      ["typ is JWT", () => sign({}, { typ: "JWT" }), /"typ"/],
      ["typ is missing", () => sign({}, { typ: undefined }), /"typ"/],
      ["aud is another endpoint", () => sign({ aud: `${cerby.workspaceUrl("other")}${GTR_PATH}` }), /"aud"/],
      ["aud carries a query", () => sign({ aud: `${acme}${GTR_PATH}?x=1` }), /"aud"/],
      ["exp is in the past", () => sign({ iat: now() - 700, nbf: now() - 1000, exp: now() - 60 }), /"exp"/],
      ["nbf is in the future", () => sign({ nbf: now() + 60 }), /"nbf"/],
      ["exp is missing", () => sign({ exp: undefined }), /"exp"/],
      ["nbf is missing", () => sign({ nbf: undefined }), /"nbf"/],
      ["iat is missing", () => sign({ iat: undefined }), /"iat"/],
      // Okta signs a logout request at once and for five minutes (iat = now, exp = iat + 300 s).
      ["iat is in the future beyond the skew", () => sign({ iat: now() + 60 }), /"iat" claim is in the future/],
      [
        "it lives longer than five minutes (exp − iat)",
        () => sign({ exp: now() + 301 }),
        /lifetime .* longer than 300 s/,
      ],
      [
        "it was issued long ago and lives long enough to be valid now",
        () => sign({ iat: now() - 3600, nbf: now() - 3600, exp: now() + 60 }),
        /lifetime .* longer than 300 s/,
      ],
      ["jti is missing", () => sign({ jti: undefined }), /"jti"/],
      [
        "it is signed by a key not in the org's JWKS",
        async () => sign({}, {}, (await generateKeyPair("RS256")).privateKey),
        /signature/,
      ],
    ];
    for (const [name, token, detail] of refusals) {
      it(`401 and sessions remain when ${name}`, async () => expectRefused(await token(), detail));
    }

    it("accepts iat within the skew and a lifetime of exactly five minutes", async () => {
      const r = await gtr(await sign({ iat: now() + 3, exp: now() + 303 }));
      expect(r.status, r.text).to.equal(204);
    });

    it("401 for a missing token, or Universal Logout disabled", async () => {
      const none = await call(acme + GTR_PATH, { method: "POST", body: { sub_id: { format: "email", email: alice } } });
      expect(none.status).to.equal(401);
      cerby.setSetting("acme", { enabled: false });
      await expectRefused(await sign(), /not enabled/);
    });

    it("404 unknown user, 400 unknown format or no sub_id, 422 locally provisioned user", async () => {
      expect((await gtr(await sign(), { sub_id: { format: "email", email: "bob@acme.test" } })).status).to.equal(404);
      expect((await gtr(await sign(), { sub_id: { format: "phone_number", phone_number: "+1" } })).status).to.equal(
        400,
      );
      const empty = await gtr(await sign(), {});
      expect(empty.status).to.equal(400);
      expect(empty.json.errors[0]).to.include({ status: 400, code: "Bad request" });
      cerby.addUser("acme", "local@acme.test", { provisionedBy: "local" });
      expect((await gtr(await sign(), { sub_id: { format: "email", email: "local@acme.test" } })).status).to.equal(422);
      expect(cerby.logouts).to.have.length(0);
    });
  });
});
