/**
 * The package schema (Pulumi's package schema, the contract every other language's SDK is generated from), derived
 * from the TypeScript component: its type token, its args interface (inputs, with their doc comments) and its
 * `pulumi.Output` properties (outputs). The TypeScript types are the one definition; `npm run build` runs this and the
 * plugin serves the result (dist/provider/schema.json); tests/package/schema.test.ts fails when the committed copy
 * (schema/schema.json) or the packed one disagrees with the types.
 *
 * Usage: node dist/schema/generate.js [--root DIR] [--out FILE]   (defaults: this package's root; stdout)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/** The package: its name is the first segment of every token (`cerby:okta:UniversalLogout`). */
export const PACKAGE = "cerby";
/** The components the package serves: their classes, exported by the public entry (components/index.ts). */
export const COMPONENTS = ["CerbyOktaUniversalLogout"] as const;

/**
 * Per-language settings of the generated SDKs: the Python package and the Go module are named after the npm package
 * (not `pulumi_cerby`, which an official Cerby provider would take); the versions follow the schema's.
 */
const LANGUAGE = {
  python: { packageName: "cerby_okta_universal_logout", respectSchemaVersion: true, pyproject: { enabled: true } },
  go: { importBasePath: "cerby-okta-universal-logout/sdk/go/cerby", respectSchemaVersion: true },
};

export interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  description?: string;
}

interface ObjectSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface PackageSchema {
  name: string;
  displayName: string;
  version: string;
  description: string;
  license: string;
  meta: { supportPack: boolean };
  language: typeof LANGUAGE;
  resources: Record<string, Record<string, unknown>>;
  types: Record<string, ObjectSpec>;
}

class Generator {
  readonly types: Record<string, ObjectSpec> = {};

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly module: string,
  ) {}

  private doc(symbol: ts.Symbol): string | undefined {
    const text = ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).replace(/\s+/g, " ").trim();
    return text || undefined;
  }

  /** `T` of `pulumi.Input<T>` / `pulumi.Output<T>` / `T | undefined`: the members that are neither promises nor outputs. */
  private unwrap(type: ts.Type): ts.Type[] {
    const members = type.isUnion() ? type.types : [type];
    return members.filter((t) => {
      if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) return false;
      const name = (t.aliasSymbol ?? t.getSymbol())?.getName();
      return name !== "Promise" && name !== "OutputInstance" && name !== "Output";
    });
  }

  /** The one type argument of an Output<T>, or undefined when `type` is not an output. */
  outputOf(type: ts.Type): ts.Type | undefined {
    const name = (type.aliasSymbol ?? type.getSymbol())?.getName();
    if (name !== "Output" && name !== "OutputInstance") return undefined;
    const args = type.aliasTypeArguments ?? this.checker.getTypeArguments(type as ts.TypeReference);
    return args[0];
  }

  /** Whether a property cannot cross a language boundary: a function (a callback is TypeScript-only). */
  isFunction(type: ts.Type): boolean {
    return this.unwrap(type).some((t) => t.getCallSignatures().length > 0);
  }

  /** The schema of a value type; `hint` names an anonymous object type. */
  spec(type: ts.Type, where: string, hint: string): PropertySpec {
    const members = this.unwrap(type);
    if (members.length === 0) throw new Error(`${where}: has no type that can cross a language boundary`);
    const all = (flag: ts.TypeFlags) => members.every((t) => t.flags & flag);
    // Literal unions (the modes) are strings: the TypeScript check validates them and names the choices.
    if (all(ts.TypeFlags.StringLike)) return { type: "string" };
    if (all(ts.TypeFlags.BooleanLike)) return { type: "boolean" };
    if (all(ts.TypeFlags.NumberLike)) return { type: "number" };
    if (members.length === 1) {
      const t = members[0];
      if (this.checker.isArrayType(t)) {
        const [item] = this.checker.getTypeArguments(t as ts.TypeReference);
        return { type: "array", items: this.spec(item, `${where}[]`, hint) };
      }
      if (t.flags & ts.TypeFlags.Object && t.getCallSignatures().length === 0) {
        return { $ref: `#/types/${this.objectType(t, where, hint)}` };
      }
    }
    throw new Error(`${where}: type ${this.checker.typeToString(type)} cannot be expressed in the package schema`);
  }

  /** Declares an object type under `types` (named after its interface, less "Args"), and returns its token. */
  private objectType(type: ts.Type, where: string, hint: string): string {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const named = symbol && !symbol.getName().startsWith("__") ? symbol.getName() : hint;
    const token = `${PACKAGE}:${this.module}:${named.replace(/Args$/, "")}`;
    if (!this.types[token]) {
      this.types[token] = { type: "object", properties: {} };
      const { properties, required } = this.properties(type, token);
      const description = symbol && !symbol.getName().startsWith("__") ? this.doc(symbol) : undefined;
      this.types[token] = { type: "object", ...(description ? { description } : {}), properties, required };
    }
    return token;
  }

  /** Each property of an args type (skipping TypeScript-only callbacks), with its doc and whether it is required. */
  properties(type: ts.Type, where: string): { properties: Record<string, PropertySpec>; required: string[] } {
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    for (const p of this.checker.getPropertiesOfType(type)) {
      const pt = this.checker.getTypeOfSymbol(p);
      if (this.isFunction(pt)) continue;
      const name = p.getName();
      const description = this.doc(p);
      properties[name] = { ...this.spec(pt, `${where}.${name}`, name.charAt(0).toUpperCase() + name.slice(1)) };
      if (description) properties[name].description = description;
      if (!(p.flags & ts.SymbolFlags.Optional)) required.push(name);
    }
    return { properties, required };
  }
}

/** The token a component passes to `super(…)`: a string literal (or a constant of literal type). */
function componentToken(checker: ts.TypeChecker, cls: ts.ClassDeclaration): string {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  let token: string | undefined;
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword && n.arguments.length > 0) {
      const t = checker.getTypeAtLocation(n.arguments[0]);
      if (t.isStringLiteral()) token = t.value;
    }
    ts.forEachChild(n, visit);
  };
  if (ctor) visit(ctor);
  if (!token) throw new Error(`${cls.name?.text}: its constructor must call super() with a literal type token`);
  return token;
}

export function generateSchema(root: string): PackageSchema {
  const entry = path.join(root, "components", "index.ts");
  const program = ts.createProgram([entry], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const checker = program.getTypeChecker();
  const entryFile = program.getSourceFile(entry);
  if (!entryFile) throw new Error(`cannot read ${entry}`);
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(entryFile)!);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
    description: string;
    license: string;
  };
  const schema: PackageSchema = {
    name: PACKAGE,
    displayName: "Okta Universal Logout for Cerby",
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    // supportPack: the Go SDK gets its own go.mod, and the SDKs carry the schema's version.
    meta: { supportPack: true },
    language: LANGUAGE,
    resources: {},
    types: {},
  };
  for (const name of COMPONENTS) {
    const sym = exported.find((s) => s.getName() === name);
    const target = sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const cls = target?.declarations?.find(ts.isClassDeclaration);
    if (!target || !cls) throw new Error(`components/index.ts does not export the component class ${name}`);
    const token = componentToken(checker, cls);
    const [pkgName, module] = token.split(":");
    if (pkgName !== PACKAGE) throw new Error(`${name}: token ${token} is not in package ${PACKAGE}`);
    const gen = new Generator(checker, module);
    const ctor = cls.members.find(ts.isConstructorDeclaration);
    const argsParam = ctor?.parameters[1];
    if (!argsParam) throw new Error(`${name}: its constructor must take (name, args, opts)`);
    const inputs = gen.properties(checker.getTypeAtLocation(argsParam), token);
    // Outputs: the class's pulumi.Output properties (child resources and methods are TypeScript-only).
    const properties: Record<string, PropertySpec> = {};
    const instance = checker.getDeclaredTypeOfSymbol(target);
    for (const p of checker.getPropertiesOfType(instance)) {
      // Declared by the component itself: not `urn` and the like, which every resource has.
      if (p.valueDeclaration?.parent !== cls) continue;
      const inner = gen.outputOf(checker.getTypeOfSymbol(p));
      if (!inner) continue;
      const description = ts.displayPartsToString(p.getDocumentationComment(checker)).replace(/\s+/g, " ").trim();
      properties[p.getName()] = { ...gen.spec(inner, `${name}.${p.getName()}`, p.getName()) };
      if (description) properties[p.getName()].description = description;
    }
    const description = ts.displayPartsToString(target.getDocumentationComment(checker)).replace(/\s+/g, " ").trim();
    schema.resources[token] = {
      isComponent: true,
      description,
      inputProperties: inputs.properties,
      requiredInputs: inputs.required,
      properties,
      required: Object.keys(properties),
    };
    Object.assign(schema.types, gen.types);
  }
  return schema;
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  // dist/schema/generate.js or schema/generate.ts: the package root is two or one level up.
  const root =
    arg("--root") ?? path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist${path.sep}schema`) ? "../.." : "..");
  const text = `${JSON.stringify(generateSchema(root), null, 2)}\n`;
  const out = arg("--out");
  if (out) fs.writeFileSync(out, text);
  else process.stdout.write(text);
}
