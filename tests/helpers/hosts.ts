/**
 * The other languages' hosts for tests (scripts/hosts.ts), as tests/helpers/pulumi-engine.ts does for the CLI: a
 * missing piece is built when it can be; in CI (CI=true) one that is still missing fails the suite, elsewhere the
 * tests that need it skip and say how to get it.
 */
import { HOST_HELP } from "../../scripts/hosts";

/** Call from a `before` hook with what a `find*` returned (with `build: true`). */
export function requireHost<T>(ctx: Mocha.Context, what: keyof typeof HOST_HELP, found: T | undefined): T {
  if (found !== undefined) return found;
  if (process.env.CI === "true") throw new Error(`CI=true, and the ${what} scenarios must run: ${HOST_HELP[what]}`);
  console.log(`      skipped: ${HOST_HELP[what]}`);
  ctx.skip();
}
