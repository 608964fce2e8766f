/**
 * The shared HTTP layer under hostile answers (issue 9, first part), through the Cerby client against raw loopback
 * servers: a redirect is never success, an oversized or endless body and a dripping answer are cut off with the limit
 * named, and plain http to a non-loopback host is refused before any request.
 */
import { expect } from "chai";
import { CerbyClient } from "../../components/cerby/client";
import { failure, rejection } from "../helpers/errors";
import { freshAppId, freshSecret } from "../helpers/keys";
import { useLoopbackServer } from "../helpers/loopback-server";

describe("HTTP layer under hostile answers", function () {
  this.timeout(20000);
  const key = freshSecret("cby_");
  const srv = useLoopbackServer();

  const client = (baseUrl = srv.url, extra: Partial<ConstructorParameters<typeof CerbyClient>[0]> = {}) =>
    new CerbyClient({
      baseUrl,
      apiKey: () => key,
      appInstanceId: freshAppId(),
      retry: { baseDelayMs: 5, maxDelayMs: 20, retries: 0 },
      ...extra,
    });

  it("a PUT answered 307 is not success: the error reports the status and the redirect target, not followed", async () => {
    srv.handler = (_req, res) => res.writeHead(307, { location: "https://elsewhere.example/steal" }).end();
    const msg = (await failure(client().putUniversalLogout(true, freshAppId()))).message;
    expect(msg).to.contain("307");
    expect(msg).to.contain("https://elsewhere.example/steal");
    expect(msg).to.contain("not followed");
    expect(srv.requests).to.equal(1);
  });

  it("a body over the size limit is refused, naming the limit", async () => {
    srv.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"data":"${"x".repeat(6 * 1024 * 1024)}"}`);
    };
    const msg = (await failure(client().getUniversalLogout())).message;
    expect(msg).to.match(/body too large \(over the 4 MiB limit/);
  });

  it("an answer that drips forever is cut at the per-attempt deadline, naming it", async () => {
    srv.handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const t = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(t));
    };
    const started = Date.now();
    const msg = (await failure(client(srv.url, { timeoutMs: 500 }).getUniversalLogout())).message;
    expect(msg).to.contain("deadline");
    expect(Date.now() - started).to.be.lessThan(5000);
  });

  it("plain http to a non-loopback host is refused before any request, and the key never leaves", async () => {
    const msg = (await rejection(client("http://acme.cerby.example").getUniversalLogout())).message;
    expect(msg).to.contain("plain http is only allowed to loopback hosts");
    expect(msg).to.contain("No request was sent");
    expect(msg).not.to.contain(key);
    expect(srv.requests).to.equal(0);
  });

  it("an error body that echoes the API key has it redacted from the message", async () => {
    srv.handler = (_req, res) =>
      res.writeHead(401, { "content-type": "application/vnd.api+json" }).end(
        JSON.stringify({
          errors: [{ status: "401", title: `bad key ${key}\u001b[31m`, detail: `X-API-Key: ${key}` }],
        }),
      );
    const msg = (await failure(client().getUniversalLogout())).message;
    expect(msg).to.contain("401");
    expect(msg).not.to.contain(key);
    expect(msg).not.to.contain("\u001b");
  });
});
