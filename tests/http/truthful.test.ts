/**
 * Error messages that say what actually happened, and vendor text that cannot forge anything (security review, findings
 * 4, 5 and 9), through the Cerby client against a raw loopback server: a 401 naming a role is not "key not accepted",
 * a 501 is not retried and no retry budget is claimed, a Retry-After beyond the wait is named, a write whose answer was
 * lost may have landed, nothing is said twice, the URL shown is the one requested; vendor text is redacted, stripped
 * of control characters and capped; oversized strings in an answer are refused, not stored.
 */
import { expect } from "chai";
import { CerbyClient } from "../../components/cerby/client";
import { HTTP_DEFAULTS, VENDOR_FIELD_CAP } from "../../components/http";
import { failure } from "../helpers/errors";
import { freshAppId, freshSecret } from "../helpers/keys";
import { useLoopbackServer } from "../helpers/loopback-server";

describe("HTTP layer: truthful messages and bounded vendor text (Cerby, loopback)", function () {
  this.timeout(20000);
  const key = freshSecret("cby_");
  const srv = useLoopbackServer();

  const client = (extra: Partial<ConstructorParameters<typeof CerbyClient>[0]> = {}) =>
    new CerbyClient({
      baseUrl: srv.url,
      apiKey: () => key,
      appInstanceId: freshAppId(),
      retry: { baseDelayMs: 5, maxDelayMs: 20, retries: 2 },
      ...extra,
    });
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    (srv.handler = (_req, res) =>
      res.writeHead(status, { "content-type": "application/vnd.api+json", ...headers }).end(JSON.stringify(body)));
  const setting = (attributes: Record<string, unknown>) => ({
    data: {
      type: "universal-logout-settings",
      attributes: { provider: "okta", enabled: true, appInstanceId: freshAppId(), ...attributes },
    },
  });

  describe("truthful messages (finding 9)", () => {
    it("a 401 whose body names a role says the key was accepted but may not do this, not that it was rejected", async () => {
      answer(401, { errors: [{ status: "401", title: "Unauthorized", detail: "The admin role is required" }] });
      const e = await failure(client().putUniversalLogout(true, freshAppId()));
      expect(e.status).to.equal(401);
      expect(e.message).to.contain("accepted the key but says it may not do this");
      expect(e.message).to.contain("Owner, Super Admin or Admin role");
      expect(e.message).not.to.contain("key was not accepted");
      expect(srv.requests).to.equal(1);
    });

    it("a plain 401 (no role named) still says the key was not accepted", async () => {
      answer(401, { errors: [{ status: "401", title: "Unauthorized", detail: "Invalid API key" }] });
      const e = await failure(client().getUniversalLogout());
      expect(e.message).to.contain("key was not accepted");
      expect(e.message).not.to.contain("accepted the key but");
    });

    it("a retry setting left undefined keeps the default budget (HTTP_DEFAULTS.retries), not an endless one", async () => {
      answer(503, { errors: [{ status: "503", title: "Service Unavailable" }] });
      const c = client({ retry: { retries: undefined, baseDelayMs: 1, maxDelayMs: 2 } });
      const e = await failure(c.getUniversalLogout());
      expect(e.status).to.equal(503);
      expect(srv.requests).to.equal(1 + HTTP_DEFAULTS.retries);
    });

    it("a 501 is not retried, and the message does not claim a retry budget", async () => {
      answer(501, { errors: [{ status: "501", title: "Not Implemented" }] });
      const e = await failure(client().getUniversalLogout());
      expect(e.status).to.equal(501);
      expect(srv.requests).to.equal(1);
      expect(e.message).to.contain("not retried");
      expect(e.message).not.to.contain("retry budget");
      expect(e.message).not.to.contain("attempts");
    });

    it("a 429 with Retry-After 120 (beyond the longest wait) says Cerby asked to wait 120 s, not a retry budget", async () => {
      answer(429, { errors: [{ status: "429", title: "Too Many Requests" }] }, { "Retry-After": "120" });
      const started = Date.now();
      const e = await failure(client().getUniversalLogout());
      expect(e.status).to.equal(429);
      expect(e.message).to.contain("asked to wait 120 s");
      expect(e.message).not.to.contain("retry budget");
      expect(srv.requests).to.equal(1);
      expect(Date.now() - started).to.be.lessThan(5000);
    });

    it("a PUT that times out says it may still have been applied; a GET that times out does not", async () => {
      srv.handler = () => undefined; // never answers
      const put = await failure(
        client({ timeoutMs: 200, retry: { retries: 0 } }).putUniversalLogout(true, freshAppId()),
      );
      expect(put.status).to.equal(undefined);
      expect(put.message).to.contain("did not answer in time");
      expect(put.message).to.contain("may still have been applied");
      const get = await failure(client({ timeoutMs: 200, retry: { retries: 0 } }).getUniversalLogout());
      expect(get.message).to.contain("did not answer in time");
      expect(get.message).not.to.contain("may still have been applied");
    });

    it("says each vendor fragment once: no 'forbidden: forbidden:' and no doubled period", async () => {
      answer(403, { errors: [{ status: "403", code: "forbidden", title: "Forbidden", detail: "Forbidden." }] });
      const e = await failure(client().putUniversalLogout(true, freshAppId()));
      expect(e.status).to.equal(403);
      expect(e.message).not.to.match(/forbidden:\s*forbidden/i);
      expect(e.message).not.to.contain("..");
      expect(e.message.match(/forbidden/gi)).to.have.length(1);

      answer(400, { errors: [{ status: "400", title: "Bad request", detail: "Invalid request." }] });
      const e2 = await failure(client().putUniversalLogout(true, freshAppId()));
      expect(e2.message).to.contain("Invalid request");
      expect(e2.message).not.to.contain("request..");
      expect(e2.message).not.to.contain("..");
    });

    it("shows the full URL actually requested, not a path relative to the base URL", async () => {
      answer(403, { errors: [{ status: "403", title: "Forbidden" }] });
      const e = await failure(client().getUniversalLogout());
      expect(e.message).to.contain(`GET ${srv.url}/api/v1/settings/idp/universal-logout →`);
    });
  });

  describe("vendor text (finding 4)", () => {
    it("an error body echoing SSWS and Bearer credentials has them redacted", async () => {
      const ssws = freshSecret("00");
      const bearer = freshSecret("at-");
      const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: freshSecret("") })).toString("base64url")}.${freshSecret("")}`;
      answer(401, {
        errors: [
          {
            status: "401",
            title: `Authorization: SSWS ${ssws}`,
            detail: `also got Bearer ${bearer} and client_assertion=${jwt}`,
          },
        ],
      });
      const e = await failure(client().getUniversalLogout());
      expect(e.message).to.contain("401");
      for (const secret of [ssws, bearer, jwt, jwt.split(".")[1], key]) expect(e.message).not.to.contain(secret);
      expect(e.message).to.contain("[redacted");
    });

    it("newlines and ANSI escapes cannot forge log lines; each vendor field is capped", async () => {
      const long = "Q".repeat(20_000);
      answer(400, {
        errors: [
          {
            status: "400",
            code: `bad\n[INFO] deploy finished OK\r\n\u001b[1A\u001b[2K`,
            title: `Bad\u2028request\u001b[31m red \u001b]0;title\u0007`,
            detail: long,
          },
        ],
      });
      const e = await failure(client().putUniversalLogout(true, freshAppId()));
      expect(e.message).not.to.match(/[\r\n\u2028\u0007]/);
      expect(e.message).not.to.contain("\u001b");
      expect(e.message).to.contain("deploy finished OK");
      expect(e.message).not.to.contain("Q".repeat(VENDOR_FIELD_CAP + 1));
      expect(e.fields.detail!.length).to.be.at.most(VENDOR_FIELD_CAP);
      expect(e.message.length).to.be.lessThan(3000);
    });
  });

  describe("bounded strings in answers (finding 5)", () => {
    for (const [field, value] of [
      ["updatedAt", "2".repeat(3 * 1024 * 1024)],
      ["updatedBy", "u".repeat(10_000)],
      ["appInstanceId", `0oa${"x".repeat(1000)}`],
    ] as const) {
      it(`a huge ${field} (${value.length} chars) is refused as an unexpected response shape, never returned`, async () => {
        answer(200, setting({ [field]: value }));
        const e = await failure(client().getUniversalLogout());
        expect(e.message).to.contain(`unexpected response shape at data.attributes.${field}`);
        expect(e.message).not.to.contain(value.slice(0, 400));
        expect(e.message.length).to.be.lessThan(3000);
        // The same for the answer to a write.
        const w = await failure(client().putUniversalLogout(true, freshAppId()));
        expect(w.message).to.contain(`unexpected response shape at data.attributes.${field}`);
      });
    }

    it("a 20 MiB updatedAt is refused too (the body is over the size limit), never stored", async () => {
      answer(200, setting({ updatedAt: "2".repeat(20 * 1024 * 1024) }));
      const e = await failure(client({ retry: { retries: 0 } }).getUniversalLogout());
      expect(e.message).to.contain("body too large (over the 4 MiB limit");
      expect(e.message).not.to.contain("2".repeat(400));
      expect(e.message.length).to.be.lessThan(3000);
      expect(srv.requests).to.equal(1);
    });
  });
});
