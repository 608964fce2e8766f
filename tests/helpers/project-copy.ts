/**
 * A copy of this project in a temporary folder, so real-CLI tests can run `pulumi` commands literally (stack files land
 * in the copy, not in the repository) and can change the program between runs. node_modules is a link, not a copy;
 * the compiled module (dist/) is copied with its build stamp, so the copy runs without building until one of its
 * sources changes (then its index.js and provider loader rebuild it, as in any checkout: scripts/build.js).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const FILES = [
  "index.js",
  "components",
  "provider",
  "schema",
  "bin",
  "dist",
  "scripts/build.js",
  "package.json",
  "Pulumi.yaml",
  "tsconfig.json",
  "tsconfig.build.json",
];

export function projectCopy(prefix = "cerby-project-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of FILES) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/**
 * A node_modules folder for a consumer project in `dir`, as `npm install <this package>` leaves it: this repository's
 * dependencies (linked) plus the package itself at `pkg` (a project copy, or this repository).
 */
export function consumerNodeModules(dir: string, pkg: string = ROOT): void {
  const nm = path.join(dir, "node_modules");
  fs.mkdirSync(nm, { recursive: true });
  for (const e of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (e === ".bin" || e.startsWith(".")) continue;
    fs.symlinkSync(path.join(ROOT, "node_modules", e), path.join(nm, e), "dir");
  }
  fs.symlinkSync(pkg, path.join(nm, "cerby-okta-universal-logout"), "dir");
}
