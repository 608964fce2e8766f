/**
 * examples/go through the real CLI: the SDK generated from the schema (Pulumi's own Go generator, built from the
 * engine's Go module: scripts/gen-sdk.sh) and the program run inline by Pulumi's Automation API (examples/go/automation,
 * built with the Go toolchain from the example's pinned go.mod/go.sum), since Pulumi's Go language host is not built
 * here. The TypeScript sandbox's lifecycle (./languages.ts).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { findGo, findSdkGenerator, generateSdk, pulumiCommandRoot } from "../../scripts/hosts";
import { requireHost } from "../helpers/hosts";
import { ROOT, useCliRig } from "./cli-rig";
import { languageLifecycle, runProcess } from "./languages";

describe("Go (examples/go) through the real CLI: the generated SDK, run inline by the Automation API", function () {
  this.timeout(5 * 60 * 1000);
  const rig = useCliRig();
  let automation: string;
  let root: string;
  languageLifecycle(rig, {
    example: "go",
    async prepare(dir, env, ctx) {
      const go = requireHost(ctx, "go", findGo());
      const generator = requireHost(ctx, "generator", findSdkGenerator({ build: true }));
      root = pulumiCommandRoot(rig.engine());
      // As a user would: the SDK generated from the package's schema where go.mod's `replace` points.
      generateSdk(generator, "go", path.join(ROOT, "schema", "schema.json"), path.join(dir, "sdk", "go"));
      automation = path.join(dir, ".bin", "automation");
      const build = spawnSync(
        go.bin,
        ["build", "-trimpath", "-tags", "osusergo,grpcnotrace", "-o", automation, "./automation"],
        // -mod=readonly: the example's go.sum pins every module; nothing is resolved anew.
        { cwd: dir, encoding: "utf8", env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" } },
      );
      if (build.status !== 0) throw new Error(`go build ./automation failed (${build.status}):\n${build.stderr}`);
    },
    run: (step, dir, env) => runProcess(automation, [`-pulumi-root=${root}`, step], dir, env),
  });
});
