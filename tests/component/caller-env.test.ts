/**
 * The suite is immune to the caller's environment: a workstation or CI job with production credentials exported
 * (OKTA_API_TOKEN, OKTA_API_CLIENT_ID/OKTA_API_PRIVATE_KEY, CERBY_API_KEY, OKTA_HTTP_*) runs it the same. The root
 * hooks (tests/helpers/root-hooks.ts) clear them; the control runs the same file without those hooks.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { freshSecret } from "../helpers/keys";

const ROOT = path.resolve(__dirname, "../..");
const MOCHA = require.resolve("mocha/bin/mocha.js");
const FILE = "tests/okta/provider.test.ts";

function runMocha(args: string[]) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    // What a caller may have exported; made up here (a test never holds a real credential).
    OKTA_API_TOKEN: freshSecret("00"),
    OKTA_API_CLIENT_ID: "0oaCALLERxxxxxxxxxxx",
    OKTA_API_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----",
    CERBY_API_KEY: freshSecret("cby_"),
    OKTA_HTTP_RETRIES: "0",
  };
  return spawnSync(process.execPath, [MOCHA, ...args, "--grep", "verify \\(default\\)|warn$|credentials", FILE], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("the test suite and the caller's OKTA_* / CERBY_* variables", function () {
  this.timeout(240_000);

  it("passes with production-like credentials exported by the caller (the root hooks clear them)", () => {
    const r = runMocha([]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/[1-9]\d* passing/);
    expect(r.stdout).not.to.match(/failing/);
  });

  it("fails without the root hooks, as the suite once did in CI (control)", () => {
    // The suite's own TypeScript loader (tests/helpers/ts-register.js, through its transpile cache), without the hooks.
    const r = runMocha(["--no-config", "--require", "tests/helpers/ts-register.js", "--extension", "ts"]);
    expect(r.status).not.to.equal(0);
    expect(r.stdout).to.contain("are both set");
  });
});
