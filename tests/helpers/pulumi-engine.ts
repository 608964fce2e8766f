/**
 * The real Pulumi CLI for tests. `npm test` builds it from Go modules when none is usable and Go is present (once per
 * machine, cached outside the clone). In CI (CI=true) a missing engine fails the suite; elsewhere the real-CLI suites
 * skip and say how to get one.
 */
import { Engine, NO_ENGINE_HELP, findEngine } from "../../scripts/pulumi-cli";

let found: Engine | undefined | null = null;

/** Call from a `before` hook (give it a long timeout: a cold build takes minutes). */
export function requireEngine(ctx: Mocha.Context): Engine {
  if (found === null) found = findEngine({ build: true });
  if (found) return found;
  if (process.env.CI === "true") throw new Error(`CI=true, and the real-CLI scenarios must run: ${NO_ENGINE_HELP}`);
  console.log(`      skipped: ${NO_ENGINE_HELP}`);
  ctx.skip();
}

/** Long enough for a cold build of the engine on 2 cores, with room to spare. */
export const ENGINE_BUILD_TIMEOUT_MS = 40 * 60 * 1000;
