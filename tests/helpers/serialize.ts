/**
 * Registers resources under Pulumi's mocks and returns what the engine would receive, including the serialized
 * `__provider` text of dynamic resources; and loads that text the way Pulumi's dynamic-provider plugin does.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export function installMocks(
  registered: Registered[],
  outputs: (r: Registered) => Record<string, unknown> = (r) => r.inputs,
): void {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const r = { type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> };
        registered.push(r);
        return { id: `${args.name}-id`, state: outputs(r) };
      },
      call(args) {
        return args.inputs;
      },
    },
    "cerby",
    "test",
    false,
  );
}

/** Resolves an Output under mocks. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Exactly what `cmd/dynamic-provider` does: `requireFromString(text).handler()`. */
export function loadSerializedProvider(text: string): pulumi.dynamic.ResourceProvider & Record<string, any> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFromString = require("require-from-string") as (code: string) => { handler: () => any };
  return requireFromString(text).handler();
}

/** Waits until every registration the program started has reached the mocks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 50));
}

/** The `config` object the plugin hands to `configure`. */
export function configOf(values: Record<string, string>): { config: { get(k: string): string | undefined } } {
  return { config: { get: (k: string) => values[k] } };
}
