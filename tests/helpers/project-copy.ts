/**
 * A copy of this project in a temporary folder, so real-CLI tests can run `pulumi` commands literally (stack files land
 * in the copy, not in the repository) and can change the program between runs. node_modules is a link, not a copy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
// bin/ and provider/: the dynamic-provider plugin that Pulumi.yaml names (`plugins: providers:`).
const FILES = ["index.ts", "components", "bin", "provider", "package.json", "Pulumi.yaml", "tsconfig.json"];
export const CACHED_TRANSPILER = path.join(__dirname, "cached-transpiler.js");

export interface CopyOptions {
  /**
   * ts-node in the copy (the program and the dynamic-provider plugin) transpiles through ./cached-transpiler.js, which
   * skips transpiling files it has seen before. It works only when ts-node transpiles without type-checking: pair it
   * with PULUMI_NODEJS_TRANSPILE_ONLY=true (`transpileOnlyEnv`), which Pulumi's own Node.js language host reads.
   */
  cachedTranspile?: boolean;
}

/** Environment for `pulumi` commands in a copy made with `cachedTranspile`. */
export const transpileOnlyEnv = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };

export function projectCopy(prefix = "cerby-project-", opts: CopyOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of FILES) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  if (opts.cachedTranspile) useCachedTranspiler(dir);
  return dir;
}

/** Points ts-node in `dir` (its tsconfig.json) at ./cached-transpiler.js; see `CopyOptions.cachedTranspile`. */
export function useCachedTranspiler(dir: string): void {
  const file = path.join(dir, "tsconfig.json");
  const text = fs.readFileSync(file, "utf8");
  const option = `"ts-node": { "transpiler": ${JSON.stringify(CACHED_TRANSPILER)} },`;
  fs.writeFileSync(file, text.replace("{", `{\n  ${option}`));
}
