/**
 * Run-time settings of a dynamic provider (credentials from `configure`) live in a process-global slot, not on the
 * provider object: the provider object is serialized into Pulumi state, a global is not. So even a process that both
 * configures a provider and registers resources (a test) cannot write a credential into state.
 */
type Slots = Record<symbol, unknown>;

export function setProviderSettings<T extends object>(side: "cerby" | "okta", settings: T): void {
  (globalThis as unknown as Slots)[Symbol.for(`cerby-okta-universal-logout:${side}`)] = settings;
}

export function providerSettings<T extends object>(side: "cerby" | "okta"): Partial<T> {
  return ((globalThis as unknown as Slots)[Symbol.for(`cerby-okta-universal-logout:${side}`)] ?? {}) as Partial<T>;
}

/**
 * A Map shared by every copy of this module loaded in the process (the program, a provider loaded from state), in a
 * process-global slot named `cerby-okta-universal-logout:<name>`: limiters, access tokens, open lookup batches.
 */
export function processMap<V>(name: string): Map<string, V> {
  const slots = globalThis as unknown as Slots;
  const key = Symbol.for(`cerby-okta-universal-logout:${name}`);
  if (!slots[key]) slots[key] = new Map<string, V>();
  return slots[key] as Map<string, V>;
}
