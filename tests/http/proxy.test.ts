/**
 * HTTPS_PROXY / NO_PROXY (issue 10): which requests go through a proxy, the CONNECT tunnel itself against a loopback
 * proxy and a loopback HTTPS target with a certificate made at run time, and the messages when the proxy fails —
 * naming the variable and the fix, never the proxy's credentials.
 *
 * The target's host name ends in `.invalid`, which no resolver answers: a request that reached it went through the
 * proxy (which "resolves" every name to the loopback target, as a corporate proxy resolves names for its clients).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { AddressInfo } from "node:net";
import { expect } from "chai";
import { CerbyClient } from "../../components/cerby/client";
import { noProxyMatches, proxyFor } from "../../components/http";
import { failure, rejection } from "../helpers/errors";
import { freshSecret } from "../helpers/keys";
import { useLoopbackServer } from "../helpers/loopback-server";
import { selfSignedCert } from "../helpers/self-signed";

const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
const HOST = "acme.cerby.invalid";

describe("HTTPS_PROXY and NO_PROXY", function () {
  this.timeout(30000);

  describe("which requests go through the proxy", () => {
    const target = `https://${HOST}/api`;

    it("with no proxy variable, none (a direct connection, as before)", () => {
      expect(proxyFor(target, {})).to.equal(undefined);
    });

    it("an https target goes through HTTPS_PROXY (https_proxy first, as curl), shown without its credentials", () => {
      const p = proxyFor(target, { HTTPS_PROXY: "http://alice:pa55word@proxy.corp:3128" })!;
      expect(p.variable).to.equal("HTTPS_PROXY");
      expect(p.shown).to.equal("http://proxy.corp:3128");
      expect(p.authorization).to.equal(`Basic ${Buffer.from("alice:pa55word").toString("base64")}`);
      expect(proxyFor(target, { HTTPS_PROXY: "http://a:3128", https_proxy: "http://b:3128" })!.shown).to.equal(
        "http://b:3128",
      );
      expect(proxyFor(target, { https_proxy: "proxy.corp:8080" })!.shown).to.equal("http://proxy.corp:8080");
    });

    it("loopback targets (the emulators) and plain http are never proxied; HTTP_PROXY alone proxies nothing", () => {
      const env = { HTTPS_PROXY: "http://proxy.corp:3128", HTTP_PROXY: "http://proxy.corp:3128" };
      for (const t of ["http://127.0.0.1:18080/x", "https://localhost/x", "https://[::1]:8443/x"]) {
        expect(proxyFor(t, env), t).to.equal(undefined);
      }
      expect(proxyFor(target, { HTTP_PROXY: "http://proxy.corp:3128" })).to.equal(undefined);
    });

    it("NO_PROXY: *, hosts, domains with or without a leading dot or *., IPs, optional ports", () => {
      const rows: Array<[string, string, number, boolean]> = [
        ["*", "acme.okta.com", 443, true],
        ["okta.com", "acme.okta.com", 443, true],
        ["okta.com", "okta.com", 443, true],
        [".okta.com", "acme.okta.com", 443, true],
        ["*.okta.com", "acme.okta.com", 443, true],
        ["okta.com", "notokta.com", 443, false],
        ["acme.okta.com:8443", "acme.okta.com", 443, false],
        ["acme.okta.com:443", "acme.okta.com", 443, true],
        ["intranet, .cerby.com ,10.0.0.5", "acme.cerby.com", 443, true],
        ["intranet,10.0.0.5", "10.0.0.5", 443, true],
        ["intranet,10.0.0.5", "acme.cerby.com", 443, false],
        ["", "acme.cerby.com", 443, false],
      ];
      for (const [list, host, port, excluded] of rows) {
        expect(noProxyMatches(list, host, port), `${list} / ${host}:${port}`).to.equal(excluded);
      }
      expect(proxyFor(target, { HTTPS_PROXY: "http://proxy.corp:3128", no_proxy: ".invalid" })).to.equal(undefined);
    });

    it("a proxy this module cannot use is refused by name, its credentials not repeated", () => {
      let msg = "";
      try {
        proxyFor(target, { HTTPS_PROXY: "socks5://bob:hunter2secret@proxy.corp:1080" });
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).to.contain("HTTPS_PROXY names a socks5 proxy (socks5://proxy.corp:1080)");
      expect(msg).to.contain("HTTPS_PROXY=http://host:port");
      expect(msg).not.to.contain("hunter2secret");
    });
  });

  describe("through a loopback proxy", () => {
    const key = freshSecret("cby_");
    const { key: tlsKey, cert } = selfSignedCert([HOST]);
    const body = JSON.stringify({
      data: { type: "universal-logout-settings", attributes: { provider: "okta", enabled: true, appInstanceId: null } },
    });
    let target: https.Server;
    let targetRequests: Array<{ url?: string; host?: string; apiKey?: string }>;
    let proxy: http.Server;
    let proxyUrl: string;
    /** What the proxy saw: CONNECT targets and their Proxy-Authorization, and every byte it carried. */
    let connects: Array<{ target?: string; auth?: string }>;
    let carried: Buffer[];
    let answer407 = false;
    const saved: Record<string, string | undefined> = {};
    const direct = useLoopbackServer(); // a plain-http loopback target, like the emulators

    before(async () => {
      target = https.createServer({ key: tlsKey, cert }, (req, res) => {
        targetRequests.push({ url: req.url, host: req.headers.host, apiKey: String(req.headers["x-api-key"]) });
        res.writeHead(200, { "content-type": "application/json" }).end(body);
      });
      await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
      const targetPort = (target.address() as AddressInfo).port;
      proxy = http.createServer((_req, res) => res.writeHead(405).end());
      proxy.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        connects.push({ target: req.url, auth: req.headers["proxy-authorization"] });
        if (answer407) {
          client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n');
          return;
        }
        // Every name "resolves" to the loopback target, as the proxy's own resolver would.
        const upstream = net.connect(targetPort, "127.0.0.1", () => {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          upstream.write(head);
          client.on("data", (d: Buffer) => carried.push(d));
          upstream.on("data", (d: Buffer) => carried.push(d));
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    after(() => {
      for (const s of [target, proxy]) {
        s.closeAllConnections();
        s.close();
      }
    });
    beforeEach(() => {
      targetRequests = [];
      connects = [];
      carried = [];
      answer407 = false;
      for (const v of PROXY_VARS) {
        saved[v] = process.env[v];
        delete process.env[v];
      }
    });
    afterEach(() => {
      for (const v of PROXY_VARS) {
        if (saved[v] === undefined) delete process.env[v];
        else process.env[v] = saved[v];
      }
    });

    const cerby = (baseUrl: string, retries = 0) =>
      new CerbyClient({ baseUrl, apiKey: () => key, retry: { retries, baseDelayMs: 5, maxDelayMs: 20 } });

    /** One Cerby read in a child process that trusts the target's certificate (as NODE_EXTRA_CA_CERTS does). */
    const readInChild = async (env: Record<string, string>): Promise<{ ok?: unknown; error?: string }> => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "proxy-test-"));
      const ca = path.join(dir, "ca.pem");
      fs.writeFileSync(ca, cert);
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !PROXY_VARS.includes(k)));
      try {
        const out = await new Promise<string>((resolve, reject) =>
          execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(__dirname, "proxy-client.ts")],
            {
              cwd: path.join(__dirname, "../.."),
              env: { ...clean, NODE_EXTRA_CA_CERTS: ca, TARGET: `https://${HOST}`, CERBY_TEST_KEY: key, ...env },
              timeout: 25000,
            },
            (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
          ),
        );
        return JSON.parse(out.trim().split("\n").pop()!);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };

    it("an https request goes through a CONNECT tunnel: the proxy sees the host name, never the API key", async () => {
      const r = await readInChild({ HTTPS_PROXY: proxyUrl.replace("http://", "http://carol:tunnel-pass-123@") });
      expect(r.error).to.equal(undefined);
      expect(r.ok).to.deep.include({ enabled: true });
      expect(connects).to.deep.equal([
        { target: `${HOST}:443`, auth: `Basic ${Buffer.from("carol:tunnel-pass-123").toString("base64")}` },
      ]);
      expect(targetRequests).to.have.length(1);
      expect(targetRequests[0]).to.deep.include({ url: "/api/v1/settings/idp/universal-logout", apiKey: key });
      // TLS end to end: what the proxy carried holds neither the key nor the path.
      const bytes = Buffer.concat(carried).toString("latin1");
      expect(bytes.length).to.be.greaterThan(0);
      expect(bytes).not.to.contain(key);
      expect(bytes).not.to.contain("universal-logout");
    });

    it("NO_PROXY excludes the host: a direct connection (which cannot resolve .invalid), the proxy sees nothing", async () => {
      const r = await readInChild({ HTTPS_PROXY: proxyUrl, NO_PROXY: "localhost,.cerby.invalid" });
      expect(r.error).to.contain("does not resolve");
      expect(connects).to.have.length(0);
      expect(targetRequests).to.have.length(0);
    });

    it("the target's certificate is checked inside the tunnel: untrusted, the request fails and says so", async () => {
      process.env.HTTPS_PROXY = proxyUrl;
      const e = await failure(cerby(`https://${HOST}`).getUniversalLogout());
      expect(connects).to.have.length(1);
      expect(targetRequests).to.have.length(0);
      expect(e.message).to.contain("is not trusted");
      expect(e.message).to.contain("NODE_EXTRA_CA_CERTS");
    });

    it("a dead proxy: the message names HTTPS_PROXY and the fix, never the proxy's password", async () => {
      const dead = net.createServer();
      await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
      const port = (dead.address() as AddressInfo).port;
      await new Promise<void>((r) => dead.close(() => r()));
      process.env.HTTPS_PROXY = `http://dave:Dead-Proxy-Pass-9@127.0.0.1:${port}`;
      const e = await failure(cerby(`https://${HOST}`, 1).getUniversalLogout());
      expect(e.message).to.contain(`The proxy in HTTPS_PROXY (http://127.0.0.1:${port}) could not be reached`);
      expect(e.message).to.contain("ECONNREFUSED");
      expect(e.message).to.contain("check HTTPS_PROXY");
      expect(e.message).to.contain("NO_PROXY");
      expect(e.message).to.contain("after 2 attempts");
      for (const s of ["Dead-Proxy-Pass-9", "dave:", Buffer.from("dave:Dead-Proxy-Pass-9").toString("base64")]) {
        expect(e.message).not.to.contain(s);
        expect(e.stack ?? "").not.to.contain(s);
      }
    });

    it("a proxy answering 407: credentials asked for in words, not retried, the password never shown", async () => {
      answer407 = true;
      process.env.https_proxy = proxyUrl.replace("http://", "http://erin:Wrong-Pass-77@");
      const e = await failure(cerby(`https://${HOST}`, 3).getUniversalLogout());
      expect(connects).to.have.length(1); // a retry would get the same answer
      expect(e.message).to.contain("The proxy in https_proxy (http://127.0.0.1:");
      expect(e.message).to.contain("asked for credentials (HTTP 407");
      expect(e.message).not.to.contain("Wrong-Pass-77");
    });

    it("with HTTPS_PROXY set, a loopback target (an emulator) is still reached directly", async () => {
      process.env.HTTPS_PROXY = proxyUrl;
      direct.handler = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body);
      const got = await cerby(direct.url).getUniversalLogout();
      expect(got.enabled).to.equal(true);
      expect(direct.requests).to.equal(1);
      expect(connects).to.have.length(0);
    });

    it("an unusable proxy URL is refused before any request, naming the variable", async () => {
      process.env.HTTPS_PROXY = "socks5://127.0.0.1:1080";
      const e = await rejection(cerby(`https://${HOST}`).getUniversalLogout());
      expect(e.message).to.contain("HTTPS_PROXY names a socks5 proxy");
      expect(e.message).to.contain("No request was sent");
    });
  });
});
