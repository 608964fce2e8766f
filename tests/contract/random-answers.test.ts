/**
 * Every answer Okta's own spec allows ends in success or in a user error, never in a stack trace (issue 19, finding
 * 2): the component's Okta side — the program's app resolution (confirmCerbyApp, by App instance ID and by label) and
 * the Okta provider (check, create, read, diff, delete in every mode) — against Okta's vendored spec served by Prism in
 * dynamic mode (./prism-dynamic.ts), 60 runs, each with a seed of its own so that any run can be repeated. Runs vary
 * the status code Prism answers with and, in two runs of three, make the generated apps carry the ID asked for (in one
 * of those, the status ACTIVE too), so that the code past the identity checks (status, Universal Logout, features,
 * provisioning) meets random values too.
 *
 * A failure must be a UserError (the program turns it into Pulumi's RunError, printed without "Unhandled exception";
 * the plugin prints its message alone): its stack is its message (no call frames), and it says what to do. The real
 * CLI runs a sample of these seeds (tests/e2e/cli-stacks.test.ts).
 */
import { expect } from "chai";
import { UserError, resetHttpLimiters } from "../../components/http";
import { resetOktaTokenCache } from "../../components/okta/auth";
import type { OktaApplication } from "../../components/okta/client";
import { OktaUniversalLogoutInputs } from "../../components/okta/inputs";
import { OktaUniversalLogoutState, oktaUniversalLogoutProvider as provider } from "../../components/okta/provider";
import { confirmCerbyApp } from "../../components/universal-logout";
import { ADVICE } from "../helpers/errors";
import { freshSecret } from "../helpers/keys";
import { ASKED_ID, DynamicPrism, RANDOM_ANSWER_RUNS, runOf } from "./prism-dynamic";

/** Why `e` is not an error a user can act on, or undefined when it is one. */
export function notUserFacing(e: unknown): string | undefined {
  if (!(e instanceof UserError)) return `not a user error: ${(e as Error)?.stack ?? String(e)}`;
  const m = e.message;
  if (e.stack !== m) return `its stack is not its message: ${e.stack}`;
  if (/Unhandled exception|\n\s+at \S/.test(m)) return `a stack trace: ${m}`;
  if (/\[object Object\]/.test(m)) return `an object printed as text: ${m}`;
  if (!ADVICE.test(m)) return `no advice: ${m}`;
  return undefined;
}

describe(`random schema-valid Okta answers (Prism dynamic mode, ${RANDOM_ANSWER_RUNS} seeded runs)`, function () {
  this.timeout(120000);
  let prism: DynamicPrism;
  const token = freshSecret("00");
  const saved: Record<string, string | undefined> = {};
  const env = {
    OKTA_HTTP_RETRIES: "1",
    OKTA_HTTP_BASE_DELAY_MS: "1",
    OKTA_API_TOKEN: undefined,
    OKTA_API_CLIENT_ID: undefined,
  };

  before(async () => {
    prism = await DynamicPrism.start();
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await prism?.stop();
  });

  it("ends every run in success or a user error that says what to do: no stack trace, no unhandled exception", async () => {
    const problems: string[] = [];
    const outcomes = new Map<string, number>();
    const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
    let failures = 0;
    // The providers' notes and warnings (no engine here: Pulumi's log prints them) would fill the test output.
    const quiet = { log: console.log, warn: console.warn };
    console.log = console.warn = () => undefined;
    try {
      for (let i = 0; i < RANDOM_ANSWER_RUNS; i++) await oneRun(i);
    } finally {
      Object.assign(console, quiet);
    }
    async function oneRun(i: number): Promise<void> {
      const run = runOf(i);
      prism.use(run);
      resetHttpLimiters();
      resetOktaTokenCache();
      const where = `run ${i} (seed ${run.seed}, ${run.way}, ${run.mode}, code ${run.code ?? "2xx"}, pin ${run.pin})`;
      const step = async <T>(name: string, f: () => Promise<T>): Promise<T | undefined> => {
        try {
          const r = await f();
          count(`${name}: ok`);
          return r;
        } catch (e) {
          failures++;
          const why = notUserFacing(e);
          count(
            `${name}: ${why ? "NOT A USER ERROR" : (e as Error).message.replace(/http:\/\/127.0.0.1:\d+/g, "").slice(0, 110)}`,
          );
          if (why) {
            problems.push(
              `${where}, ${name}: ${why}\n  exchanges: ${prism.exchanges.map((x) => `${x.method} ${x.url} → ${x.status}`).join(", ")}`,
            );
          }
          return undefined;
        }
      };

      // The program: the app as the component reads it before anything is written.
      const app: OktaApplication | undefined = await step("program", () =>
        confirmCerbyApp(
          { okta: { orgUrl: prism.url, mode: run.mode }, appLabel: run.way === "label" ? "Cerby" : undefined },
          { kind: "ssws", apiToken: token },
          run.way === "id" ? ASKED_ID : undefined,
        ),
      );

      // The provider, as the plugin calls it, with the program's read when there was one.
      await provider.configure({ config: { get: (k: string) => (k === "okta:apiToken" ? token : undefined) } });
      const raw = {
        orgUrl: prism.url,
        appInstanceId: app?.id ?? ASKED_ID,
        mode: run.mode,
        waitTimeoutSeconds: 1,
        pollIntervalSeconds: 1,
        ...(app ? { observedApp: app } : {}),
      };
      const checked = await step("check", () => provider.check({}, raw));
      if (!checked || (checked.failures ?? []).length > 0) {
        problems.push(`${where}: check refused good inputs: ${JSON.stringify(checked?.failures)}`);
        return;
      }
      const inputs = checked.inputs as OktaUniversalLogoutInputs;
      const created = await step("create", () => provider.create(inputs));
      const id = created?.id ?? `${prism.url}/api/v1/apps/${inputs.appInstanceId}#universal-logout`;
      const props = (created?.outs ?? { ...inputs, status: "ENABLED", warnings: [] }) as OktaUniversalLogoutState;
      const read = await step("read", () => provider.read(id, props));
      await step("diff", () => provider.diff(id, read?.props ?? props, inputs));
      await step("read by id (get)", () => provider.read(id));
      await step("delete", () => provider.delete(id, props));
    }
    const table = [...outcomes.entries()].sort().map(([k, n]) => `  ${String(n).padStart(3)}  ${k}`);
    const steps = [...outcomes.values()].reduce((a, b) => a + b, 0);
    console.log(
      `      ${RANDOM_ANSWER_RUNS} runs, ${steps} steps: ${steps - failures} succeeded, ${failures} failed, ` +
        `${problems.length} not as a user error; the program resolved the app in ${outcomes.get("program: ok") ?? 0} runs`,
    );
    expect(problems, `${problems.join("\n")}\noutcomes:\n${table.join("\n")}`).to.deep.equal([]);
    // The runs reached both ends: failures of many kinds, and successes past the identity checks.
    expect(failures, table.join("\n")).to.be.greaterThan(RANDOM_ANSWER_RUNS / 2);
    expect(outcomes.get("program: ok") ?? 0, table.join("\n")).to.be.greaterThan(5);
    expect(outcomes.get("create: ok") ?? 0, table.join("\n")).to.be.greaterThan(0);
  });
});
