/**
 * A credential echoed back by a vendor in any encoding never reaches a message (issue 19, finding 3): the Cerby API
 * key, the Okta API token and the OAuth client assertion, echoed as is, in base64 and base64url (whole, or inside a
 * longer base64 text at any byte alignment), URL-encoded, in hex, and in part. Messages are checked with the suite's
 * own scanner (tests/hardening/scan.ts), written apart from the code's redaction.
 */
import { expect } from "chai";
import type * as http from "node:http";
import { CerbyClient } from "../../components/cerby/client";
import { sanitizeText } from "../../components/http";
import { OktaClient } from "../../components/okta/client";
import { resetOktaTokenCache } from "../../components/okta/auth";
import { scan } from "../hardening/scan";
import { failure } from "../helpers/errors";
import { freshAppId, freshSecret } from "../helpers/keys";
import { useLoopbackServer } from "../helpers/loopback-server";
import { freshKeyPair } from "../okta/keys";

/** Every way the tests echo `secret`, one per line of the answer. */
function echoes(secret: string): string[] {
  const b = (s: string) => Buffer.from(s);
  return [
    `plain ${secret}`,
    `base64 ${b(secret).toString("base64")}`,
    `base64url ${b(secret).toString("base64url")}`,
    `url ${encodeURIComponent(secret)}`,
    `hex ${b(secret).toString("hex")}`,
    `HEX ${b(secret).toString("hex").toUpperCase()}`,
    `in base64 ${b(`k=${secret};`).toString("base64")}`,
    `in base64 ${b(`ke=${secret};`).toString("base64")}`,
    `in base64url ${b(`key=${secret};`).toString("base64url")}`,
    `part ${secret.slice(2, 18)}`,
  ];
}

/** The message, scanned for every form of each secret; the hits (empty when nothing leaked). */
const leaks = (message: string, secrets: Record<string, string>) =>
  scan(
    [{ source: "message", text: message }],
    Object.entries(secrets).map(([name, value]) => ({ name, value })),
  );

/** The body parsed from a request (JSON or a form). */
async function bodyOf(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("a credential echoed by a vendor in any encoding is redacted from the message", function () {
  this.timeout(20000);
  const srv = useLoopbackServer("");
  const retry = { baseDelayMs: 5, maxDelayMs: 20, retries: 0 };

  it("the scanner itself finds each echo in the raw answer (the negative control)", () => {
    const key = freshSecret("cby_");
    for (const line of echoes(key)) expect(leaks(line, { key }), line.split(" ")[0]).to.have.length.greaterThan(0);
  });

  it("Cerby: a 401 echoing the API key in every encoding", async () => {
    const key = freshSecret("cby_");
    srv.handler = (_req, res) =>
      res.writeHead(401, { "content-type": "application/vnd.api+json" }).end(
        JSON.stringify({
          errors: [
            { status: "401", code: "Unauthorized", title: echoes(key).join(" | "), detail: echoes(key).join(" ") },
          ],
        }),
      );
    const c = new CerbyClient({ baseUrl: `${srv.url}/ws/acme`, apiKey: () => key, appInstanceId: freshAppId(), retry });
    const e = await failure(c.getUniversalLogout());
    expect(e.message).to.contain("HTTP 401");
    expect(e.message).to.contain("[redacted]");
    expect(leaks(e.message, { key })).to.deep.equal([]);
  });

  it("Okta: a 401 echoing the API token (and the SSWS header) in every encoding", async () => {
    const token = freshSecret("00");
    srv.handler = (_req, res) =>
      res.writeHead(401, { "content-type": "application/json" }).end(
        JSON.stringify({
          errorCode: "E0000011",
          errorSummary: `Invalid token provided: ${echoes(token).join(" ")}`,
          errorCauses: echoes(`SSWS ${token}`).map((errorSummary) => ({ errorSummary })),
        }),
      );
    const c = new OktaClient({ orgUrl: srv.url, credentials: { kind: "ssws", apiToken: token }, retry });
    const e = await failure(c.getApp(freshAppId()));
    expect(e.message).to.contain("E0000011");
    expect(leaks(e.message, { token, header: `SSWS ${token}` })).to.deep.equal([]);
  });

  it("Okta OAuth: the token endpoint echoing the signed client assertion in every encoding", async () => {
    resetOktaTokenCache();
    const key = await freshKeyPair("RS256");
    const sent: string[] = [];
    srv.handler = (req, res) =>
      void bodyOf(req).then((body) => {
        const assertion = new URLSearchParams(body).get("client_assertion") ?? "";
        sent.push(assertion);
        res
          .writeHead(401, { "content-type": "application/json" })
          .end(JSON.stringify({ error: "invalid_client", error_description: echoes(assertion).join(" ") }));
      });
    const c = new OktaClient({
      orgUrl: srv.url,
      credentials: { kind: "oauth", clientId: "0oa1serviceapp000001", privateKey: key.pem, scopes: ["okta.apps.read"] },
      retry,
    });
    const e = await failure(c.getApp(freshAppId()));
    expect(sent).to.have.length.greaterThan(0);
    expect(sent[0].split(".")).to.have.length(3);
    expect(e.message).to.contain("invalid_client");
    const secrets = Object.fromEntries(sent.map((a, i) => [`client assertion ${i + 1}`, a]));
    expect(leaks(e.message, { ...secrets, "private key": key.pem })).to.deep.equal([]);
  });

  it("sanitizeText leaves text without the secret as it was", () => {
    const key = freshSecret("cby_");
    const text = "Cerby: could not read the setting: GET https://acme.cerby.com/api → HTTP 401 (request id 0f1e2d3c)";
    expect(sanitizeText(text, [key], 1000)).to.equal(text);
  });
});
