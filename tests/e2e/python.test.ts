/**
 * examples/python through the real CLI: the SDK generated from the schema (Pulumi's own Python generator, built from
 * the engine's Go module: scripts/gen-sdk.sh) and the program run inline by Pulumi's Automation API (automation.py;
 * PyPI's `pulumi` in a cached virtual environment: scripts/python-sdk.sh), since Pulumi's Python language host cannot
 * be had here. The TypeScript sandbox's lifecycle (./languages.ts).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  PythonSdk,
  findPythonSdk,
  findSdkGenerator,
  generateSdk,
  installPythonPackage,
  pulumiCommandRoot,
} from "../../scripts/hosts";
import { requireHost } from "../helpers/hosts";
import { ROOT, useCliRig } from "./cli-rig";
import { languageLifecycle, runProcess } from "./languages";

describe("Python (examples/python) through the real CLI: the generated SDK, run inline by the Automation API", function () {
  this.timeout(5 * 60 * 1000);
  const rig = useCliRig();
  let python: PythonSdk;
  let root: string;
  languageLifecycle(rig, {
    example: "python",
    async prepare(dir, env, ctx) {
      python = requireHost(ctx, "python", findPythonSdk({ build: true }));
      const generator = requireHost(ctx, "generator", findSdkGenerator({ build: true }));
      root = pulumiCommandRoot(rig.engine());
      // As a user would: the SDK generated from the package's schema, installed for the program to import.
      generateSdk(generator, "python", path.join(ROOT, "schema", "schema.json"), path.join(dir, "sdk", "python"));
      installPythonPackage(python, path.join(dir, "sdk", "python"), path.join(dir, ".packages"));
      env.PYTHONPATH = path.join(dir, ".packages");
    },
    run: (step, dir, env) => runProcess(python.python, ["automation.py", step, "--pulumi-root", root], dir, env),
  });

  it("the README's Python example is the program this file runs (program.py)", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### From Pulumi YAML, Python or Go"));
    const block = /```python\n([\s\S]*?)```/.exec(section)?.[1];
    const program = fs.readFileSync(path.join(ROOT, "examples", "python", "program.py"), "utf8");
    expect(block, "a ```python block in the README's section").to.be.a("string");
    expect(program).to.contain(block!.trim());
  });
});
