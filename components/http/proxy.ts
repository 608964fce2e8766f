/**
 * HTTPS_PROXY / NO_PROXY as curl and most Node tools read them, and CONNECT tunnelling through that proxy.
 *
 * Which requests go through a proxy (read per request from the environment; nothing is kept on a client):
 *  - https targets only, through `https_proxy` or `HTTPS_PROXY` (lower case first, as curl and proxy-from-env).
 *    Plain http is only ever allowed to loopback hosts (./url), and loopback is never proxied, so HTTP_PROXY has
 *    nothing to carry here;
 *  - never a loopback host (the emulators, local tools): a proxy elsewhere cannot reach this machine's loopback;
 *  - not a host listed in `no_proxy` / `NO_PROXY`: `*` (nothing is proxied), or a comma- or space-separated list of
 *    host names and domains (`example.com`, `.example.com` and `*.example.com` each match example.com and every
 *    subdomain) and IP addresses, each optionally with `:port`.
 *
 * The tunnel: `CONNECT host:443` to the proxy, then TLS to the target inside it, so the proxy sees the host name only
 * and the target's certificate is checked as usual (a proxy that inspects TLS needs its CA in NODE_EXTRA_CA_CERTS).
 * axios' own `proxy` option would send an https request to the proxy in the clear instead, which is why it stays off.
 * Credentials in the proxy URL (`http://user:password@proxy:8080`) go in `Proxy-Authorization` and nowhere else:
 * messages show the proxy's origin only.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { processMap } from "../settings";
import { HTTP_DEFAULTS } from "./defaults";
import { isLoopbackHost } from "./url";

export type Env = Record<string, string | undefined>;

/** The proxy a request goes through. */
export interface ProxyChoice {
  /** The proxy URL as given; may carry credentials, so never shown. */
  url: URL;
  /** The variable it came from (`HTTPS_PROXY` or `https_proxy`), named in messages. */
  variable: string;
  /** The proxy's origin without credentials: what messages show. */
  shown: string;
  /** `Proxy-Authorization` value when the URL carries credentials. */
  authorization?: string;
  /** The credential forms to redact from any message (password, `user:password`, its base64). */
  secrets: string[];
}

/** An environment variable, lower-case form first (as curl and proxy-from-env read them). */
function fromEnv(env: Env, name: string): { variable: string; value: string } | undefined {
  for (const variable of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[variable]?.trim();
    if (value) return { variable, value };
  }
  return undefined;
}

/** True when `NO_PROXY` excludes `host:port` (curl's reading: exact host, or any subdomain of a listed domain). */
export function noProxyMatches(noProxy: string, host: string, port: number): boolean {
  const h = host
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  for (const raw of noProxy.toLowerCase().split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === "*") return true;
    // `host:port`, `[v6]:port`, or a bare host (an IPv6 address has colons of its own).
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw) ?? /^([^:]+)(?::(\d+))?$/.exec(raw);
    const entry = (m ? m[1] : raw).replace(/^\*?\./, "").replace(/\.$/, "");
    if (m?.[2] && Number(m[2]) !== port) continue;
    if (entry && (h === entry || h.endsWith(`.${entry}`))) return true;
  }
  return false;
}

/**
 * The proxy for a request to `target`, or undefined for a direct connection (see the rules above). Throws a plain
 * Error with a complete sentence when the variable is set but is not a proxy this module can use.
 */
export function proxyFor(target: string, env: Env = process.env): ProxyChoice | undefined {
  const t = new URL(target);
  if (t.protocol !== "https:" || isLoopbackHost(t.hostname)) return undefined;
  const set = fromEnv(env, "HTTPS_PROXY");
  if (!set) return undefined;
  const noProxy = fromEnv(env, "NO_PROXY");
  if (noProxy && noProxyMatches(noProxy.value, t.hostname, Number(t.port || 443))) return undefined;
  // curl reads `proxy.corp:8080` as http://proxy.corp:8080.
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(set.value) ? set.value : `http://${set.value}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `${set.variable} is not a URL; set it to the proxy as http://host:port (or unset it to connect directly)`,
    );
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(
      `${set.variable} names a ${url.protocol.replace(/:$/, "")} proxy (${shown}); only http:// and https:// proxies ` +
        `are supported: set ${set.variable}=http://host:port, or list ${t.hostname} in NO_PROXY to connect directly`,
    );
  }
  const secrets: string[] = [];
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const basic = Buffer.from(`${user}:${password}`).toString("base64");
    authorization = `Basic ${basic}`;
    secrets.push(password, `${user}:${password}`, basic, url.password);
  }
  return { url, variable: set.variable, shown, authorization, secrets };
}

/** A failure of the proxy itself, in words for the user; `final` when a retry would get the same answer. */
export class ProxyFailure extends Error {
  constructor(
    readonly problem: string,
    readonly final: boolean,
  ) {
    super(problem);
    this.message = problem;
    this.name = "ProxyFailure";
  }
}

/**
 * An https.Agent whose connections are tunnels: `CONNECT host:port` to the proxy, then TLS to the target inside it.
 * Node's Agent accepts a socket handed to `createConnection`'s callback, so the CONNECT can complete first.
 */
class TunnelAgent extends https.Agent {
  constructor(private readonly proxy: ProxyChoice) {
    super({ keepAlive: true });
  }

  createConnection(
    options: tls.ConnectionOptions & { host?: string; port?: number },
    cb: (e: Error | null, s?: Duplex) => void,
  ) {
    const p = this.proxy;
    const target = `${options.host}:${options.port ?? 443}`;
    const where = `the proxy in ${p.variable} (${p.shown})`;
    let settled = false;
    const done = (e: Error | null, s?: Duplex) => {
      if (settled) return;
      settled = true;
      cb(e, s);
    };
    const fail = (problem: string, final: boolean) => done(new ProxyFailure(problem, final));
    const req = (p.url.protocol === "https:" ? https : http).request({
      host: p.url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(p.url.port || (p.url.protocol === "https:" ? 443 : 80)),
      method: "CONNECT",
      path: target,
      headers: { Host: target, ...(p.authorization ? { "Proxy-Authorization": p.authorization } : {}) },
      // The agent's own socket to the proxy: not pooled, the tunnel is.
      agent: false,
    });
    // The attempt's own deadline cancels the request; this only frees a CONNECT the proxy never answers.
    req.setTimeout(HTTP_DEFAULTS.timeoutMs, () => req.destroy(new Error("ETIMEDOUT")));
    req.once("connect", (res: http.IncomingMessage, socket) => {
      socket.setTimeout(0); // the tunnel is the request's now, with the request's deadline
      if (res.statusCode !== 200) {
        socket.destroy();
        const s = res.statusCode ?? 0;
        const said = `HTTP ${s}${res.statusMessage ? ` ${res.statusMessage}` : ""}`;
        if (s === 407)
          return fail(
            `${where} asked for credentials (${said}): put them in the proxy URL, ${p.variable}=http://user:password@host:port`,
            true,
          );
        if (s >= 500) return fail(`${where} could not reach ${target} (${said}); check that it can, and retry`, false);
        return fail(
          `${where} refused the tunnel to ${target} (${said}): ask its administrators to allow ${options.host}, or list it in NO_PROXY to connect directly`,
          true,
        );
      }
      // TLS to the target inside the tunnel; a handshake failure (an untrusted certificate) reaches the request.
      done(null, tls.connect({ ...options, socket, servername: options.servername || options.host }));
    });
    req.once("error", (e: NodeJS.ErrnoException) =>
      fail(
        `${where} could not be reached (${e.code ?? e.message}): check ${p.variable} (the proxy's http://host:port), ` +
          `or unset it, or list ${options.host} in NO_PROXY to connect directly`,
        false,
      ),
    );
    req.end();
    return undefined;
  }
}

/** The process's tunnel agent for a proxy (keep-alive tunnels reused across clients), keyed by a hash of its URL. */
export function tunnelAgent(proxy: ProxyChoice): https.Agent {
  const all = processMap<https.Agent>("http-proxy-agents:v1");
  const key = createHash("sha256").update(proxy.url.href).digest("hex");
  let a = all.get(key);
  if (!a) {
    a = new TunnelAgent(proxy);
    all.set(key, a);
  }
  return a;
}
