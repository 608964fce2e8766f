import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { Setting, allSettings } from "../../components/settings-table";

const root = path.join(__dirname, "..", "..");
type Row = Setting & { name: string };
type ProjectDoc = { name: string; config: Record<string, { type?: string; default?: unknown }> };

/** What Pulumi.yaml's `default:` must be for a row: the declared override, else the code's default, else "" (unset). */
function declaredDefault(s: Row): unknown {
  if (s.type === "string") return s.declaredDefault?.value ?? s.default ?? "";
  return s.default;
}

/** Every disagreement between Pulumi.yaml's `config:` and the settings table. */
function pulumiYamlProblems(doc: ProjectDoc, rows: Row[]): string[] {
  const problems: string[] = [];
  const byKey = new Map(rows.filter((s) => s.key).map((s) => [s.key!, s]));
  for (const [k, decl] of Object.entries(doc.config ?? {})) {
    const key = k.includes(":") ? k : `${doc.name}:${k}`;
    const s = byKey.get(key);
    if (!s) {
      problems.push(`${key}: in Pulumi.yaml, not in the settings table`);
      continue;
    }
    if (s.undeclaredBecause)
      problems.push(`${key}: declared in Pulumi.yaml, but the table says ${s.undeclaredBecause}`);
    if (decl.type !== s.type) problems.push(`${key}: Pulumi.yaml type ${decl.type}, table type ${s.type}`);
    if (decl.default !== declaredDefault(s)) {
      problems.push(
        `${key}: Pulumi.yaml default ${JSON.stringify(decl.default)}, table ${JSON.stringify(declaredDefault(s))}`,
      );
    }
  }
  for (const s of rows) {
    const project = s.key?.startsWith(`${doc.name}:`);
    if (project && !s.undeclaredBecause && !(s.key!.slice(doc.name.length + 1) in (doc.config ?? {}))) {
      problems.push(`${s.key}: a project key in the table, not declared in Pulumi.yaml`);
    }
  }
  return problems;
}

/** The environment variables a source reads by a literal name (`process.env.X`, `env["X"]`, `fromEnv(env, "X")`). */
function envNamesRead(source: string): string[] {
  const names = new Set<string>();
  const re =
    /(?:process\.env|\benv)(?:\.([A-Z][A-Z0-9_]+)|\["([A-Z][A-Z0-9_]+)"\])|fromEnv\(\s*env,\s*"([A-Z][A-Z0-9_]+)"/g;
  for (const m of source.matchAll(re)) names.add(m[1] ?? m[2] ?? m[3]);
  return [...names];
}

/** The variables components/ and scripts/ read by name that the table does not list (the system's own aside). */
function unlistedEnvReads(files: Array<{ file: string; text: string }>, rows: Row[]): string[] {
  const listed = new Set(rows.map((s) => s.env).filter(Boolean));
  const system = new Set(["PATH", "HOME"]);
  return files.flatMap(({ file, text }) =>
    envNamesRead(text)
      .filter((n) => !listed.has(n) && !system.has(n))
      .map((n) => `${n}: read in ${file}, not in the settings table`),
  );
}

function sources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const dir of ["components", "scripts"]) {
    for (const f of fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]) {
      if (!/\.(ts|sh)$/.test(f)) continue;
      const file = path.join(dir, f);
      out.push({ file, text: fs.readFileSync(path.join(root, file), "utf8") });
    }
  }
  return out;
}

/** The README section whose heading starts with "Config reference", up to the next heading of the same level. */
function configReference(readme: string): string {
  const start = readme.search(/^## Config reference/m);
  if (start < 0) return "";
  const next = readme.slice(start + 1).search(/^## /m);
  return next < 0 ? readme.slice(start) : readme.slice(start, start + 1 + next);
}

/** Every config key and environment variable of the table that the README's config reference does not name. */
function readmeProblems(readme: string, rows: Row[]): string[] {
  const section = configReference(readme);
  if (!section) return ['README has no "## Config reference" section'];
  const named = (name: string) => section.includes(`\`${name}\``);
  const problems: string[] = [];
  for (const s of rows) {
    if (s.key && !named(s.key)) problems.push(`${s.key}: not in the README's config reference`);
    if (s.env && !named(s.env)) problems.push(`${s.env}: not in the README's config reference`);
  }
  return problems;
}

/** Rows with a mode list whose README line (or Pulumi.yaml description) misses one of the modes. */
function modeDocProblems(readme: string, doc: ProjectDoc, rows: Row[]): string[] {
  const problems: string[] = [];
  const section = configReference(readme);
  for (const s of rows) {
    if (s.type !== "string" || !s.choices || !s.key) continue;
    const line = section.split("\n").find((l) => l.startsWith(`| \`${s.key}\``)) ?? "";
    const description = String((doc.config[s.key.split(":")[1]] as { description?: unknown })?.description ?? "");
    for (const m of s.choices) {
      if (!line.includes(`\`${m}\``)) problems.push(`${s.key}: README config reference misses mode ${m}`);
      if (!description.includes(m)) problems.push(`${s.key}: Pulumi.yaml description misses mode ${m}`);
    }
  }
  return problems;
}

describe("the settings table agrees with Pulumi.yaml and the README", () => {
  const rows = allSettings();
  const project = load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectDoc;
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

  it("declares every Pulumi.yaml key in the table with the same type and default, and every project key of the table in Pulumi.yaml", () => {
    expect(pulumiYamlProblems(project, rows)).to.deep.equal([]);
    // The check covers the project keys, not a vacuous subset.
    expect(Object.keys(project.config)).to.have.length.greaterThan(10);
  });

  it("leaves cerby:apiKey out of Pulumi.yaml on purpose, and says why in both places", () => {
    expect(project.config).not.to.have.property("apiKey");
    expect(rows.find((s) => s.key === "cerby:apiKey")?.undeclaredBecause).to.match(/secret/);
  });

  it("names every config key and environment variable of the table in the README's config reference", () => {
    expect(readmeProblems(readme, rows)).to.deep.equal([]);
  });

  it("lists every environment variable that components/ and scripts/ read by name", () => {
    const files = sources();
    expect(files.map((f) => f.file)).to.include("components/http/proxy.ts");
    expect(unlistedEnvReads(files, rows)).to.deep.equal([]);
  });

  it("lists every mode of cerby:mode and cerby:oktaMode in the README's config reference and Pulumi.yaml", () => {
    expect(modeDocProblems(readme, project, rows)).to.deep.equal([]);
  });

  describe("controls: each check reports a mutated copy", () => {
    const copy = (): ProjectDoc => JSON.parse(JSON.stringify(project)) as ProjectDoc;

    it("a changed default in Pulumi.yaml", () => {
      const doc = copy();
      doc.config.httpRetries.default = 5;
      expect(pulumiYamlProblems(doc, rows)).to.deep.equal(["cerby:httpRetries: Pulumi.yaml default 5, table 4"]);
    });

    it("a changed type in Pulumi.yaml", () => {
      const doc = copy();
      doc.config.oktaPollIntervalSeconds.type = "string";
      expect(pulumiYamlProblems(doc, rows)).to.deep.equal([
        "cerby:oktaPollIntervalSeconds: Pulumi.yaml type string, table type integer",
      ]);
    });

    it("a Pulumi.yaml key the table lacks, and a table key Pulumi.yaml lacks", () => {
      const doc = copy();
      doc.config.newKey = { type: "string", default: "" };
      delete doc.config.appLabel;
      expect(pulumiYamlProblems(doc, rows)).to.deep.equal([
        "cerby:newKey: in Pulumi.yaml, not in the settings table",
        "cerby:appLabel: a project key in the table, not declared in Pulumi.yaml",
      ]);
    });

    it("a changed default in the table (appLabel's declared default is what Pulumi.yaml must hold)", () => {
      const changed = rows.map((s) => (s.name === "appLabel" ? { ...s, declaredDefault: undefined } : s)) as Row[];
      expect(pulumiYamlProblems(project, changed)).to.deep.equal([
        'cerby:appLabel: Pulumi.yaml default "", table "Cerby"',
      ]);
    });

    it("declaring cerby:apiKey in Pulumi.yaml", () => {
      const doc = copy();
      doc.config.apiKey = { type: "string" };
      expect(pulumiYamlProblems(doc, rows)[0]).to.match(/^cerby:apiKey: declared in Pulumi.yaml, but the table says/);
    });

    it("a mode the docs do not list (a third Cerby mode added to the table only)", () => {
      const more = rows.map((s) => (s.name === "mode" ? { ...s, choices: ["api", "manual", "scim"] } : s)) as Row[];
      expect(modeDocProblems(readme, project, more)).to.deep.equal([
        "cerby:mode: README config reference misses mode scim",
        "cerby:mode: Pulumi.yaml description misses mode scim",
      ]);
    });

    it("code that reads a variable the table does not list", () => {
      const files = [{ file: "x.ts", text: 'const a = process.env.CERBY_NEW_KNOB; const b = env["OKTA_OTHER"];' }];
      expect(unlistedEnvReads(files, rows)).to.deep.equal([
        "CERBY_NEW_KNOB: read in x.ts, not in the settings table",
        "OKTA_OTHER: read in x.ts, not in the settings table",
      ]);
    });

    it("a README that misses a key or an environment variable", () => {
      const section = configReference(readme);
      const without = (name: string) => readme.replace(section, section.split(`\`${name}\``).join("`x`"));
      expect(readmeProblems(without("cerby:oktaMode"), rows)).to.deep.equal([
        "cerby:oktaMode: not in the README's config reference",
      ]);
      expect(readmeProblems(without("OKTA_HTTP_RETRIES"), rows)).to.deep.equal([
        "OKTA_HTTP_RETRIES: not in the README's config reference",
      ]);
      expect(readmeProblems(readme.replace("## Config reference", "## Settings"), rows)).to.deep.equal([
        'README has no "## Config reference" section',
      ]);
    });
  });
});
