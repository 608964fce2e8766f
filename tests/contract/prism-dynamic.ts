/**
 * Okta's vendored spec served by Prism in dynamic mode: every answer is generated at random from the spec's schemas
 * (json-schema-faker), seeded so that a run is reproducible. Prism's own request handling (routing, request and
 * security validation, problem+json errors, response generation) runs in this process through @stoplight/prism-http —
 * the library `prism mock --dynamic --seed` serves — so that each run of the random-answer test gets a seed of its own
 * without a Prism process per seed (`prism mock` takes one seed per process; see ./prism.ts for the process form).
 *
 * Per run, `use(run)` sets the seed, the status code Prism answers with (`Prefer: code=…`, as a client could ask Prism;
 * none: the operation's first 2xx) and whether the answer is made plausible enough to reach past the identity checks:
 * `pin` sets a generated app's `id` to the ID asked for (and its label to "Cerby") and, in a list, the first app's label
 * to the one searched and its id to a well-formed one; `pin: "active"` also its status to ACTIVE. Every exchange is kept for failure messages.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import type { OktaMode } from "../../components/modes";
import { oktaSpecPath } from "./prism";

/* eslint-disable @typescript-eslint/no-require-imports */
const { createInstance, getHttpOperationsFromSpec } = require("@stoplight/prism-http");
const { createLogger } = require("@stoplight/prism-core");
/** json-schema-faker as Prism's mocker loads it (its options are process-wide). */
const jsf = () =>
  require(require.resolve("json-schema-faker", { paths: [path.dirname(require.resolve("@stoplight/prism-http"))] }))
    .JSONSchemaFaker as { option(o: Record<string, unknown>): void };
/* eslint-enable @typescript-eslint/no-require-imports */

export interface RunAnswers {
  seed: string;
  /** The status code asked of Prism for every request of the run (undefined: the operation's first 2xx). */
  code?: number;
  /**
   * Make generated apps carry the ID asked for (and a list's first app the label searched), `active` also the status
   * ACTIVE: see the file comment.
   */
  pin: "none" | "id" | "active";
  /** The well-formed id a pinned list gives its first app. */
  listedId?: string;
}

/** The random-answer test's runs: how many, and what each asks for (tests/contract/random-answers.test.ts). */
export const RANDOM_ANSWER_RUNS = 60;
const BASE_SEED = "issue-19";
/** The App instance IDs a run asks for (well-formed; Prism knows none of them). */
export const ASKED_ID = "0oa1cerbyRandom00001";
const LISTED_ID = "0oa1cerbyListed00002";

/** The choices of run `i`, from its seed alone: the answers, and how the component names the app and in which mode. */
export function runOf(i: number): RunAnswers & { way: "id" | "label"; mode: OktaMode } {
  const seed = `${BASE_SEED}-${i}`;
  const h = createHash("sha256").update(seed).digest();
  const codes = [undefined, undefined, undefined, undefined, undefined, 403, 404, 429];
  const modes: OktaMode[] = ["verify", "warn", "enforce", "verify", "warn", "enforce", "verify", "wait"];
  return {
    seed,
    code: codes[h[0] % codes.length],
    pin: (["none", "id", "active"] as const)[h[1] % 3],
    listedId: LISTED_ID,
    way: h[2] % 2 === 0 ? "id" : "label",
    mode: modes[h[3] % modes.length],
  };
}

export interface DynamicExchange {
  method: string;
  url: string;
  status: number;
  body: string;
}

export class DynamicPrism {
  url = "";
  readonly exchanges: DynamicExchange[] = [];
  private run: RunAnswers = { seed: "0", pin: "none" };
  private server?: http.Server;

  private constructor(
    private readonly operations: unknown[],
    private readonly prism: { request: (...a: unknown[]) => () => Promise<unknown> },
  ) {}

  static async start(): Promise<DynamicPrism> {
    // The generator Prism uses: without made-up extra properties (what `prism mock --json-schema-faker-fillProperties
    // false` does), a third of the time and size; every property of the spec's schemas is still generated.
    jsf().option({ fillProperties: false });
    const operations = await getHttpOperationsFromSpec(oktaSpecPath());
    const logger = createLogger("random-answers", { level: "silent" });
    const base = { validateRequest: true, validateResponse: false, checkSecurity: true, errors: false };
    const prism = createInstance({ ...base, isProxy: false, mock: { dynamic: true } }, { logger });
    const p = new DynamicPrism(operations, prism);
    p.server = http.createServer((req, res) => void p.handle(req, res));
    await new Promise<void>((resolve) => p.server!.listen(0, "127.0.0.1", resolve));
    p.url = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
    return p;
  }

  /** The answers of the next run. */
  use(run: RunAnswers): void {
    this.run = run;
    this.exchanges.length = 0;
  }

  async stop(): Promise<void> {
    jsf().option({ fillProperties: true });
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const u = new URL(req.url ?? "/", this.url);
    const query: Record<string, string | string[]> = {};
    for (const k of new Set(u.searchParams.keys())) {
      const all = u.searchParams.getAll(k);
      query[k] = all.length === 1 ? all[0] : all;
    }
    let body: unknown = text === "" ? undefined : text;
    if (text && /json/.test(String(req.headers["content-type"] ?? ""))) {
      try {
        body = JSON.parse(text);
      } catch {
        // Prism validates it as text
      }
    }
    const input = {
      method: (req.method ?? "GET").toLowerCase(),
      url: { path: u.pathname, query },
      headers: req.headers as Record<string, string>,
      body,
    };
    const { seed, code } = this.run;
    const config = {
      validateRequest: true,
      validateResponse: false,
      checkSecurity: true,
      errors: false,
      isProxy: false,
      mock: { dynamic: true, seed, ...(code !== undefined ? { code } : {}) },
    };
    const result = (await this.prism.request(input, this.operations, config)()) as
      | { _tag: "Right"; right: { output: { statusCode: number; headers?: Record<string, string>; body?: unknown } } }
      | { _tag: "Left"; left: { status?: number; message?: string; name?: string; detail?: string } };
    let status: number;
    let headers: Record<string, string>;
    let out: string;
    if (result._tag === "Right") {
      const o = result.right.output;
      status = o.statusCode;
      headers = { ...(o.headers ?? {}) };
      out = o.body === undefined ? "" : typeof o.body === "string" ? o.body : JSON.stringify(this.pinned(u, o.body));
      if (out !== "" && !headers["content-type"] && !headers["Content-type"])
        headers["content-type"] = "application/json";
    } else {
      // Prism's own errors (401 without credentials, 422 an invalid request, 404 no route): problem+json, as it serves.
      const e = result.left;
      status = e.status ?? 500;
      headers = { "content-type": "application/problem+json" };
      out = JSON.stringify({ type: e.name, title: e.message, status, detail: e.detail ?? "" });
    }
    this.exchanges.push({ method: input.method.toUpperCase(), url: `${u.pathname}${u.search}`, status, body: out });
    res.writeHead(status, headers);
    res.end(out);
  }

  /** The generated body, made plausible when the run pins it (see the file comment). */
  private pinned(u: URL, body: unknown): unknown {
    if (this.run.pin === "none" || !body || typeof body !== "object") return body;
    const active = this.run.pin === "active" ? { status: "ACTIVE" } : {};
    const one = /^\/api\/v1\/apps\/([^/]+)$/.exec(u.pathname);
    if (one && !Array.isArray(body)) return { ...body, id: decodeURIComponent(one[1]), label: "Cerby", ...active };
    const q = u.searchParams.get("q");
    if (u.pathname === "/api/v1/apps" && Array.isArray(body) && body.length > 0 && q) {
      return [{ ...body[0], id: this.run.listedId, label: q, ...active }, ...body.slice(1)];
    }
    return body;
  }
}
