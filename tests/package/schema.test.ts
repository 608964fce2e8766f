/**
 * The package schema is one definition: generated from the component's TypeScript types (schema/generate.ts), it
 * must equal the committed copy (schema/schema.json, what reviewers and the SDK generators read) and what the plugin
 * serves (dist/provider/schema.json, built by `npm run build`). A control shows that a changed type changes it.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSchema } from "../../schema/generate";

const ROOT = path.resolve(__dirname, "../..");
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(ROOT, f), "utf8")) as Record<string, unknown>;
const FIX = "run `npm run schema` (regenerates schema/schema.json from the types) and commit it";

describe("the package schema (one definition: the TypeScript component)", function () {
  this.timeout(60_000);
  let generated: ReturnType<typeof generateSchema>;
  before(() => {
    generated = generateSchema(ROOT);
  });

  it("the committed schema/schema.json is the one the types give", () => {
    expect(read("schema/schema.json"), FIX).to.deep.equal(JSON.parse(JSON.stringify(generated)));
  });

  it("the plugin serves the same schema (dist/provider/schema.json, from the last build)", () => {
    expect(read("dist/provider/schema.json")).to.deep.equal(JSON.parse(JSON.stringify(generated)));
  });

  it("declares the component under the TypeScript token, with its inputs, outputs and their docs", () => {
    const r = generated.resources["cerby:okta:UniversalLogout"] as {
      isComponent: boolean;
      inputProperties: Record<string, { description?: string }>;
      requiredInputs: string[];
      properties: Record<string, unknown>;
    };
    expect(r.isComponent).to.equal(true);
    expect(Object.keys(r.inputProperties)).to.have.members([
      "cerby",
      "okta",
      "appInstanceId",
      "app",
      "appLabel",
      "retainOnDelete",
    ]);
    expect(r.requiredInputs).to.have.members(["cerby", "okta"]);
    expect(r.inputProperties.appInstanceId.description).to.match(/Okta app ID of the Cerby app/);
    expect(Object.keys(r.properties)).to.have.members([
      "appInstanceId",
      "cerbyEnabled",
      "oktaUniversalLogoutStatus",
      "oktaAdminUrl",
      "summary",
      "warnings",
    ]);
    // A callback (oktaCredentials) cannot cross a language boundary; the child resources are not outputs.
    expect(JSON.stringify(generated)).not.to.contain("oktaCredentials");
    expect(generated.version).to.equal(read("package.json").version);
  });

  it("control: a changed type in the component changes the schema (the check above can fail)", () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-schema-"));
    try {
      for (const f of ["components", "package.json"])
        fs.cpSync(path.join(ROOT, f), path.join(copy, f), { recursive: true });
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
      const file = path.join(copy, "components", "universal-logout.ts");
      const text = fs.readFileSync(file, "utf8");
      const changed = text.replace(
        "  requireProvisioning?: boolean;\n}",
        "  requireProvisioning?: boolean;\n  /** A new knob. */\n  extraKnob?: number;\n}",
      );
      expect(changed).not.to.equal(text);
      fs.writeFileSync(file, changed);
      const other = generateSchema(copy);
      expect(other).not.to.deep.equal(generated);
      expect(other.types["cerby:okta:OktaSide"].properties.extraKnob).to.deep.equal({
        type: "number",
        description: "A new knob.",
      });
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
