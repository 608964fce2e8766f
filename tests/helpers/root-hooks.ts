/**
 * Mocha root hooks. The HTTP layer shares rate-limit pauses and concurrency slots per origin across the whole process
 * (on purpose: one Okta bucket per org), and Okta access tokens per credential. Tests are separate scenarios, so each
 * starts with none of that state.
 *
 * The suite is also immune to the caller's environment: a CI job or a workstation with OKTA_API_TOKEN,
 * OKTA_API_CLIENT_ID/OKTA_API_PRIVATE_KEY, CERBY_API_KEY or OKTA_HTTP_* set would otherwise change what the providers
 * read (e.g. "okta:apiToken and okta:clientId/okta:privateKey are both set"). Every OKTA_* / CERBY_* variable is removed
 * before any test runs; tests that need one set it themselves.
 */
import { resetHttpLimiters } from "../../components/http";
import { resetOktaTokenCache } from "../../components/okta/auth";

/** Knobs of the test suite itself, not credentials or settings the module reads. */
const SUITE_KNOBS = new Set(["OKTA_CONTRACT_SPEC"]);

export function clearVendorEnv(env: Record<string, string | undefined> = process.env): string[] {
  const cleared = Object.keys(env).filter((k) => /^(OKTA|CERBY)_/i.test(k) && !SUITE_KNOBS.has(k));
  for (const k of cleared) delete env[k];
  return cleared;
}

// At load, before any test file is read: some read the environment when they start their rigs.
clearVendorEnv();

export const mochaHooks = {
  beforeAll(): void {
    clearVendorEnv();
  },
  beforeEach(): void {
    resetHttpLimiters();
    resetOktaTokenCache();
  },
};
