/**
 * Okta's `X-Rate-Limit-Reset` is an epoch second on Okta's clock: the wait it asks for is measured from the answer's
 * `Date` header, not from this machine's clock. A loopback server plays an Okta whose clock is minutes off ours; the
 * wait must still be the ~2 s the server meant — not none (our clock ahead) and not minutes (our clock behind).
 */
import * as http from "node:http";
import { expect } from "chai";
import { OktaClient } from "../../components/okta/client";
import { serverNowMs, serverWaitMs } from "../../components/http";
import { freshAppId, freshSecret } from "../helpers/keys";
import { useLoopbackServer } from "../helpers/loopback-server";

const MINUTES = 60_000;

describe("Rate-limit waits on the server's clock (Date header)", function () {
  this.timeout(20000);
  const srv = useLoopbackServer("");
  const appId = freshAppId();
  const app = { id: appId, name: "cerby", label: "Cerby", status: "ACTIVE" };
  /** Arrival times of the requests of the current test (local clock). */
  let arrivals: number[] = [];
  beforeEach(() => (arrivals = []));

  const client = () =>
    new OktaClient({
      orgUrl: srv.url,
      credentials: { kind: "ssws", apiToken: freshSecret("00") },
      retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
    });

  /**
   * An Okta whose clock runs `skewMs` off ours: the first answer is `first` (429, or a 200 that drains the bucket)
   * with the reset 2 s ahead on the server's clock; later answers are 200.
   */
  const skewedOkta = (skewMs: number, first: 429 | 200, date = true) => {
    srv.handler = (_req: http.IncomingMessage, res: http.ServerResponse) => {
      arrivals.push(Date.now());
      const serverNow = Date.now() + skewMs;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (date) headers["date"] = new Date(serverNow).toUTCString();
      else res.sendDate = false;
      if (arrivals.length === 1) {
        headers["x-rate-limit-limit"] = "600";
        headers["x-rate-limit-remaining"] = "0";
        headers["x-rate-limit-reset"] = String(Math.ceil(serverNow / 1000) + 2);
        if (first === 429) {
          res.writeHead(429, headers).end(JSON.stringify({ errorCode: "E0000047", errorSummary: "rate limit" }));
          return;
        }
      }
      res.writeHead(200, headers).end(JSON.stringify(app));
    };
  };

  /** The gap between the first and second request, which the reset ~2 s ahead (server clock) should set. */
  const gap = () => arrivals[1] - arrivals[0];

  for (const skew of [-5 * MINUTES, +5 * MINUTES, 0]) {
    const clock = skew === 0 ? "in step with ours" : skew < 0 ? "5 minutes behind ours" : "5 minutes ahead of ours";

    it(`a 429 from a server whose clock is ${clock}: retried after the ~2 s reset, not at once nor minutes later`, async () => {
      skewedOkta(skew, 429);
      const got = await client().getApp(appId);
      expect(got.id).to.equal(appId);
      expect(arrivals).to.have.length(2);
      expect(gap()).to.be.within(1000, 3500);
    });

    it(`a drained bucket (remaining 0) from a server whose clock is ${clock}: the next call waits for the reset`, async () => {
      skewedOkta(skew, 200);
      const c = client();
      await c.getApp(appId);
      await client().getApp(appId); // another client of the same origin: the pause is shared
      expect(arrivals).to.have.length(2);
      expect(gap()).to.be.within(1000, 3500);
    });
  }

  it("without a Date header the local clock is used (a server in step: the same ~2 s wait)", async () => {
    skewedOkta(0, 429, false);
    await client().getApp(appId);
    expect(gap()).to.be.within(1000, 3500);
  });

  describe("serverNowMs / serverWaitMs", () => {
    const at = Date.parse("2026-03-01T12:00:00.000Z");
    const date = (ms: number) => new Date(ms).toUTCString();

    it("the server's now is its Date header; the local clock only refines it within that whole second", () => {
      expect(serverNowMs({ date: date(at) }, at + 400)).to.equal(at + 400); // in step: our finer reading
      expect(serverNowMs({ date: date(at) }, at - 5 * MINUTES)).to.equal(at); // we are behind
      expect(serverNowMs({ date: date(at) }, at + 5 * MINUTES)).to.equal(at + 999); // we are ahead
      expect(serverNowMs({}, at + 123)).to.equal(at + 123); // no Date: the local clock
      expect(serverNowMs({ date: "yesterday-ish" }, at + 123)).to.equal(at + 123); // unreadable Date: the local clock
    });

    it("X-Rate-Limit-Reset and a Retry-After date are measured from the Date header", () => {
      const h = { date: date(at), "x-rate-limit-reset": String(at / 1000 + 30), "x-rate-limit-remaining": "0" };
      for (const local of [at - 10 * MINUTES, at, at + 10 * MINUTES]) {
        expect(serverWaitMs(h, 429, local)).to.be.within(29_000, 30_200);
        expect(serverWaitMs({ date: date(at), "retry-after": date(at + 20_000) }, 429, local)).to.be.within(
          19_000,
          20_000,
        );
      }
      expect(serverWaitMs({ "retry-after": "7" }, 429, at)).to.equal(7000); // seconds need no clock
    });
  });
});
