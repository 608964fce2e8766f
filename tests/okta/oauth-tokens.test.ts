/**
 * Okta access tokens and Okta vendor text (security review, findings 4, 5 and 7), against a small loopback Okta:
 * `/oauth2/v1/token` answers whatever a test sets (token_type, expires_in, an OAuth error echoing the assertion), and
 * `/api/v1/apps/{id}` answers an app, or 401 for a token that is no longer valid. Keys and tokens are made at run time.
 */
import { expect } from "chai";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { OktaClient } from "../../components/okta/client";
import { OktaCredentials } from "../../components/okta/config";
import { tokenReuseMs } from "../../components/okta/auth";
import { failure } from "../helpers/errors";
import { freshAppId, freshSecret } from "../helpers/keys";
import { TestKeyPair, freshKeyPair } from "./keys";

interface TokenRequest {
  clientAssertion: string;
}

describe("Okta OAuth access tokens and vendor text (loopback Okta)", function () {
  this.timeout(20000);
  let server: http.Server;
  let orgUrl: string;
  let keys: TestKeyPair;
  let otherKeys: TestKeyPair;

  /** Token endpoint state: what it answers, what it issued, what it was asked. */
  let tokenAnswer: (req: TokenRequest) => { status: number; body: unknown };
  let issued: string[];
  let tokenRequests: TokenRequest[];
  /** Access tokens the API accepts. */
  let valid: Set<string>;
  /** Authorization header of every API request. */
  let apiAuth: string[];
  /** API answer override: return true when handled. */
  let apiHandler: ((req: http.IncomingMessage, res: http.ServerResponse, auth: string) => boolean) | undefined;
  /** Held API requests (app id "slow"): released by the test. */
  let release: () => void;
  let slowArrived: Promise<void>;
  let slowArrivedResolve: () => void;
  /** Only the first "slow" request is held; its retry is answered at once. */
  let held: boolean;

  const issue = (expiresIn = 3600, tokenType = "Bearer") => {
    const token = `at-${randomBytes(24).toString("base64url")}`;
    issued.push(token);
    valid.add(token);
    return { status: 200, body: { access_token: token, token_type: tokenType, expires_in: expiresIn, scope: "x" } };
  };

  const app = (id: string, label = "Cerby") => ({
    id,
    name: "cerby",
    label,
    status: "ACTIVE",
    signOnMode: "SAML_2_0",
    universalLogout: { status: "ENABLED" },
  });

  before(async () => {
    keys = await freshKeyPair("RS256");
    otherKeys = await freshKeyPair("RS256");
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const send = (status: number, json: unknown): void => {
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
        };
        if (req.method === "POST" && req.url === "/oauth2/v1/token") {
          const form = new URLSearchParams(body);
          const tr = { clientAssertion: form.get("client_assertion") ?? "" };
          tokenRequests.push(tr);
          const a = tokenAnswer(tr);
          return send(a.status, a.body);
        }
        const m = /^\/api\/v1\/apps\/([^/?]+)$/.exec(req.url ?? "");
        const auth = String(req.headers["authorization"] ?? "");
        apiAuth.push(auth);
        if (apiHandler?.(req, res, auth)) return;
        const bearer = /^Bearer (\S+)$/.exec(auth)?.[1];
        const answer = () => {
          if (bearer !== undefined && !valid.has(bearer)) {
            return send(401, { errorCode: "E0000011", errorSummary: "Invalid token provided" });
          }
          return send(200, app(decodeURIComponent(m?.[1] ?? "x")));
        };
        if (m?.[1] === "slow" && !held) {
          held = true;
          slowArrivedResolve();
          release = answer;
          return;
        }
        answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    orgUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    issued = [];
    tokenRequests = [];
    valid = new Set();
    apiAuth = [];
    apiHandler = undefined;
    tokenAnswer = () => issue();
    release = () => undefined;
    held = false;
    slowArrived = new Promise<void>((r) => (slowArrivedResolve = r));
  });

  const oauth = (clientId = freshAppId(), k: TestKeyPair = keys): OktaCredentials => ({
    kind: "oauth",
    clientId,
    privateKey: k.pem,
    privateKeyId: k.kid,
    scopes: ["okta.apps.read"],
  });
  const client = (credentials: OktaCredentials, retries = 0) =>
    new OktaClient({ orgUrl, credentials, retry: { baseDelayMs: 5, maxDelayMs: 20, retries } });

  describe("token lifetime and sharing (finding 7)", () => {
    it("a 30 s token is reused by several calls within a few seconds: one token request, not one per call", async () => {
      tokenAnswer = () => issue(30);
      const c = client(oauth());
      for (let i = 0; i < 5; i++) {
        await c.getApp(freshAppId());
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(tokenRequests).to.have.length(1);
      expect(new Set(apiAuth)).to.have.property("size", 1);
      expect(apiAuth[0]).to.equal(`Bearer ${issued[0]}`);
    });

    it("tokenReuseMs keeps a margin of a fifth of the lifetime, at most 60 s", () => {
      expect(tokenReuseMs(30)).to.equal(24_000);
      expect(tokenReuseMs(3600)).to.equal(3_540_000);
      expect(tokenReuseMs(30)).to.be.greaterThan(0);
    });

    for (const type of ["N_A", "mac"]) {
      it(`token_type "${type}" is refused (the type named) and the token is never sent as Bearer`, async () => {
        tokenAnswer = () => issue(3600, type);
        const e = await failure(client(oauth()).getApp(freshAppId()));
        expect(e.message).to.contain(`token_type "${type}"`);
        expect(e.message).to.contain("only uses Bearer");
        expect(e.message).not.to.contain(issued[0]);
        expect(tokenRequests).to.have.length(1);
        expect(apiAuth).to.have.length(0);
      });
    }

    // VendorError sanitizes the hint too: the scheme redaction must leave "a Bearer token" (a word, not a
    // credential) readable — it once turned this hint into "not a Bearer [redacted] ... DPoP [redacted] another".
    it('token_type "N_A": the message says "not a Bearer token" in plain words (hint not mangled by redaction)', async () => {
      tokenAnswer = () => issue(3600, "N_A");
      const e = await failure(client(oauth()).getApp(freshAppId()));
      expect(e.message).to.contain("not a Bearer token");
      expect(e.message).to.contain("DPoP or another token type");
      expect(e.message).not.to.contain("[redacted]");
    });

    it("a late 401 for an old token does not discard the newer token another call fetched", async () => {
      const c = client(oauth());
      await c.getApp(freshAppId());
      expect(issued).to.have.length(1);
      const [t1] = issued;
      // A call with T1 is held by the server; meanwhile T1 stops being valid and another call replaces it with T2.
      const slow = c.getApp("slow");
      await slowArrived;
      valid.delete(t1);
      await c.getApp(freshAppId());
      expect(issued).to.have.length(2);
      const t2 = issued[1];
      // Now the held call gets its (late) 401 for T1: it must drop only T1, which is already gone, and retry with T2.
      release();
      expect((await slow).id).to.equal("slow");
      expect(tokenRequests).to.have.length(2);
      apiAuth = [];
      await c.getApp(freshAppId());
      expect(tokenRequests).to.have.length(2);
      expect(apiAuth).to.deep.equal([`Bearer ${t2}`]);
    });

    it("two clients with the same credential share one token; a different credential gets its own", async () => {
      const creds = oauth();
      await client(creds).getApp(freshAppId());
      await client({ ...creds }).getApp(freshAppId());
      expect(tokenRequests).to.have.length(1);
      expect(apiAuth[0]).to.equal(apiAuth[1]);
      // Same client ID with another key, and another client ID: separate credentials, separate tokens.
      await client(oauth(creds.kind === "oauth" ? creds.clientId : "", otherKeys)).getApp(freshAppId());
      await client(oauth()).getApp(freshAppId());
      expect(tokenRequests).to.have.length(3);
      expect(new Set(apiAuth).size).to.equal(3);
    });
  });

  describe("vendor text in errors (finding 4)", () => {
    it("a token error echoing the client_assertion JWT does not put the assertion in the message", async () => {
      tokenAnswer = (tr) => ({
        status: 400,
        body: { error: "invalid_client", error_description: `The client_assertion ${tr.clientAssertion} is invalid` },
      });
      const e = await failure(client(oauth()).getApp(freshAppId()));
      expect(tokenRequests).to.have.length(1);
      const assertion = tokenRequests[0].clientAssertion;
      expect(assertion).to.match(/^eyJ/);
      expect(e.code).to.equal("invalid_client");
      expect(e.message).not.to.contain(assertion);
      expect(e.message).not.to.contain(assertion.split(".")[2]);
      expect(e.message).not.to.match(/eyJ[A-Za-z0-9_-]{10,}/);
    });

    it("an API error echoing the Bearer access token or an SSWS token has them redacted", async () => {
      const stranger = freshSecret("00");
      apiHandler = (_req, res, auth) => {
        res.writeHead(403, { "content-type": "application/json" }).end(
          JSON.stringify({
            errorCode: "E0000006",
            errorSummary: `You sent ${auth}; also tried SSWS ${stranger}`,
            errorCauses: [{ errorSummary: `Authorization: ${auth}` }],
          }),
        );
        return true;
      };
      const e1 = await failure(client(oauth()).getApp(freshAppId()));
      expect(issued).to.have.length(1);
      expect(e1.message).to.contain("403");
      expect(e1.message).not.to.contain(issued[0]);
      expect(e1.message).not.to.contain(stranger);

      const apiToken = freshSecret("00");
      const e2 = await failure(client({ kind: "ssws", apiToken }).getApp(freshAppId()));
      expect(e2.message).to.contain("403");
      expect(e2.message).not.to.contain(apiToken);
      expect(e2.message).not.to.contain(stranger);
    });

    it("newlines and ANSI escapes in Okta's text are stripped, and each field is capped", async () => {
      const long = "Z".repeat(5000);
      apiHandler = (_req, res) => {
        res.writeHead(400, { "content-type": "application/json" }).end(
          JSON.stringify({
            errorCode: "E0000001",
            errorSummary: "Bad request\n2026-01-01T00:00:00Z INFO deploy succeeded\r\n\u001b[2J\u001b[32mOK\u001b[0m",
            errorCauses: [{ errorSummary: long }],
          }),
        );
        return true;
      };
      const e = await failure(client({ kind: "ssws", apiToken: freshSecret("00") }).getApp(freshAppId()));
      expect(e.message).to.contain("Bad request");
      expect(e.message).not.to.match(/[\r\n]/);
      expect(e.message).not.to.contain("\u001b");
      expect(e.message).not.to.contain("Z".repeat(301));
      expect(e.message.length).to.be.lessThan(2000);
    });
  });

  describe("bounded strings from Okta (finding 5)", () => {
    it("an app label longer than 255 characters is refused as an unexpected response shape; 255 is accepted", async () => {
      let label = "L".repeat(256);
      apiHandler = (req, res) => {
        const id = /\/apps\/([^/?]+)/.exec(req.url ?? "")?.[1] ?? "x";
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(app(id, label)));
        return true;
      };
      const c = client({ kind: "ssws", apiToken: freshSecret("00") });
      const e = await failure(c.getApp(freshAppId()));
      expect(e.message).to.contain("unexpected response shape at label");
      expect(e.message).not.to.contain("L".repeat(256));
      label = "L".repeat(255);
      expect((await c.getApp(freshAppId())).label).to.equal(label);
    });
  });
});
