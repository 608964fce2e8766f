/**
 * The process-wide, per-origin limiter of components/http.ts: the concurrency bound and Okta's rate-limit state are
 * shared by every client of an origin (the providers build a client per resource operation), and pacing against
 * `X-Rate-Limit-Remaining` / `X-Rate-Limit-Reset` keeps a small bucket from being spent into 429s.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { CerbyClient } from "../../components/cerby/client";
import { OktaClient } from "../../components/okta/client";
import { effectiveConcurrency, httpLimiters, resetHttpLimiters } from "../../components/http";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { RecordedRequest } from "../emulators/server";
import { freshAppId, freshSecret } from "../helpers/keys";
import { Registered, configOf, installMocks, loadSerializedProvider, settle } from "../helpers/serialize";
import { freshKeyPair } from "../okta/keys";

/** Most requests the server was working on at once, from arrival times and a fixed server latency. */
function serverConcurrency(reqs: RecordedRequest[], latencyMs: number): number {
  const at = reqs.map((r) => r.at).sort((a, b) => a - b);
  let most = 0;
  for (const t of at) most = Math.max(most, at.filter((u) => u <= t && u > t - latencyMs + 5).length);
  return most;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("shared per-origin HTTP limiter", function () {
  this.timeout(20000);
  const cerby = new CerbyEmulator();
  const cerby2 = new CerbyEmulator();
  const okta = new OktaEmulator();
  const key = freshSecret("cby_");
  const token = freshSecret("00");
  let appId: string;

  const cerbyClient = (emu: CerbyEmulator, concurrency: number) =>
    new CerbyClient({ baseUrl: emu.workspaceUrl("acme"), apiKey: () => key, concurrency, retry: { baseDelayMs: 5 } });
  const oktaClient = (concurrency = 4) =>
    new OktaClient({ orgUrl: okta.baseUrl, credentials: { kind: "ssws", apiToken: token }, concurrency });

  before(async () => {
    for (const emu of [cerby, cerby2]) {
      await emu.start();
      emu.addWorkspace("acme");
      emu.addApiKey("acme", key, { role: "admin" });
    }
    await okta.start();
    okta.addApiToken(token);
    appId = okta.addApp({ universalLogout: "ENABLED" }).id;
  });
  after(async () => {
    await cerby.stop();
    await cerby2.stop();
    await okta.stop();
  });
  beforeEach(() => {
    resetHttpLimiters();
    for (const s of [cerby.server, cerby2.server, okta.server]) {
      s.clearLog();
      s.clearFaults();
      s.latencyMs = 0;
    }
    okta.rateLimit = { limit: 600, windowMs: 60_000 };
  });

  it("bounds requests in flight per origin across client instances", async () => {
    cerby.server.latencyMs = 100;
    const [a, b] = [cerbyClient(cerby, 2), cerbyClient(cerby, 2)];
    const t0 = Date.now();
    await Promise.all([...Array(4)].flatMap(() => [a.getUniversalLogout(), b.getUniversalLogout()]));
    const wall = Date.now() - t0;
    expect(cerby.server.count()).to.equal(8);
    // 8 requests, 2 at a time, 100 ms each: 4 rounds. Per-client bounds would have allowed 4 at a time (2 rounds).
    expect(serverConcurrency(cerby.server.requests, 100)).to.equal(2);
    expect(wall).to.be.at.least(390);
    const [l] = [...httpLimiters().values()];
    expect(httpLimiters().size).to.equal(1);
    expect(l.stats).to.include({ sent: 8, maxInFlight: 2, maxSending: 2 });
    expect(l.inFlight).to.equal(0);
  });

  it("keeps origins apart: a slow origin does not hold another origin's slots", async () => {
    cerby.server.latencyMs = 100;
    cerby2.server.latencyMs = 100;
    const t0 = Date.now();
    await Promise.all(
      [...Array(3)].flatMap(() => [
        cerbyClient(cerby, 1).getUniversalLogout(),
        cerbyClient(cerby2, 1).getUniversalLogout(),
      ]),
    );
    const wall = Date.now() - t0;
    expect([cerby.server.count(), cerby2.server.count()]).to.deep.equal([3, 3]);
    expect(serverConcurrency(cerby.server.requests, 100)).to.equal(1);
    expect(serverConcurrency(cerby2.server.requests, 100)).to.equal(1);
    // The two origins run side by side: 2 requests at once across both servers (1 if they shared a slot). Measured
    // on the servers, not by wall time, which a loaded 2-core CI machine stretches.
    expect(serverConcurrency([...cerby.server.requests, ...cerby2.server.requests], 100)).to.equal(2);
    expect(wall).to.be.at.least(290);
    expect(httpLimiters().size).to.equal(2);
  });

  it("CERBY_OKTA_HTTP_CONCURRENCY (or the per-side variable) overrides the client default", async () => {
    expect(effectiveConcurrency("Okta", 4, {})).to.equal(4);
    expect(effectiveConcurrency("Okta", 4, { CERBY_OKTA_HTTP_CONCURRENCY: "16" })).to.equal(16);
    expect(
      effectiveConcurrency("Cerby", 8, { CERBY_OKTA_HTTP_CONCURRENCY: "2", CERBY_HTTP_CONCURRENCY: "3" }),
    ).to.equal(3);
    for (const bad of ["0", "-1", "x", "1.5", ""]) {
      expect(effectiveConcurrency("Okta", 4, { CERBY_OKTA_HTTP_CONCURRENCY: bad })).to.equal(4);
    }
    process.env.CERBY_OKTA_HTTP_CONCURRENCY = "1";
    try {
      cerby.server.latencyMs = 60;
      const clients = [cerbyClient(cerby, 8), cerbyClient(cerby, 8), cerbyClient(cerby, 8)];
      expect(clients[0].http.concurrency).to.equal(1);
      await Promise.all(clients.map((c) => c.getUniversalLogout()));
      expect(serverConcurrency(cerby.server.requests, 60)).to.equal(1);
    } finally {
      delete process.env.CERBY_OKTA_HTTP_CONCURRENCY;
    }
  });

  it("a 429 with X-Rate-Limit-Reset pauses every client of the origin until the reset", async () => {
    const resetSec = Math.ceil((Date.now() + 1200) / 1000);
    okta.server.inject({
      kind: "status",
      status: 429,
      times: 1,
      method: "GET",
      headers: { "x-rate-limit-limit": "600", "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(resetSec) },
      body: { errorCode: "E0000047", errorSummary: "API call exceeded rate limit due to too many requests." },
    });
    const first = oktaClient().getApp(appId); // meets the 429, waits for the reset, succeeds
    await sleep(100);
    const others = Promise.all([oktaClient().getApp(appId), oktaClient().getProvisioning(appId)]);
    await Promise.all([first, others]);
    const reqs = okta.server.requests;
    expect(reqs.map((r) => r.status)).to.deep.equal([429, 200, 200, 200]);
    // Nobody, not even the clients created after the 429, sent anything before the reset.
    for (const r of reqs.slice(1)) expect(r.at).to.be.at.least(resetSec * 1000);
  });

  it("paces against X-Rate-Limit-Remaining: a small bucket is used up to its limit, then waited for, with no 429", async () => {
    okta.rateLimit = { limit: 5, windowMs: 1000 };
    await sleep(1100); // a fresh window
    okta.server.clearLog();
    okta.server.latencyMs = 20;
    const t0 = Date.now();
    // 12 reads from 6 clients (as 6 resource operations would), 4 in flight at a time: 3 windows of 5.
    await Promise.all(
      [...Array(6)].map(() =>
        oktaClient()
          .getApp(appId)
          .then(() => oktaClient().getApp(appId)),
      ),
    );
    const wall = Date.now() - t0;
    const reqs = okta.server.requests;
    expect(reqs).to.have.length(12);
    expect(reqs.filter((r) => r.status === 429)).to.have.length(0);
    // Per window (from its first request), at most the limit.
    const at = reqs.map((r) => r.at).sort((a, b) => a - b);
    const windows: number[][] = [];
    for (const t of at) {
      const w = windows[windows.length - 1];
      if (w && t < w[0] + 1000) w.push(t);
      else windows.push([t]);
    }
    expect(windows.map((w) => w.length)).to.deep.equal([5, 5, 2]);
    expect(wall).to.be.below(6500); // each wait ends at the next whole second after the window (Okta sends seconds)
    const l = [...httpLimiters().values()][0];
    expect(l.stats.pacedWaits).to.be.greaterThan(0);
    expect(l.stats.throttled).to.equal(0);
  });

  it("the token endpoint has its own pool: an API call holding the only slot can still get a token", async () => {
    const keys = await freshKeyPair("RS256");
    const clientId = freshAppId();
    okta.addServiceApp({ clientId, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"] });
    const c = new OktaClient({
      orgUrl: okta.baseUrl,
      credentials: {
        kind: "oauth",
        clientId,
        privateKey: keys.pem,
        privateKeyId: keys.kid,
        scopes: ["okta.apps.read"],
      },
      concurrency: 1,
    });
    const app = await c.getApp(appId);
    expect(app.id).to.equal(appId);
    expect(okta.tokenRequests).to.equal(1);
    expect([...httpLimiters().keys()].map((k) => k.split(" ").pop()).sort()).to.deep.equal(["api", "unauthenticated"]);
  });

  it("lives in a process-global slot: a provider loaded from its serialized text uses the same limiter", async () => {
    const registered: Registered[] = [];
    installMocks(registered);
    const { CerbyUniversalLogout } = await import("../../components/cerby/provider");
    new CerbyUniversalLogout("limiter", { baseUrl: cerby.workspaceUrl("acme"), appInstanceId: freshAppId() });
    await settle();
    const text = registered.find((r) => r.type === "pulumi-nodejs:dynamic/cerby:UniversalLogout")!.inputs
      .__provider as string;
    // The state holds a reference to the provider's module (which finds the slot at run time), never the limiter.
    expect(text).to.contain('"cerby-okta-universal-logout/provider-loader"').and.to.contain('l.provider("cerby")');
    expect(text).not.to.contain("http-limiters");
    const [p1, p2] = [loadSerializedProvider(text), loadSerializedProvider(text)];
    await p1.configure!(configOf({ "cerby:apiKey": key }) as unknown as pulumi.dynamic.ConfigureRequest);
    const props = { baseUrl: cerby.workspaceUrl("acme"), mode: "api" as const, url: cerby.workspaceUrl("acme") };
    await Promise.all([p1.read!("x", props as never), p2.read!("y", props as never)]);
    const limiters = [...httpLimiters().entries()];
    expect(limiters).to.have.length(1);
    expect(limiters[0][0]).to.equal(`Cerby ${new URL(cerby.baseUrl).origin} api`);
    expect(limiters[0][1].stats.sent).to.equal(2);
  });
});
