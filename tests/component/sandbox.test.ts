import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { pulumiVersion } from "../../scripts/pulumi-cli";

describe("npm run sandbox", function () {
  this.timeout(60000);

  it("without a Pulumi CLI, says how to get one and exits non-zero (never pretends)", function () {
    if (pulumiVersion()) {
      console.log("      skipped: a pulumi binary is on PATH, so `npm run sandbox` would really run `pulumi up`");
      this.skip();
    }
    const root = path.resolve(__dirname, "../..");
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/sandbox.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain("The Pulumi CLI is not installed");
    expect(r.stderr).to.contain("https://www.pulumi.com/docs/install/");
  });
});
