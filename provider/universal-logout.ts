/**
 * `construct` for `cerby:okta:UniversalLogout`: the TypeScript component, built from the inputs another language sent,
 * with its outputs as the schema declares them. Nothing is validated or translated here: the component and its
 * resources' `check` give a YAML or Python user the same errors as a TypeScript one.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { CerbyOktaUniversalLogout, CerbyOktaUniversalLogoutArgs } from "../components";

export { UNIVERSAL_LOGOUT_TYPE as TYPE } from "../components/universal-logout";

export function construct(
  name: string,
  inputs: pulumi.Inputs,
  options: pulumi.ComponentResourceOptions,
  outputs: readonly string[],
): provider.ConstructResult {
  const component = new CerbyOktaUniversalLogout(name, inputs as CerbyOktaUniversalLogoutArgs, options);
  const byName = component as unknown as Record<string, pulumi.Output<unknown>>;
  return { urn: component.urn, state: Object.fromEntries(outputs.map((o) => [o, byName[o]])) };
}
