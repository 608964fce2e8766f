/**
 * The null program's provider loader (./program.ts): what its `__provider` references load, by side, in Pulumi's
 * dynamic-provider plugin. Each provider does nothing: it accepts the inputs, never sees a change, records the inputs
 * as outputs under the module's id, reads back what state holds, and deletes nothing. bench/cli-engine.ts transpiles
 * it to the null project's dist/components/provider-loader.js, the path its package.json exports as
 * `./provider-loader` (the module's own layout).
 */
type Inputs = Record<string, string>;

function nullProvider(idOf: (inputs: Inputs) => string) {
  return {
    async check(_olds: unknown, news: Inputs) {
      return { inputs: news };
    },
    async diff() {
      return { changes: false };
    },
    async create(inputs: Inputs) {
      return { id: idOf(inputs), outs: inputs };
    },
    async read(id: string, props: Inputs) {
      return { id, props };
    },
    async delete() {},
  };
}

/** The null provider of `side`, with the module's resource ids (components/{cerby,okta}/converge.ts). */
export function provider(side: "cerby" | "okta") {
  return side === "cerby"
    ? nullProvider((i) => `${i.baseUrl}#okta-universal-logout`)
    : nullProvider((i) => `${i.orgUrl}/api/v1/apps/${i.appInstanceId}#universal-logout`);
}

/** The module's loader says when a reference fell back to its recorded path; the null project never needs to. */
export function noteRecordedPath(): void {}
