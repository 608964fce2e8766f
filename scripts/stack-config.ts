/**
 * The stack config as `pulumi config` shows it, read from the project's files without the Pulumi CLI: Pulumi.yaml's
 * `config:` defaults (project keys, namespaced by the project name), overridden by Pulumi.<stack>.yaml. `secure:`
 * values are absent: decrypting them needs the CLI and the stack's secrets provider. The result is a `get` for
 * loadProgramConfig, the loader the program uses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";

type Doc = { name?: unknown; config?: Record<string, unknown> } | null | undefined;

function readYaml(file: string): Doc {
  return fs.existsSync(file) ? (load(fs.readFileSync(file, "utf8")) as Doc) : undefined;
}

/** A plain value as Pulumi hands it to the program (text), or undefined for secure, structured or absent values. */
function text(v: unknown): string | undefined {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
}

export function stackConfigFromFiles(cwd: string, stack: string): (key: string) => string | undefined {
  const values = new Map<string, string>();
  const project = readYaml(path.join(cwd, "Pulumi.yaml"));
  const ns = typeof project?.name === "string" ? project.name : "cerby";
  // Project keys may be written without their namespace.
  const full = (k: string) => (k.includes(":") ? k : `${ns}:${k}`);
  for (const [k, decl] of Object.entries(project?.config ?? {})) {
    const dflt = decl !== null && typeof decl === "object" ? text((decl as { default?: unknown }).default) : text(decl);
    if (dflt !== undefined) values.set(full(k), dflt);
  }
  for (const [k, v] of Object.entries(readYaml(path.join(cwd, `Pulumi.${stack}.yaml`))?.config ?? {})) {
    const t = text(v);
    if (t !== undefined) values.set(full(k), t);
    else values.delete(full(k)); // secure: set, but not readable here
  }
  return (key) => values.get(key);
}
