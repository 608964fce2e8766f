/**
 * Mocha root hooks. The HTTP layer shares rate-limit pauses and concurrency slots per origin across the whole process
 * (on purpose: one Okta bucket per org). Tests are separate scenarios, so each starts with none of that state.
 */
import { resetHttpLimiters } from "../../components/http";

export const mochaHooks = {
  beforeEach(): void {
    resetHttpLimiters();
  },
};
