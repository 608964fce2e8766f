/**
 * What the `__provider` reference in state loads (see ./provider-ref): the module's dynamic providers, by side. It
 * ships with the package as `cerby-okta-universal-logout/provider-loader`, so the reference is a `require`, not code.
 *
 * In a checkout (scripts/build.js beside dist/), dist/ is rebuilt first if a source changed since the last build, so
 * a `refresh` or `destroy` after an edit runs the edit — the same rule as the stack program (index.js).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type ProviderSide = "cerby" | "okta";

type DynamicProvider = Record<string, (...a: unknown[]) => unknown>;

/** This package's root: dist/components/ → ../..; under ts-node (tests) components/ → .. */
const ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist${path.sep}components`) ? "../.." : "..");

function ensureBuilt(): void {
  const build = path.join(ROOT, "scripts", "build.js");
  // An installed package has no scripts/ and no sources: its compiled files are what there is.
  if (fs.existsSync(build) && fs.existsSync(path.join(ROOT, "components"))) {
    (require(build) as { ensureBuilt(root: string): void }).ensureBuilt(ROOT);
  }
}

/** The dynamic provider of `side`, from the compiled module of this package. */
export function provider(side: ProviderSide): DynamicProvider {
  ensureBuilt();
  const dist = path.join(ROOT, "dist", "components");
  switch (side) {
    case "cerby":
      return require(path.join(dist, "cerby", "provider.js")).cerbyUniversalLogoutProvider;
    case "okta":
      return require(path.join(dist, "okta", "provider.js")).oktaUniversalLogoutProvider;
  }
}

/**
 * Called by a reference that found no module from the folder the command runs in and fell back to the path the
 * program recorded when it wrote the state: says so, once per process, where the CLI shows it.
 */
export function noteRecordedPath(recorded: string, cwd: string): void {
  const g = globalThis as unknown as Record<symbol, boolean>;
  const once = Symbol.for("cerby-okta-universal-logout:recorded-path-noted");
  if (g[once]) return;
  g[once] = true;
  process.stderr.write(
    `cerby-okta-universal-logout: no copy of the module was found from ${cwd} (a project with the package installed, ` +
      `or this repository); loading the copy the state records, ${recorded}. Run the command in the project that ` +
      "declares the stack, or set CERBY_OKTA_MODULE_ROOT to the checkout to use.\n",
  );
}
