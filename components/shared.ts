/**
 * Small pieces both sides use: the exhaustiveness guard for mode switches, the value Pulumi passes for unknown inputs,
 * and the shape of a `check` failure. Nothing here knows Cerby or Okta.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * The `default:` of a switch over a closed union: it only compiles when every member has a case, so adding a member
 * (a new mode) is a compile error at every switch that must handle it. Reached at run time only through a cast.
 */
export function assertNever(x: never, what = "value"): never {
  throw new Error(`unexpected ${what} ${JSON.stringify(x)}`);
}

/**
 * A value built on first use and reused after: the zod schemas, built once per process instead of per call. (Modules
 * are loaded by the provider reference, never serialized into state, so a module may keep such constants; what the
 * process shares across copies of a module — limiters, tokens — still lives in process-global slots.)
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** The value Pulumi passes to dynamic providers for inputs not known yet (preview of a new Okta app). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether an input value is known (not Pulumi's placeholder for a value computed later). */
export function isKnown(v: unknown): boolean {
  return v !== UNKNOWN;
}

/** Whether an input was left out: absent, null or "". */
export function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

/** startCheck's schema per list of keys (each side's list is a module constant): built once, not per call. */
const CHECK_SCHEMAS = new WeakMap<readonly string[], z.ZodType>();

/**
 * The start of a `check`: the named raw inputs (any values: each is checked by hand after, so every problem is reported
 * with its fix, not zod's message; other properties pass through) and an empty list of failures.
 */
export function startCheck<K extends string>(
  keys: readonly K[],
  raw: unknown,
): { news: Partial<Record<K, unknown>>; failures: CheckFailure[] } {
  let schema = CHECK_SCHEMAS.get(keys);
  if (!schema) {
    schema = z.object(Object.fromEntries(keys.map((k) => [k, z.unknown().optional()]))).passthrough();
    CHECK_SCHEMAS.set(keys, schema);
  }
  return { news: schema.parse(raw ?? {}) as Partial<Record<K, unknown>>, failures: [] };
}

/** One problem found by a provider's `check`: the input property and what to do about it. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** Adds `property`'s problem to `failures`, if it has one. Returns the problem. */
export function addProblem(
  failures: CheckFailure[],
  property: string,
  problem: string | undefined,
): string | undefined {
  if (problem) failures.push({ property, reason: problem });
  return problem;
}

/** A URL input's problem: `check`'s for a string, else that it must be one. */
export function urlInputProblem(v: unknown, check: (url: string) => string | undefined): string | undefined {
  return typeof v === "string" ? check(v) : "must be a string URL";
}

/** What a side's input check returns: the normalized inputs, and every problem found (empty when all is well). */
export interface Checked<T> {
  inputs: T;
  failures: CheckFailure[];
}

/** `a`, `a or b`, `a, b or c`: choices in a message. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/**
 * A resource's args, from its inputs as `check` normalizes them (one list of fields, documented once): every field a
 * `pulumi.Input` and optional (check applies the defaults), except the `Required` ones.
 */
export type ArgsOf<T, Required extends keyof T = never> = { [K in keyof T]?: pulumi.Input<T[K]> } & {
  [K in Required]-?: pulumi.Input<NonNullable<T[K]>>;
};

/**
 * A provider's create and update when both just converge to the inputs (the resource's id comes from its inputs):
 * the per-side work lives in its converge module, these stay thin.
 */
export function convergingCreateUpdate<I, S>(converge: (inputs: I) => Promise<S>, idOf: (inputs: I) => string) {
  return {
    async create(inputs: I): Promise<{ id: string; outs: S }> {
      const outs = await converge(inputs);
      return { id: idOf(inputs), outs };
    },
    async update(_id: string, _olds: S, news: I): Promise<{ outs: S }> {
      return { outs: await converge(news) };
    },
  };
}
