import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProgramConfig } from "../../components/config";
import { stackConfigFromFiles } from "../../scripts/stack-config";

describe("npm run verify reads the stack config as Pulumi does (Pulumi.yaml defaults, then the stack file)", () => {
  let cwd: string;
  before(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-stack-config-"));
    fs.writeFileSync(
      path.join(cwd, "Pulumi.yaml"),
      "name: cerby\nruntime: nodejs\nconfig:\n  mode:\n    type: string\n    default: manual\n" +
        "  oktaMode:\n    type: string\n    default: warn\n  workspace:\n    type: string\n    default: ''\n",
    );
    fs.writeFileSync(
      path.join(cwd, "Pulumi.ci.yaml"),
      "config:\n  cerby:workspace: acme\n  cerby:oktaMode: wait\n  okta:orgName: acme\n" +
        "  cerby:apiKey:\n    secure: v1:abc\n",
    );
  });
  after(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it("applies Pulumi.yaml's defaults under the project namespace, and the stack file over them", () => {
    const get = stackConfigFromFiles(cwd, "ci");
    expect(get("cerby:mode")).to.equal("manual");
    expect(get("cerby:oktaMode")).to.equal("wait");
    expect(get("cerby:workspace")).to.equal("acme");
    const b = loadProgramConfig(get).bindings[0];
    expect(b).to.include({ cerbyMode: "manual", oktaMode: "wait", workspace: "acme" });
  });

  it("leaves secure values out (they need the Pulumi CLI to decrypt)", () => {
    expect(stackConfigFromFiles(cwd, "ci")("cerby:apiKey")).to.equal(undefined);
  });

  it("control: without Pulumi.yaml, its defaults are not applied (the old reader's behaviour)", () => {
    fs.renameSync(path.join(cwd, "Pulumi.yaml"), path.join(cwd, "Pulumi.yaml.off"));
    try {
      expect(stackConfigFromFiles(cwd, "ci")("cerby:mode")).to.equal(undefined);
    } finally {
      fs.renameSync(path.join(cwd, "Pulumi.yaml.off"), path.join(cwd, "Pulumi.yaml"));
    }
  });
});
