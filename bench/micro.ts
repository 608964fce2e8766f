/**
 * `npx ts-node --transpile-only bench/micro.ts [--n 200]` — the per-call costs that the profiles of a benchmark run point
 * at (bench/README.md, "Where the time goes"), measured on the compiled module (dist/, as the plugin and the program
 * host run it), each as the code does it now beside the same work done once: what each suggestion would save per
 * binding. One process, N calls in a row (as in the plugin, which serves every resource of a command), after a
 * warm-up of N calls; the fastest of 15 such runs.
 */
import * as path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import type * as Shared from "../components/shared";
import type * as CerbyInputs from "../components/cerby/inputs";
import type * as OktaInputs from "../components/okta/inputs";
import type * as OktaConfig from "../components/okta/config";
import type * as OktaClientModule from "../components/okta/client";
import type * as Config from "../components/config";

const ROOT = path.resolve(__dirname, "..");
(require(path.join(ROOT, "scripts", "build.js")) as { ensureBuilt(): void }).ensureBuilt();
const dist = (m: string) => require(path.join(ROOT, "dist", "components", m));
const { startCheck } = dist("shared") as typeof Shared;
const { checkCerbyInputs } = dist("cerby/inputs") as typeof CerbyInputs;
const { checkOktaInputs, buildObservedAppSchema } = dist("okta/inputs") as typeof OktaInputs;
const { importOktaPrivateKey } = dist("okta/config") as typeof OktaConfig;
const { applicationSchema } = dist("okta/client") as typeof OktaClientModule;
const { loadProgramConfig } = dist("config") as typeof Config;
// zod as the module resolves it (one copy).
const { z } = require(
  require.resolve("zod", { paths: [path.join(ROOT, "dist", "components")] }),
) as typeof import("zod");

const n = Number(process.argv[process.argv.indexOf("--n") + 1]) || 200;

/**
 * The fastest of 15 runs of `n` calls of `f(i)`, after a warm-up of `n` calls (ms per call): on a shared machine the
 * fastest run is the one least preempted, so it is the cost of the work itself.
 */
function perCall(f: (i: number) => unknown): number {
  for (let i = 0; i < n; i++) f(i);
  const runs: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f(i);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6 / n);
  }
  return Math.min(...runs);
}

// Inputs as the program sends them (a converged state's, bench/README.md).
const app = (i: number) => ({
  id: `0oa${String(i).padStart(17, "0")}`,
  name: "cerby",
  label: `Cerby ws-${i}`,
  status: "ACTIVE",
  signOnMode: "SAML_2_0",
  universalLogout: {
    status: "ENABLED",
    supportType: "FULL",
    protocol: "GLOBAL_TOKEN_REVOCATION",
    identityStack: "NOT_SHARED",
  },
  features: ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"],
});
const cerbyRaw = (i: number) => ({
  baseUrl: `http://127.0.0.1:42071/ws/ws-${i}`,
  appInstanceId: app(i).id,
  enabled: true,
  mode: "api",
  settingsPath: "/api/v1/settings/idp",
  requireScimProvisioning: false,
});
const oktaRaw = (i: number) => ({
  orgUrl: "http://127.0.0.1:32857",
  appInstanceId: app(i).id,
  mode: "verify",
  waitTimeoutSeconds: 600,
  pollIntervalSeconds: 10,
  requireProvisioning: false,
  observedApp: app(i),
});
const cerbyKeys = Object.keys(cerbyRaw(0));
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs8",
  format: "pem",
}) as string;

// The same work with the schema built once (what a module-level constant would do).
const shapeOf = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, z.unknown().optional()]));
const cerbyOnce = z.object(shapeOf(cerbyKeys)).passthrough();
const appOnce = applicationSchema();
// observedAppOf's schema built per call (as the module once did) and once (as it does now).
const observedSchema = buildObservedAppSchema;
const observedOnce = observedSchema();
const bindings = JSON.stringify(
  Array.from({ length: n }, (_, i) => ({ name: `b-${i}`, baseUrl: cerbyRaw(i).baseUrl, appLabel: `Cerby ws-${i}` })),
);
const config: Record<string, string> = { "cerby:oktaOrgUrl": "https://acme.okta.com", "cerby:bindings": bindings };

const rows: Array<[string, number, number | undefined]> = [
  [
    "startCheck (Cerby keys): z.object built per call",
    perCall((i) => startCheck(cerbyKeys, cerbyRaw(i))),
    perCall((i) => cerbyOnce.parse(cerbyRaw(i))),
  ],
  ["checkCerbyInputs (the Cerby check's validation)", perCall((i) => checkCerbyInputs(cerbyRaw(i))), undefined],
  ["checkOktaInputs (the Okta check's validation)", perCall((i) => checkOktaInputs(oktaRaw(i))), undefined],
  [
    "observedApp parsed (z.object built per call)",
    perCall((i) => observedSchema().safeParse(app(i))),
    perCall((i) => observedOnce.safeParse(app(i))),
  ],
  [
    "applicationSchema().safeParse (per app read)",
    perCall((i) => applicationSchema().safeParse(app(i))),
    perCall((i) => appOnce.safeParse(app(i))),
  ],
  ["importOktaPrivateKey (per Okta check)", perCall(() => importOktaPrivateKey(pem)), undefined],
  [`loadProgramConfig (${n} bindings; per binding)`, perCall(() => loadProgramConfig((k) => config[k])) / n, undefined],
];

console.log(
  `per call, ms (fastest of 15 runs of ${n} calls, Node ${process.version}); "once": the same with the schema built once`,
);
for (const [what, now, once] of rows) {
  console.log(
    `${what.padEnd(58)} ${now.toFixed(3).padStart(8)} ms` +
      (once !== undefined
        ? `   once: ${once.toFixed(3).padStart(7)} ms   saves ${(now - once).toFixed(3)} ms/call`
        : ""),
  );
}
