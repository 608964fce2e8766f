/**
 * A UserError is a message for the user, complete in itself. In the program (never in a serialized provider) it becomes
 * Pulumi's RunError, which the engine prints as the message alone: no "Unhandled exception", no stack. Other errors
 * are bugs and keep their stack. Each failure is printed once, as it was written (see toRunError and
 * userErrorsPrintedOnce).
 */
import * as pulumi from "@pulumi/pulumi";
import { UserError } from "./http";
import { processMap } from "./settings";

export function toRunError(e: unknown): unknown {
  if (!(e instanceof UserError)) return e;
  const err = new pulumi.RunError(e.message);
  // The SDK prefixes `error serializing property "…": ` to the message of an error in every output it serializes
  // (the resources' inputs, the component's and the stack's outputs: the same error, mutated each time). The user's
  // message stays as written: writes to it are ignored.
  const message = e.message;
  Object.defineProperty(err, "message", { get: () => message, set: () => undefined, configurable: true });
  return err;
}

export function asRunError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toRunError(e);
  }
}

/** The provider methods for whose errors Pulumi's dynamic-provider plugin also writes `${e}: ${e.stack}` to stderr. */
const PRINTED_BY_PLUGIN = new Set(["check", "diff", "read", "delete"]);

/**
 * The provider, with each user error printed once. For check, diff, read and delete, the stock dynamic-provider plugin
 * (@pulumi/pulumi cmd/dynamic-provider) writes `${e}: ${e.stack}` to its stderr, which the CLI shows beside the error
 * it reports for the step: for a user error (whose stack is its message) `VendorError: <message>: <message>`. The
 * wrapper notes the exact line of each user error these methods throw, and the plugin process's console.error skips
 * that one line; the error still reaches the engine, which prints it for the step. Other errors (bugs) print as
 * before, stack included.
 */
export function userErrorsPrintedOnce<T extends object>(provider: T): T {
  const wrapped: Record<string, unknown> = { ...(provider as Record<string, unknown>) };
  for (const [name, method] of Object.entries(provider)) {
    if (typeof method !== "function" || !PRINTED_BY_PLUGIN.has(name)) continue;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (method as (...a: unknown[]) => unknown).apply(provider, args);
      } catch (e) {
        if (e instanceof UserError) skipStderrLineOnce(`${e}: ${e.stack}`);
        throw e;
      }
    };
  }
  return wrapped as T;
}

/** Process-global (every copy of this module in the plugin shares it): lines console.error skips, with their count. */
function skipStderrLineOnce(line: string): void {
  const skip = processMap<number>("stderr-lines-printed-elsewhere");
  skip.set(line, (skip.get(line) ?? 0) + 1);
  const installed = processMap<boolean>("stderr-filter");
  if (installed.get("console.error")) return;
  installed.set("console.error", true);
  const print = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    const n = args.length === 1 && typeof args[0] === "string" ? skip.get(args[0]) : undefined;
    if (n) {
      if (n > 1) skip.set(args[0] as string, n - 1);
      else skip.delete(args[0] as string);
      return;
    }
    print(...args);
  };
}
