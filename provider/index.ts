/**
 * The provider plugin of package `cerby` (`pulumi-resource-cerby`, bin/): serves the TypeScript component to every
 * Pulumi language — Pulumi YAML, Python, Go — the way pulumi-eks serves its components. `getSchema` returns the
 * schema generated from the component's types at build time (dist/provider/schema.json; no type analysis at start),
 * and `construct` builds the component (one small module per component). The component's children are dynamic
 * resources, which the engine runs in the `pulumi-nodejs` plugin (bin/pulumi-resource-pulumi-nodejs for projects
 * without node_modules).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
import * as universalLogout from "./universal-logout";

const SCHEMA_TEXT = fs.readFileSync(path.join(__dirname, "schema.json"), "utf8");
const SCHEMA = JSON.parse(SCHEMA_TEXT) as {
  version: string;
  resources: Record<string, { properties?: Record<string, unknown> }>;
};

/** The outputs a component returns: the properties its schema declares. */
function outputsOf(type: string): string[] {
  return Object.keys(SCHEMA.resources[type]?.properties ?? {});
}

export class CerbyProvider implements provider.Provider {
  readonly version = SCHEMA.version;

  async getSchema(): Promise<string> {
    return SCHEMA_TEXT;
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    switch (type) {
      case universalLogout.TYPE:
        return universalLogout.construct(name, inputs, options, outputsOf(type));
      default:
        throw new Error(
          `unknown resource type ${type}: package cerby ${SCHEMA.version} serves ${Object.keys(SCHEMA.resources).join(", ")}`,
        );
    }
  }
}

/** Serves the provider to the engine (bin/pulumi-resource-cerby calls this with the plugin's arguments). */
export function main(args: string[]): Promise<void> {
  return provider.main(new CerbyProvider(), args);
}
