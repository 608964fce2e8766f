/**
 * The HTTP plumbing both emulators share: a real server on 127.0.0.1 (random port), a request log with secrets
 * redacted, and fault injection a test can switch on. The vendor behaviour lives in cerby.ts and okta.ts.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface EmuRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  /** Base URL this server answers on, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless `raw` is set. */
  body?: unknown;
  raw?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  /** Headers with credentials replaced by "[redacted]". */
  headers: Record<string, string>;
  body: unknown;
  status: number;
  /** What the emulator did instead of answering normally, if a fault fired. */
  fault?: Fault["kind"];
  at: number;
}

/** Which requests a fault applies to. Omitted fields match anything. */
export interface FaultMatch {
  method?: string;
  /** Matches when the request path starts with this string. */
  pathPrefix?: string;
}

export type Fault = FaultMatch &
  (
    | { kind: "status"; status: number; times: number; headers?: Record<string, string>; body?: unknown }
    | { kind: "reset"; times: number }
    | { kind: "delay"; ms: number; times: number }
    | { kind: "malformed"; times: number }
    | { kind: "truncated"; times: number }
  );

export type Handler = (req: EmuRequest) => Promise<EmuResponse> | EmuResponse;

const SECRET_HEADERS = new Set(["authorization", "x-api-key", "dpop", "cookie"]);

export class EmulatorServer {
  readonly requests: RecordedRequest[] = [];
  private faults: Fault[] = [];
  private server?: http.Server;
  private sockets = new Set<import("node:net").Socket>();
  /** Latency added to every request (benchmarks). */
  latencyMs = 0;
  baseUrl = "";

  constructor(
    readonly name: string,
    private readonly handler: Handler,
  ) {}

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 1000;
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    // A port in use rejects (EADDRINUSE) instead of surfacing later as an unhandled 'error' event.
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => {
        this.server!.off("error", reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${addr.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Queue a fault; it fires on the next `times` matching requests, then disarms itself. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  /** Requests matching method and path prefix (faulted ones included). */
  count(match: FaultMatch = {}): number {
    return this.requests.filter((r) => matches(match, r.method, r.path)).length;
  }

  /** Requests that changed or could change state (anything but GET/HEAD). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const f = this.faults.find((x) => x.times > 0 && matches(x, method, path));
    if (!f) return undefined;
    f.times -= 1;
    this.faults = this.faults.filter((x) => x.times > 0);
    return f;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.baseUrl);
    const method = (req.method ?? "GET").toUpperCase();
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.search,
      headers: redact(req.headers),
      body: redactBody(body),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(record);

    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const fault = this.takeFault(method, url.pathname);
    if (fault) {
      record.fault = fault.kind;
      switch (fault.kind) {
        case "reset":
          req.socket.destroy();
          return;
        case "delay":
          await sleep(fault.ms);
          break; // then answer normally
        case "status":
          record.status = fault.status;
          send(res, fault.status, fault.headers ?? {}, fault.body === undefined ? "" : JSON.stringify(fault.body));
          return;
        case "malformed":
          record.status = 200;
          send(res, 200, { "content-type": "application/json" }, "{ this is not json");
          return;
        case "truncated": {
          // Announce a longer body than we send, then cut the connection.
          record.status = 200;
          res.writeHead(200, { "content-type": "application/json", "content-length": "200" });
          res.write('{"data": {"id": "okta", "attr');
          setTimeout(() => req.socket.destroy(), 5);
          return;
        }
      }
    }

    let out: EmuResponse;
    try {
      out = await this.handler({
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        body,
        baseUrl: this.baseUrl,
      });
    } catch (e) {
      out = { status: 500, body: { error: `emulator bug: ${(e as Error).message}` } };
    }
    record.status = out.status;
    const text = out.raw ?? (out.body === undefined ? "" : JSON.stringify(out.body));
    const headers = {
      ...(text && out.raw === undefined ? { "content-type": "application/json" } : {}),
      ...(out.headers ?? {}),
    };
    send(res, out.status, headers, text);
  }
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, text: string): void {
  res.writeHead(status, headers);
  res.end(text);
}

function matches(m: FaultMatch, method: string, path: string): boolean {
  return (!m.method || m.method.toUpperCase() === method) && (!m.pathPrefix || path.startsWith(m.pathPrefix));
}

function redact(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? "[redacted]" : Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** Form bodies of the token endpoint carry a signed assertion; keep its presence, not its value. */
function redactBody(body: unknown): unknown {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    for (const k of ["client_assertion", "password", "token", "apiKey"]) if (k in copy) copy[k] = "[redacted]";
    return copy;
  }
  return body;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
