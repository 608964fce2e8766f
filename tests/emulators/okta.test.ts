import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, type KeyLike } from "jose";
import { APP_ID_RE, OktaEmulator } from "./okta";

const TOKEN = "00abcSSWStoken";

async function api(base: string, path: string, init: RequestInit & { auth?: string } = {}) {
  const { auth, ...rest } = init;
  const res = await fetch(`${base}${path}`, {
    ...rest,
    headers: {
      accept: "application/json",
      ...(auth === "" ? {} : { authorization: auth ?? `SSWS ${TOKEN}` }),
      ...(rest.headers ?? {}),
    },
  });
  const text = await res.text();
  return { res, body: text ? JSON.parse(text) : undefined };
}

function nextLink(link: string | null): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(link ?? "")?.[1];
}

describe("OktaEmulator", () => {
  let emu: OktaEmulator;
  let base: string;

  beforeEach(async () => {
    emu = new OktaEmulator();
    base = await emu.start();
    emu.addApiToken(TOKEN);
  });
  afterEach(() => emu.stop());

  describe("apps API with SSWS", () => {
    it("returns an Application in Okta's shape", async () => {
      const app = emu.addApp({});
      expect(app.id).to.match(APP_ID_RE);
      const { res, body } = await api(base, `/api/v1/apps/${app.id}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("x-okta-request-id")).to.be.a("string");
      expect(body).to.include({ id: app.id, name: "cerby", label: "Cerby", status: "ACTIVE", signOnMode: "SAML_2_0" });
      expect(body.universalLogout).to.deep.equal({
        status: "DISABLED",
        supportType: "FULL",
        identityStack: "NOT_SHARED",
        protocol: "GLOBAL_TOKEN_REVOCATION",
      });
      expect(body.settings.signOn).to.include({ assertionSigned: true, requestCompressed: false });
      expect(body._links.users.href).to.equal(`${base}/api/v1/apps/${app.id}/users`);
    });

    it("401 E0000011 without or with a bad token; 404 E0000007 for unknown apps", async () => {
      for (const auth of ["", "SSWS nope", "Bearer nope"]) {
        const { res, body } = await api(base, "/api/v1/apps", { auth });
        expect(res.status).to.equal(401);
        expect(body.errorCode).to.equal("E0000011");
        expect(body.errorSummary).to.equal("Invalid token provided");
        expect(body.errorLink).to.equal("E0000011");
        expect(body.errorId).to.match(/^oae[0-9A-Za-z]+$/);
        expect(body.errorCauses).to.deep.equal([]);
        expect(res.headers.get("x-okta-request-id")).to.be.a("string");
      }
      const { res, body } = await api(base, "/api/v1/apps/0oa00000000000000000");
      expect(res.status).to.equal(404);
      expect(body.errorSummary).to.equal("Not found: Resource not found: 0oa00000000000000000 (AppInstance)");
    });

    it("role NONE gets 403 everywhere; READ_ONLY_ADMIN only on writes", async () => {
      const app = emu.addApp({});
      emu.addApiToken("none", { role: "NONE" });
      emu.addApiToken("ro", { role: "READ_ONLY_ADMIN" });
      expect((await api(base, `/api/v1/apps/${app.id}`, { auth: "SSWS none" })).res.status).to.equal(403);
      expect((await api(base, `/api/v1/apps/${app.id}`, { auth: "SSWS ro" })).res.status).to.equal(200);
      const w = await api(base, `/api/v1/apps/${app.id}/express-configure/UNIVERSAL_LOGOUT`, {
        method: "POST",
        auth: "SSWS ro",
      });
      expect(w.res.status).to.equal(403);
      expect(w.body.errorCode).to.equal("E0000006");
      expect(emu.getApp(app.id).universalLogout).to.equal("DISABLED");
    });

    it("lists with q (case-insensitive prefix) and follows Link next across 3 pages", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(emu.addApp({ name: `cerby_${i}`, label: `Cerby ${i}` }).id);
      emu.addApp({ name: "salesforce", label: "Salesforce" });
      let url: string | undefined = `${base}/api/v1/apps?q=cER&limit=2`;
      const seen: string[] = [];
      let pages = 0;
      while (url) {
        const { res, body } = await api("", url);
        expect(res.status).to.equal(200);
        expect(res.headers.get("link")).to.match(/rel="self"/);
        seen.push(...body.map((a: { id: string }) => a.id));
        url = nextLink(res.headers.get("link"));
        if (url) expect(url.startsWith(`${base}/api/v1/apps?`)).to.equal(true);
        pages++;
      }
      expect(pages).to.equal(3);
      expect(seen).to.deep.equal(ids);
    });

    it("filters by status and name; rejects unsupported filters", async () => {
      emu.addApp({ name: "a1", status: "INACTIVE" });
      const active = emu.addApp({ name: "a2" });
      const f = encodeURIComponent('status eq "ACTIVE"');
      const { body } = await api(base, `/api/v1/apps?filter=${f}`);
      expect(body.map((a: { id: string }) => a.id)).to.deep.equal([active.id]);
      const byName = await api(base, `/api/v1/apps?filter=${encodeURIComponent('name eq "a1"')}`);
      expect(byName.body).to.have.length(1);
      const bad = await api(base, `/api/v1/apps?filter=${encodeURIComponent('label sw "x"')}`);
      expect(bad.res.status).to.equal(400);
      expect(bad.body.errorCode).to.equal("E0000031");
    });
  });

  describe("features", () => {
    it("returns USER_PROVISIONING and the spec's 400 when provisioning is not set up", async () => {
      const app = emu.addApp({});
      const one = await api(base, `/api/v1/apps/${app.id}/features/USER_PROVISIONING`);
      expect(one.res.status).to.equal(200);
      expect(one.body).to.include({ name: "USER_PROVISIONING", status: "ENABLED" });
      expect(one.body.capabilities.create.lifecycleCreate.status).to.equal("ENABLED");
      expect(one.body.capabilities.update.password).to.include({ seed: "RANDOM", change: "KEEP_EXISTING" });
      const all = await api(base, `/api/v1/apps/${app.id}/features`);
      expect(all.body).to.have.length(1);

      emu.setProvisioning(app.id, "NOT_SET_UP");
      for (const path of ["features", "features/USER_PROVISIONING"]) {
        const { res, body } = await api(base, `/api/v1/apps/${app.id}/${path}`);
        expect(res.status).to.equal(400);
        expect(body).to.include({ errorCode: "E0000001", errorSummary: "Api validation failed: feature" });
        expect(body.errorCauses[0].errorSummary).to.match(/Provisioning is not enabled/);
      }
    });
  });

  describe("express-configure", () => {
    it("available: 204 and universalLogout becomes ENABLED (after the configured stale reads)", async () => {
      const app = emu.addApp({});
      emu.expressConfigureDelayReads = 2;
      const post = await api(base, `/api/v1/apps/${app.id}/express-configure/UNIVERSAL_LOGOUT`, { method: "POST" });
      expect(post.res.status).to.equal(204);
      const statuses: string[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await api(base, `/api/v1/apps/${app.id}`)).body.universalLogout.status);
      expect(statuses).to.deep.equal(["DISABLED", "DISABLED", "ENABLED"]);
      expect(emu.getApp(app.id).universalLogout).to.equal("ENABLED");
    });

    it("403 / 404 / 405 modes, unknown capability 400, UNSUPPORTED app 400", async () => {
      const app = emu.addApp({});
      const expected = { "403": "E0000006", "404": "E0000007", "405": "E0000022" } as const;
      for (const mode of ["403", "404", "405"] as const) {
        emu.expressConfigure = mode;
        const { res, body } = await api(base, `/api/v1/apps/${app.id}/express-configure/UNIVERSAL_LOGOUT`, {
          method: "POST",
        });
        expect(res.status).to.equal(Number(mode));
        expect(body.errorCode).to.equal(expected[mode]);
      }
      expect(emu.getApp(app.id).universalLogout).to.equal("DISABLED");
      emu.expressConfigure = "available";
      const bad = await api(base, `/api/v1/apps/${app.id}/express-configure/TELEPORT`, { method: "POST" });
      expect(bad.res.status).to.equal(400);
      const un = emu.addApp({ universalLogout: "UNSUPPORTED" });
      const r = await api(base, `/api/v1/apps/${un.id}/express-configure/UNIVERSAL_LOGOUT`, { method: "POST" });
      expect(r.res.status).to.equal(400);
      expect(r.body.errorCode).to.equal("E0000001");
    });
  });

  describe("an org without Identity Threat Protection", () => {
    const UL_PATH = (id: string) => `/api/v1/apps/${id}/express-configure/UNIVERSAL_LOGOUT`;

    for (const mode of ["absent", "null"] as const) {
      it(`${mode}: GET and the list show universalLogout ${mode === "absent" ? "absent" : "as null"} for every app, and no UNIVERSAL_LOGOUT capability`, async () => {
        const on = emu.addApp({ universalLogout: "ENABLED" });
        const off = emu.addApp({ name: "cerby2", label: "Cerby 2" });
        emu.identityThreatProtection = false;
        emu.universalLogoutWithoutItp = mode;
        const { body: list } = await api(base, "/api/v1/apps");
        const shown = [
          ...list,
          (await api(base, `/api/v1/apps/${on.id}`)).body,
          (await api(base, `/api/v1/apps/${off.id}`)).body,
        ];
        expect(shown.map((a: { id: string }) => a.id)).to.deep.equal([on.id, off.id, on.id, off.id]);
        for (const a of shown) {
          if (mode === "absent") expect(a).to.not.have.property("universalLogout");
          else expect(a).to.have.property("universalLogout", null);
          expect(a.expressConfiguration.supportedCapabilities).to.not.include("UNIVERSAL_LOGOUT");
          expect(a.expressConfiguration.enabledCapabilities).to.not.include("UNIVERSAL_LOGOUT");
        }
        // The org's true state is kept: with Identity Threat Protection the same app reports it again.
        emu.identityThreatProtection = true;
        expect((await api(base, `/api/v1/apps/${on.id}`)).body.universalLogout.status).to.equal("ENABLED");
      });
    }

    it("is chosen by constructor options; the default org has Identity Threat Protection", async () => {
      const noItp = new OktaEmulator({ identityThreatProtection: false, universalLogoutWithoutItp: "null" });
      expect(noItp.identityThreatProtection).to.equal(false);
      expect(noItp.universalLogoutWithoutItp).to.equal("null");
      expect(new OktaEmulator({ identityThreatProtection: false }).universalLogoutWithoutItp).to.equal("absent");
      expect(emu.identityThreatProtection).to.equal(true);
      const app = emu.addApp({});
      expect((await api(base, `/api/v1/apps/${app.id}`)).body.universalLogout.status).to.equal("DISABLED");
    });

    it("Express Configuration of UNIVERSAL_LOGOUT answers 404 E0000007 and changes nothing; SSO still 204", async () => {
      const app = emu.addApp({});
      emu.identityThreatProtection = false;
      const { res, body } = await api(base, UL_PATH(app.id), { method: "POST" });
      expect(res.status).to.equal(404);
      expect(body.errorCode).to.equal("E0000007");
      expect(emu.getApp(app.id).universalLogout).to.equal("DISABLED");
      const sso = await api(base, `/api/v1/apps/${app.id}/express-configure/SSO`, { method: "POST" });
      expect(sso.res.status).to.equal(204);
    });

    it("fires no Universal Logout, even for an app ENABLED with an endpoint", async () => {
      let hits = 0;
      const sink = http.createServer((_req, res) => {
        hits++;
        res.writeHead(204).end();
      });
      await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
      try {
        const gtr = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/gtr`;
        const app = emu.addApp({ gtrEndpoint: gtr, universalLogout: "ENABLED" });
        emu.identityThreatProtection = false;
        expect(await emu.triggerUniversalLogout(app.id, "ana@example.com")).to.deep.equal({ sent: false });
        expect(hits).to.equal(0);
        expect(emu.universalLogoutEvents.at(-1)).to.include({ appId: app.id, sent: false });
        emu.identityThreatProtection = true;
        expect(await emu.triggerUniversalLogout(app.id, "ana@example.com")).to.deep.equal({ sent: true, status: 204 });
        expect(hits).to.equal(1);
      } finally {
        await new Promise<void>((r) => sink.close(() => r()));
      }
    });
  });

  describe("rate limit", () => {
    it("429 E0000047 with X-Rate-Limit headers, then allowed after the window", async () => {
      emu.rateLimit = { limit: 2, windowMs: 300 };
      const a = await api(base, "/api/v1/apps");
      expect(a.res.headers.get("x-rate-limit-limit")).to.equal("2");
      expect(a.res.headers.get("x-rate-limit-remaining")).to.equal("1");
      await api(base, "/api/v1/apps");
      const c = await api(base, "/api/v1/apps");
      expect(c.res.status).to.equal(429);
      expect(c.body.errorCode).to.equal("E0000047");
      expect(c.body.errorSummary).to.equal("API call exceeded rate limit due to too many requests.");
      expect(c.res.headers.get("x-rate-limit-remaining")).to.equal("0");
      const reset = Number(c.res.headers.get("x-rate-limit-reset"));
      expect(reset).to.be.at.least(Math.floor(Date.now() / 1000));
      expect(reset).to.be.at.most(Math.ceil((Date.now() + 300) / 1000));
      await new Promise((r) => setTimeout(r, 350));
      expect((await api(base, "/api/v1/apps")).res.status).to.equal(200);
    });
  });

  describe("OAuth service app", () => {
    let priv: KeyLike;
    const clientId = "0oaSERVICEclient0001";

    beforeEach(async () => {
      const kp = await generateKeyPair("RS256");
      priv = kp.privateKey;
      emu.addServiceApp({
        clientId,
        publicJwk: await exportJWK(kp.publicKey),
        scopes: ["okta.apps.read", "okta.apps.manage"],
      });
    });

    function assertion(opts: { key?: KeyLike; jti?: string; client?: string } = {}) {
      const c = opts.client ?? clientId;
      return new SignJWT({})
        .setProtectedHeader({ alg: "RS256" })
        .setIssuer(c)
        .setSubject(c)
        .setAudience(`${base}/oauth2/v1/token`)
        .setIssuedAt()
        .setExpirationTime("5m")
        .setJti(opts.jti ?? crypto.randomUUID())
        .sign(opts.key ?? priv);
    }

    async function token(scope: string, a?: string, headers: Record<string, string> = {}) {
      const res = await fetch(`${base}/oauth2/v1/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...headers },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          scope,
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: a ?? (await assertion()),
        }),
      });
      return { res, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    }

    it("issues a Bearer token that works on /api/v1/apps; expireAllAccessTokens makes it 401", async () => {
      const app = emu.addApp({});
      const { res, body } = await token("okta.apps.read");
      expect(res.status).to.equal(200);
      expect(body).to.include({ token_type: "Bearer", expires_in: 3600, scope: "okta.apps.read" });
      expect(emu.tokenRequests).to.equal(1);
      const list = await api(base, "/api/v1/apps", { auth: `Bearer ${body.access_token}` });
      expect(list.res.status).to.equal(200);
      expect(list.body[0].id).to.equal(app.id);
      emu.expireAllAccessTokens();
      const after = await api(base, "/api/v1/apps", { auth: `Bearer ${body.access_token}` });
      expect(after.res.status).to.equal(401);
      expect(after.body.errorCode).to.equal("E0000011");
    });

    it("enforces scopes: a read-only token gets 403 + WWW-Authenticate on express-configure", async () => {
      const app = emu.addApp({});
      const { body } = await token("okta.apps.read");
      const { res, body: err } = await api(base, `/api/v1/apps/${app.id}/express-configure/UNIVERSAL_LOGOUT`, {
        method: "POST",
        auth: `Bearer ${body.access_token}`,
      });
      expect(res.status).to.equal(403);
      expect(err.errorCode).to.equal("E0000006");
      expect(res.headers.get("www-authenticate")).to.match(/error="insufficient_scope"/);
      const manage = await token("okta.apps.manage");
      const ok = await api(base, `/api/v1/apps/${app.id}/express-configure/UNIVERSAL_LOGOUT`, {
        method: "POST",
        auth: `Bearer ${manage.body.access_token}`,
      });
      expect(ok.res.status).to.equal(204);
    });

    it("invalid_scope, bad signature, replayed jti, unknown client", async () => {
      const s = await token("okta.users.manage");
      expect(s.res.status).to.equal(400);
      expect(s.body.error).to.equal("invalid_scope");

      const other = await generateKeyPair("RS256");
      const sig = await token("okta.apps.read", await assertion({ key: other.privateKey }));
      expect(sig.res.status).to.equal(401);
      expect(sig.body.error).to.equal("invalid_client");

      const a = await assertion({ jti: "same-jti" });
      expect((await token("okta.apps.read", a)).res.status).to.equal(200);
      const replay = await token("okta.apps.read", a);
      expect(replay.res.status).to.equal(401);
      expect(replay.body.error).to.equal("invalid_client");

      const unknown = await token("okta.apps.read", await assertion({ client: "0oaUNKNOWN" }));
      expect(unknown.body.error).to.equal("invalid_client");
    });

    it("requireDpop rejects a request without a DPoP header", async () => {
      const kp = await generateKeyPair("RS256");
      emu.addServiceApp({
        clientId: "dpopclient",
        publicJwk: await exportJWK(kp.publicKey),
        scopes: ["okta.apps.read"],
        requireDpop: true,
      });
      const { res, body } = await token(
        "okta.apps.read",
        await assertion({ client: "dpopclient", key: kp.privateKey }),
      );
      expect(res.status).to.equal(400);
      expect(body).to.deep.equal({
        error: "invalid_dpop_proof",
        error_description: "The DPoP proof JWT header is missing.",
      });
    });
  });

  describe("JWKS and Universal Logout", () => {
    it("serves the org JWKS", async () => {
      const { res, body } = await api(base, "/oauth2/v1/keys", { auth: "" });
      expect(res.status).to.equal(200);
      expect(body.keys).to.have.length(1);
      expect(body.keys[0]).to.include({ kty: "RSA", alg: "RS256", use: "sig" });
      expect(body.keys[0].kid).to.be.a("string");
      expect(body.keys[0]).to.not.have.property("d");
    });

    it("gives two orgs running at once different signing keys (a stopped org's key may serve a later one)", async () => {
      const other = new OktaEmulator();
      const otherBase = await other.start();
      try {
        const mine = (await api(base, "/oauth2/v1/keys", { auth: "" })).body.keys[0];
        const theirs = (await api(otherBase, "/oauth2/v1/keys", { auth: "" })).body.keys[0];
        expect(theirs.kid).to.not.equal(mine.kid);
        expect(theirs.n).to.not.equal(mine.n);
      } finally {
        await other.stop();
      }
    });

    describe("Global Token Revocation request", () => {
      let sink: http.Server;
      let sinkUrl: string;
      const received: Array<{ url: string; auth: string; body: unknown }> = [];

      beforeEach(async () => {
        received.length = 0;
        sink = http.createServer((req, res) => {
          let data = "";
          req.on("data", (c) => (data += c));
          req.on("end", () => {
            received.push({
              url: req.url ?? "",
              auth: String(req.headers.authorization ?? ""),
              body: JSON.parse(data),
            });
            res.writeHead(204).end();
          });
        });
        await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
        sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
      });
      afterEach(() => new Promise<void>((r) => sink.close(() => r())));

      const bearer = (i: number) => received[i].auth.replace(/^Bearer /, "");

      it("is sent only when Universal Logout is ENABLED, with body sub_id (email)", async () => {
        const app = emu.addApp({ gtrEndpoint: `${sinkUrl}/gtr/acme` });
        expect(await emu.triggerUniversalLogout(app.id, "ana@example.com")).to.deep.equal({ sent: false });
        expect(received).to.have.length(0);

        emu.setUniversalLogout(app.id, "ENABLED");
        const r = await emu.triggerUniversalLogout(app.id, "ana@example.com");
        expect(r).to.deep.equal({ sent: true, status: 204 });
        expect(received).to.have.length(1);
        expect(received[0].url).to.equal("/gtr/acme");
        expect(received[0].body).to.deep.equal({ sub_id: { format: "email", email: "ana@example.com" } });
        expect(emu.universalLogoutEvents.map((e) => e.sent)).to.deep.equal([false, true]);
      });

      it("signs the token with the org key: typ global-token-revocation+jwt, iss the org, sub the App instance ID, aud the endpoint", async () => {
        const gtr = `${sinkUrl}/gtr/acme`;
        const app = emu.addApp({ gtrEndpoint: gtr, universalLogout: "ENABLED" });
        const before = Math.floor(Date.now() / 1000);
        await emu.triggerUniversalLogout(app.id, "ana@example.com");
        expect(emu.issuer).to.equal(base);
        const { body: discovery } = await api(base, "/.well-known/openid-configuration", { auth: "" });
        expect(discovery.issuer).to.equal(emu.issuer);

        const jwks = createRemoteJWKSet(new URL(`${base}/oauth2/v1/keys`));
        const { payload, protectedHeader } = await jwtVerify(bearer(0), jwks, {
          typ: "global-token-revocation+jwt",
          issuer: base,
          subject: app.id,
          audience: gtr,
          requiredClaims: ["iat", "nbf", "exp", "jti"],
        });
        const { body: keys } = await api(base, "/oauth2/v1/keys", { auth: "" });
        expect(protectedHeader).to.deep.equal({
          alg: "RS256",
          kid: keys.keys[0].kid,
          typ: "global-token-revocation+jwt",
        });
        expect(payload.iss).to.equal(base);
        expect(payload.sub).to.equal(app.id);
        expect(payload.aud).to.equal(gtr);
        expect(payload.iat).to.be.within(before, Math.floor(Date.now() / 1000));
        expect(payload.nbf).to.equal(payload.iat! - 300);
        expect(payload.exp).to.equal(payload.iat! + 300);
        expect(payload.jti).to.be.a("string").and.not.equal("");
      });

      it("uses a fresh jti for every logout", async () => {
        const app = emu.addApp({ gtrEndpoint: `${sinkUrl}/gtr`, universalLogout: "ENABLED" });
        await emu.triggerUniversalLogout(app.id, "ana@example.com");
        await emu.triggerUniversalLogout(app.id, "ana@example.com");
        expect(decodeJwt(bearer(0)).jti).to.not.equal(decodeJwt(bearer(1)).jti);
      });

      it("aud is the endpoint without query or fragment; the POST goes to the endpoint as configured", async () => {
        const app = emu.addApp({ gtrEndpoint: `${sinkUrl}/gtr/acme?tenant=acme#frag`, universalLogout: "ENABLED" });
        await emu.triggerUniversalLogout(app.id, "ana@example.com");
        expect(received[0].url).to.equal("/gtr/acme?tenant=acme");
        expect(decodeJwt(bearer(0)).aud).to.equal(`${sinkUrl}/gtr/acme`);
      });

      it("sends sub_id iss_sub (iss the org) when given the user's identifier", async () => {
        const app = emu.addApp({ gtrEndpoint: `${sinkUrl}/gtr`, universalLogout: "ENABLED" });
        await emu.triggerUniversalLogout(app.id, "ana@example.com", { issSub: "00uANA" });
        expect(received[0].body).to.deep.equal({ sub_id: { format: "iss_sub", iss: base, sub: "00uANA" } });
      });
    });
  });
});
