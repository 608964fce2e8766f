/**
 * A raw HTTP server on 127.0.0.1 for one mocha suite, answering with whatever `handler` the test sets — for answers no
 * emulator gives (redirects, endless bodies, hostile text). Registers its own before/after/beforeEach hooks.
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";

export interface LoopbackServer {
  /** The server's URL plus `path` (set once the suite's `before` ran). */
  url: string;
  /** How this test's requests are answered. */
  handler: http.RequestListener;
  /** Requests received since the current test began. */
  requests: number;
}

export function useLoopbackServer(path = "/ws/acme"): LoopbackServer {
  const s: LoopbackServer = { url: "", handler: () => undefined, requests: 0 };
  let server: http.Server;
  before(async () => {
    server = http.createServer((req, res) => {
      s.requests++;
      s.handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => (s.requests = 0));
  return s;
}
