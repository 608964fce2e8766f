import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runVerify } from "../../scripts/verify";
import { SANDBOX, Sandbox, startSandbox } from "../emulators/sandbox";

describe("npm run verify (standalone check, no Pulumi)", () => {
  let s: Sandbox;
  let cwd: string;
  const env = () => ({ CERBY_API_KEY: SANDBOX.cerbyApiKey, OKTA_API_TOKEN: SANDBOX.oktaApiToken });

  before(async () => {
    s = await startSandbox({ cerby: 0, okta: 0 });
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-verify-"));
    fs.writeFileSync(
      path.join(cwd, "Pulumi.ci.yaml"),
      `config:\n  cerby:baseUrl: ${s.cerby.workspaceUrl(SANDBOX.workspace)}\n  cerby:oktaOrgUrl: ${s.okta.baseUrl}\n`,
    );
  });
  after(async () => {
    await s.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it("exits non-zero and shows which side is off when nothing is enabled", async () => {
    const r = await runVerify(["--stack", "ci"], env(), cwd);
    expect(r.code).to.equal(1);
    expect(r.text).to.match(/cerby\s+0oa5andb0xCerby00001\s+no\s+no \(none\)\s+DISABLED\s+ENABLED\s+NO/);
  });

  it("exits 0 when both sides are converged, and makes no write", async () => {
    s.cerby.setSetting(SANDBOX.workspace, { enabled: true, appInstanceId: SANDBOX.appId });
    s.okta.setUniversalLogout(SANDBOX.appId, "ENABLED");
    s.cerby.server.clearLog();
    s.okta.server.clearLog();
    const r = await runVerify(["--stack", "ci"], env(), cwd);
    expect(r.text).to.match(/cerby\s+0oa5andb0xCerby00001\s+yes\s+yes\s+ENABLED\s+ENABLED\s+yes/);
    expect(r.code).to.equal(0);
    expect([...s.cerby.server.writes(), ...s.okta.server.writes()]).to.have.length(0);
  });

  it("reports a missing credential clearly, naming the variable", async () => {
    const r = await runVerify(["--stack", "ci"], { OKTA_API_TOKEN: SANDBOX.oktaApiToken }, cwd);
    expect(r.code).to.equal(1);
    expect(r.text).to.contain("CERBY_API_KEY");
  });
});
