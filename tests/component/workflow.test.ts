/**
 * The GitOps workflow hands production secrets only to the steps that call Pulumi, Okta or Cerby, in jobs scoped to
 * the `production` environment — never to the `test` job, which runs code from any branch — and passes every
 * credential form the module reads (OKTA_API_TOKEN for SSWS users too).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { oktaCredentialKeys } from "../../components/okta/config";

const FILE = path.resolve(__dirname, "../../.github/workflows/universal-logout.yml");

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  environment?: string | { name: string };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const usesSecret = (v: unknown) => /\$\{\{\s*secrets\.(?!GITHUB_TOKEN\b)/.test(JSON.stringify(v ?? {}));
const envName = (j: Job) => (typeof j.environment === "string" ? j.environment : j.environment?.name);

/** Every place of the workflow that hands out a (non-GITHUB_TOKEN) secret, as "job/step" labels. */
export function secretPlaces(wf: Workflow): { workflowLevel: boolean; jobLevel: string[]; steps: string[] } {
  const jobLevel: string[] = [];
  const steps: string[] = [];
  for (const [name, job] of Object.entries(wf.jobs)) {
    if (usesSecret(job.env)) jobLevel.push(name);
    job.steps.forEach((s, i) => {
      if (usesSecret(s)) steps.push(`${name}/${i}:${s.uses ?? s.run}`);
    });
  }
  return { workflowLevel: usesSecret(wf.env), jobLevel, steps };
}

describe("the GitOps workflow (.github/workflows/universal-logout.yml)", () => {
  const wf = yaml.load(fs.readFileSync(FILE, "utf8")) as Workflow;
  const places = secretPlaces(wf);

  it("puts no secret in workflow-level or job-level env, and none in the test job", () => {
    expect(places.workflowLevel, "workflow-level env reaches every job").to.equal(false);
    expect(places.jobLevel).to.deep.equal([]);
    expect(usesSecret(wf.jobs.test)).to.equal(false);
  });

  it("gives secrets only to steps of jobs in the production environment, and only to steps that use them", () => {
    expect(places.steps.length).to.be.greaterThan(0);
    for (const label of places.steps) {
      const job = wf.jobs[label.split("/")[0]];
      expect(envName(job), label).to.equal("production");
    }
    for (const job of Object.values(wf.jobs)) {
      for (const s of job.steps) {
        // checkout, setup-node and npm ci never see a secret.
        if (s.uses?.startsWith("actions/") || s.run === "npm ci")
          expect(usesSecret(s), JSON.stringify(s)).to.equal(false);
      }
    }
  });

  it("passes every credential the module reads, OKTA_API_TOKEN included, to each step that calls the vendors", () => {
    const keys = oktaCredentialKeys();
    const wanted = ["CERBY_API_KEY", keys.apiToken.env, keys.clientId.env, keys.privateKey.env];
    for (const label of places.steps) {
      const [job, rest] = label.split("/");
      const step = wf.jobs[job].steps[Number(rest.split(":")[0])];
      expect(Object.keys(step.env ?? {}), label).to.include.members(wanted);
    }
  });

  it("fails these checks for the earlier layout (secrets in workflow-level env) — control", () => {
    const old: Workflow = {
      env: { CERBY_API_KEY: "${{ secrets.CERBY_API_KEY }}", STACK: "prod" },
      jobs: { test: { steps: [{ run: "npm test" }] } },
    };
    expect(secretPlaces(old).workflowLevel).to.equal(true);
    const jobScoped: Workflow = {
      jobs: { up: { env: { OKTA_API_TOKEN: "${{ secrets.OKTA_API_TOKEN }}" }, steps: [] } },
    };
    expect(secretPlaces(jobScoped).jobLevel).to.deep.equal(["up"]);
  });
});
