/**
 * examples/yaml through the real CLI and Pulumi YAML's language host (built from its pinned Go module beside the
 * CLI: scripts/yaml-host.sh): the TypeScript sandbox's lifecycle (./languages.ts), as a YAML user runs it.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { findYamlHost } from "../../scripts/hosts";
import { requireHost } from "../helpers/hosts";
import { ROOT, useCliRig } from "./cli-rig";
import { languageLifecycle } from "./languages";

describe("Pulumi YAML (examples/yaml) through the real CLI: the component from its provider plugin", function () {
  this.timeout(5 * 60 * 1000);
  const rig = useCliRig();
  languageLifecycle(rig, {
    example: "yaml",
    async prepare(_dir, _env, ctx) {
      requireHost(ctx, "yaml", findYamlHost(rig.engine(), { build: true }));
    },
    async run(step, dir, env) {
      const args = {
        up: ["up", "--yes", "--skip-preview"],
        "up-refresh": ["up", "--yes", "--skip-preview", "--refresh"],
        "preview-refresh-expect-no-changes": ["preview", "--refresh", "--expect-no-changes", "--diff"],
        preview: ["preview"],
        destroy: ["destroy", "--yes", "--skip-preview"],
      }[step];
      const r = await rig.cli(args, { cwd: dir, env });
      return { status: r.status, output: r.stdout + r.stderr };
    },
  });

  it("the README's YAML example is the one this file runs (its resources, and the plugins entry)", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### From Pulumi YAML, Python or Go"));
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (m) => yaml.load(m[1]) as Record<string, unknown>,
    );
    const example = yaml.load(fs.readFileSync(path.join(ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(blocks[0].plugins).to.deep.equal(example.plugins);
    expect(blocks[1].resources).to.deep.equal(example.resources);
  });
});
