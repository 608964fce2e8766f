/**
 * A copy of this project in a temporary folder, so real-CLI tests can run `pulumi` commands literally (stack files land
 * in the copy, not in the repository) and can change the program between runs. node_modules is a link, not a copy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const FILES = ["index.ts", "components", "package.json", "Pulumi.yaml", "tsconfig.json"];

export function projectCopy(prefix = "cerby-project-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of FILES) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}
