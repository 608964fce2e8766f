/**
 * The embedded default — the `dev` sandbox stack (Pulumi.dev.yaml) against the bundled emulators — run end to end
 * through the dynamic-provider plugin, as `npm run sandbox` runs it through the CLI. Only the emulators' addresses are
 * replaced (random ports here); every other setting comes from Pulumi.dev.yaml.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { load } from "js-yaml";
import { main } from "../../components/program";
import { SANDBOX, Sandbox, startSandbox } from "../emulators/sandbox";
import { Engine } from "./engine";

describe("the sandbox stack (Pulumi.dev.yaml) end to end", function () {
  this.timeout(60000);
  let s: Sandbox;
  let engine: Engine;
  let dir: string;

  before(async () => {
    s = await startSandbox({ cerby: 0, okta: 0 });
    const dev = load(fs.readFileSync(path.resolve(__dirname, "../../Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, string>;
    };
    expect(dev.config["cerby:baseUrl"]).to.equal(`http://127.0.0.1:${SANDBOX.cerbyPort}/ws/${SANDBOX.workspace}`);
    expect(dev.config["cerby:oktaOrgUrl"]).to.equal(`http://127.0.0.1:${SANDBOX.oktaPort}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-sandbox-"));
    engine = new Engine({
      statePath: path.join(dir, "state.json"),
      config: {
        ...dev.config,
        "cerby:baseUrl": s.cerby.workspaceUrl(SANDBOX.workspace),
        "cerby:oktaOrgUrl": s.okta.baseUrl,
        // What `npm run sandbox` passes as CERBY_API_KEY / OKTA_API_TOKEN.
        "cerby:apiKey": SANDBOX.cerbyApiKey,
        "okta:apiToken": SANDBOX.oktaApiToken,
      },
      secretKeys: ["cerby:apiKey", "okta:apiToken"],
    });
    await engine.start();
  });
  after(async () => {
    await engine.stop();
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("`up` enables Cerby, turns Universal Logout on in Okta (enforce), and a logout in Okta reaches Cerby", async () => {
    expect(s.okta.getApp(SANDBOX.appId).universalLogout).to.equal("DISABLED");
    const r = await engine.up(() => main());
    expect(r.errors, r.errors.join("\n")).to.deep.equal([]);
    expect(r.outputs).to.include({
      appInstanceId: SANDBOX.appId,
      cerbyEnabled: true,
      oktaUniversalLogoutStatus: "ENABLED",
    });
    expect(s.cerby.getSetting(SANDBOX.workspace)).to.include({ enabled: true, appInstanceId: SANDBOX.appId });
    s.cerby.login(SANDBOX.workspace, SANDBOX.user);
    expect(await s.okta.triggerUniversalLogout(SANDBOX.appId, SANDBOX.user)).to.include({ sent: true, status: 204 });
    expect(s.cerby.activeSessions(SANDBOX.workspace, SANDBOX.user)).to.equal(0);
  });
});
