/**
 * A UserError is a message for the user, complete in itself. In the program (never in a serialized provider) it becomes
 * Pulumi's RunError, which the engine prints as the message alone: no "Unhandled exception", no stack. Other errors
 * are bugs and keep their stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { UserError } from "./http";

export function toRunError(e: unknown): unknown {
  return e instanceof UserError ? new pulumi.RunError(e.message) : e;
}

export function asRunError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toRunError(e);
  }
}
