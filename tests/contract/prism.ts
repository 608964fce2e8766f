/**
 * Contract-test harness: runs Stoplight Prism (node_modules/.bin/prism) as a child process on a free port, in `mock`
 * mode (answers from the spec's examples) or `proxy` mode (forwards to an upstream such as the Okta emulator), always
 * with `--errors` so requests are validated against the spec.
 *
 * How Prism reports problems (prism-http-server / prism-http 5.x):
 * - request violations: a 422 `application/problem+json` whose `validation[]` lists them (type
 *   …#UNPROCESSABLE_ENTITY; a missing credential for a secured operation is a 401 …#UNAUTHORIZED instead). Mock mode
 *   does this always; proxy mode only with --errors (without it the request is forwarded and the violations only
 *   appear in the `sl-violations` header). A rejected request is never forwarded;
 * - response violations: every violation, request and response side, goes into the `sl-violations` response header
 *   as JSON `[{ location: ["response", "body", …], severity, code, message }]`; with --errors a response violation
 *   of severity Error replaces the answer by a 500 problem+json (type …#VIOLATIONS, title "Request/Response not
 *   valid") whose `validation[]` carries the same entries;
 * - a status code the operation does not document is an Error for 2xx but only a Warning otherwise, and the body is
 *   then not validated;
 * - a response schema ajv cannot compile is silently not validated (see preparedOktaSpec).
 *
 * Prism's headers do not reach the code under test (the Okta client keeps them to itself), so clients talk to a small
 * recording proxy in front of Prism: it records every exchange with its violations, can add a `Prefer` header (to
 * select a status code / example in mock mode), and in proxy mode rewrites the upstream's origin in `Link` headers to
 * its own, so that every page of a paginated list also goes through Prism.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

// js-yaml comes with mocha (a dev dependency); used to read the spec for the fixes below and for its examples.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load(text: string): unknown };

export type PrismMode = "mock" | "proxy";

export interface Violation {
  /** Which side broke the contract: the request (client) or the response (upstream / example). */
  side: "request" | "response";
  /** Prism's location, e.g. ["response", "body", "universalLogout", "status"] or ["query", "limit"]. */
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

export interface ProblemJson {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  validation?: Array<{ location?: string[]; severity?: string; code?: string | number; message?: string }>;
}

export interface Exchange {
  method: string;
  /** Path and query as the client sent it. */
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Violations from `sl-violations` and from a Prism problem body, de-duplicated. */
  violations: Violation[];
  /** Set when Prism itself answered with problem+json (422 request violation, 500 VIOLATIONS, 404 no route…). */
  problem?: ProblemJson;
}

const REPO_ROOT = path.resolve(__dirname, "../..");
const PRISM_BIN = path.join(REPO_ROOT, "node_modules", ".bin", "prism");

/**
 * The Okta Management API subset vendored in this repository (tests/contract/vendor/, provenance in its README.md), or
 * OKTA_CONTRACT_SPEC to validate against another copy. Fails with a clear message when missing.
 */
export function oktaSpecPath(): string {
  const file = process.env.OKTA_CONTRACT_SPEC || path.join(__dirname, "vendor", "okta-management-apps.yaml");
  if (fs.existsSync(file)) return file;
  throw new Error(`Okta contract spec not found at ${file}: restore tests/contract/vendor/ or set OKTA_CONTRACT_SPEC.`);
}

/** A TCP port that was free a moment ago (Prism takes a port number, not 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The spec as parsed JSON. */
export function loadOktaSpec(file = oktaSpecPath()): Record<string, unknown> {
  return yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

export interface PreparedSpec {
  /** A JSON copy of the spec in a temporary directory, with `fixes` applied. */
  path: string;
  /** What was changed, as "JSON pointer: what". */
  fixes: string[];
}

let prepared: PreparedSpec | undefined;

/** JSON pointer segment. */
const seg = (k: string | number) => String(k).replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * A copy of the spec that Prism can actually validate responses against. Prism compiles each response schema with
 * ajv and, when that throws, silently skips validating the response (prism-http validator/validators/utils.js wraps
 * the compile in O.tryCatch); and ajv knows no OpenAPI `discriminator`. As shipped, Okta's spec therefore validates no
 * Application body at all (getApp, listApps), and once it compiles, every SAML_2_0 app fails `oneOf` because it also
 * matches Saml11Application. Fixes, all meaning-preserving:
 * - an `enum` with a duplicate member (SamlAssertionEncryption.encryptionAlgorithm lists AES256_CBC twice): ajv
 *   refuses the schema; duplicates are dropped;
 * - `nullable: false` beside a `$ref` without `type` (OAuth2ClientJsonWebKeyResponseBase._links): ajv's `nullable`
 *   support requires `type`; false is the default, so it is removed;
 * - `oneOf` + `discriminator.mapping`: rewritten as "the discriminator property is one of the mapped values, and if it
 *   is X the body matches the schema mapped to X" (if/then), which is what OpenAPI's discriminator means. Violations
 *   then name the fields of the one relevant schema instead of every branch.
 * The copy is written to a temporary directory (removed at exit); the vendored spec is never modified.
 */
export function preparedOktaSpec(): PreparedSpec {
  if (prepared && fs.existsSync(prepared.path)) return prepared;
  const spec = loadOktaSpec();
  const fixes: string[] = [];
  const walk = (o: unknown, ptr: string): void => {
    if (Array.isArray(o)) return o.forEach((x, i) => walk(x, `${ptr}/${i}`));
    if (!o || typeof o !== "object") return;
    const obj = o as Record<string, unknown>;
    if (Array.isArray(obj.enum)) {
      const seen = new Map(obj.enum.map((x) => [JSON.stringify(x), x] as const));
      if (seen.size !== obj.enum.length) {
        fixes.push(`${ptr}/enum: duplicate members dropped from ${JSON.stringify(obj.enum)}`);
        obj.enum = [...seen.values()];
      }
    }
    if (obj.nullable === false && !("type" in obj)) {
      fixes.push(`${ptr}: "nullable: false" without "type" removed`);
      delete obj.nullable;
    }
    const disc = obj.discriminator as { propertyName?: string; mapping?: Record<string, string> } | undefined;
    if (Array.isArray(obj.oneOf) && disc?.propertyName && disc.mapping) {
      const prop = disc.propertyName;
      const mapping = disc.mapping;
      const refs = new Set(obj.oneOf.map((b: unknown) => (b as { $ref?: string }).$ref));
      const keys = Object.keys(mapping).filter((k) => refs.has(mapping[k]));
      delete obj.oneOf;
      delete obj.discriminator;
      obj.type = "object";
      obj.required = [...new Set([...((obj.required as string[]) ?? []), prop])];
      obj.properties = { ...((obj.properties as object) ?? {}), [prop]: { type: "string", enum: keys } };
      obj.allOf = [
        ...((obj.allOf as unknown[]) ?? []),
        ...keys.map((k) => ({ if: { properties: { [prop]: { const: k } } }, then: { $ref: mapping[k] } })),
      ];
      fixes.push(`${ptr}: oneOf by discriminator "${prop}" → if/then on ${keys.length} values`);
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k !== "enum" && k !== "example" && k !== "examples") walk(v, `${ptr}/${seg(k)}`);
    }
  };
  walk(spec, "#");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "okta-contract-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "okta-management-apps.json");
  fs.writeFileSync(file, JSON.stringify(spec));
  prepared = { path: file, fixes };
  return prepared;
}

export interface PrismOptions {
  mode: PrismMode;
  /**
   * Spec file to serve. Default: proxy mode serves preparedOktaSpec() (so the emulator's Application bodies are
   * really validated); mock mode serves the vendored spec as is, because Okta's own Application examples violate
   * Okta's Application schemas (nulls in non-nullable strings, missing required SAML fields) and with --errors Prism
   * would replace each such example by a 500. Request validation is the same with either file.
   */
  spec?: string;
  /** Proxy mode: where Prism forwards, e.g. the emulator's base URL. */
  upstream?: string;
  /** How long to wait for "Prism is listening". */
  startTimeoutMs?: number;
}

export class Prism {
  /** Prism itself. */
  prismUrl = "";
  /** The recording proxy in front of Prism: point clients here. */
  url = "";
  readonly exchanges: Exchange[] = [];
  /** When set, sent as `Prefer` on every forwarded request (mock mode: `code=404`, `example=Name`). */
  prefer?: string;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private recorder?: http.Server;
  private output = "";

  private constructor(readonly opts: PrismOptions) {}

  static async start(opts: PrismOptions): Promise<Prism> {
    const p = new Prism(opts);
    try {
      await p.startPrism();
      await p.startRecorder();
    } catch (e) {
      await p.stop();
      throw e;
    }
    return p;
  }

  /** Everything Prism printed (for failure messages). */
  get log(): string {
    return this.output;
  }

  /** All violations seen since the last clear(). */
  violations(filter: { side?: Violation["side"]; severity?: string } = {}): Violation[] {
    return this.exchanges
      .flatMap((e) => e.violations)
      .filter((v) => (!filter.side || v.side === filter.side) && (!filter.severity || v.severity === filter.severity));
  }

  clear(): void {
    this.exchanges.length = 0;
    this.prefer = undefined;
  }

  async stop(): Promise<void> {
    if (this.recorder) {
      const r = this.recorder;
      this.recorder = undefined;
      r.closeAllConnections();
      await new Promise<void>((resolve) => r.close(() => resolve()));
    }
    const child = this.child;
    if (child && this.exited) {
      this.child = undefined;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await this.exited;
        clearTimeout(timer);
      }
    }
  }

  private async startPrism(): Promise<void> {
    const { mode, upstream } = this.opts;
    const spec = this.opts.spec ?? (mode === "proxy" ? preparedOktaSpec().path : oktaSpecPath());
    if (!fs.existsSync(PRISM_BIN)) {
      throw new Error(`${PRISM_BIN} is missing: run npm install (@stoplight/prism-cli is a dev dependency)`);
    }
    if (mode === "proxy" && !upstream) throw new Error("proxy mode needs an upstream URL");
    const port = await freePort();
    const args = [mode, "--errors", "-h", "127.0.0.1", "-p", String(port), "--multiprocess=false", spec];
    if (mode === "proxy") args.push(upstream!);
    const child = spawn(PRISM_BIN, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: "test", FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(
        () => fail(new Error(`Prism did not start within ${this.opts.startTimeoutMs ?? 30000} ms`)),
        this.opts.startTimeoutMs ?? 30000,
      );
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString("utf8");
        if (/Prism is listening on/.test(this.output)) {
          clearTimeout(timeout);
          resolve();
        }
      };
      const fail = (e: Error) => {
        clearTimeout(timeout);
        reject(new Error(`${e.message}\n--- prism output ---\n${this.output.slice(-4000)}`));
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("error", fail);
      child.once("exit", (code, signal) => fail(new Error(`Prism exited early (code ${code}, signal ${signal})`)));
    });
    this.prismUrl = `http://127.0.0.1:${port}`;
  }

  private async startRecorder(): Promise<void> {
    const target = new URL(this.prismUrl);
    const upstreamOrigin = this.opts.upstream ? new URL(this.opts.upstream).origin : undefined;
    this.recorder = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host };
        if (this.prefer) headers["prefer"] = this.prefer;
        const fwd = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
          (pres) => {
            const body: Buffer[] = [];
            pres.on("data", (c: Buffer) => body.push(c));
            pres.on("end", () => {
              const text = Buffer.concat(body).toString("utf8");
              const out: http.OutgoingHttpHeaders = {};
              for (const [k, v] of Object.entries(pres.headers)) {
                if (v === undefined || ["transfer-encoding", "connection", "keep-alive", "content-length"].includes(k))
                  continue;
                out[k] = v;
              }
              if (upstreamOrigin && typeof out["link"] === "string") {
                out["link"] = out["link"].split(upstreamOrigin).join(this.url);
              }
              this.exchanges.push(
                record(req.method ?? "GET", req.url ?? "/", pres.statusCode ?? 0, pres.headers, text),
              );
              res.writeHead(pres.statusCode ?? 502, out);
              res.end(text);
            });
          },
        );
        fwd.on("error", (e) => {
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`recorder could not reach Prism: ${e.message}`);
        });
        fwd.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => this.recorder!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.recorder.address() as net.AddressInfo).port}`;
  }
}

function record(
  method: string,
  url: string,
  status: number,
  headers: http.IncomingHttpHeaders,
  body: string,
): Exchange {
  const seen = new Set<string>();
  const violations: Violation[] = [];
  const add = (
    v: { location?: string[]; severity?: string; code?: string | number; message?: string },
    side?: string,
  ) => {
    const loc = v.location ?? [];
    const s = (loc[0] === "request" || loc[0] === "response" ? loc[0] : side) as Violation["side"];
    const location = loc[0] === "request" || loc[0] === "response" ? loc.slice(1) : loc;
    const key = JSON.stringify([s, location, v.message]);
    if (seen.has(key)) return;
    seen.add(key);
    violations.push({ side: s, location, severity: v.severity ?? "Error", code: v.code, message: v.message ?? "" });
  };
  const header = headers["sl-violations"];
  if (typeof header === "string") {
    if (header.startsWith("Too many violations!")) {
      add({ location: ["response"], severity: "Error", message: header.slice(0, 500) }, "response");
    } else {
      try {
        for (const v of JSON.parse(header) as ProblemJson["validation"] & object) add(v, "response");
      } catch {
        add({ severity: "Error", message: `unparsable sl-violations header: ${header.slice(0, 200)}` }, "response");
      }
    }
  }
  let problem: ProblemJson | undefined;
  if (/application\/problem\+json/.test(String(headers["content-type"] ?? ""))) {
    try {
      problem = JSON.parse(body) as ProblemJson;
    } catch {
      problem = { detail: body };
    }
    const side = /UNPROCESSABLE_ENTITY|UNAUTHORIZED/.test(problem.type ?? "") ? "request" : "response";
    for (const v of problem.validation ?? []) add(v, side);
  }
  return { method, url, status, headers, body, violations, ...(problem ? { problem } : {}) };
}

/** One line per violation, for assertion messages. */
export function describeViolations(exchanges: Exchange[]): string {
  return exchanges
    .filter((e) => e.violations.length > 0 || e.problem)
    .map(
      (e) =>
        `${e.method} ${e.url} → ${e.status}${e.problem ? ` (${e.problem.title ?? e.problem.type})` : ""}\n` +
        e.violations.map((v) => `    [${v.side} ${v.severity}] ${v.location.join(".")}: ${v.message}`).join("\n"),
    )
    .join("\n");
}
