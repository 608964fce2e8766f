/**
 * The lifecycle through the real Pulumi CLI (built from Go modules when none is installed: scripts/pulumi-engine.sh),
 * with a local file backend, against both emulators: one stack, from preview to destroy. Commands run literally, in a
 * copy of the project (stack files land there, not in the repository). The program and the dynamic-provider plugin
 * may resolve loopback names only (tests/helpers/loopback-only.js). Numbers refer to the scenarios of the real-engine
 * issue; the README's "Tests" section says which scenarios also run through the faster driver (./engine.ts).
 * ./cli-stacks.test.ts runs the other stacks (config errors, the templates, a consumer's own program); ./cli-rig.ts
 * is what both share.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { scan } from "../hardening/scan";
import { freshSecret } from "../helpers/keys";
import { ROOT, filesUnder, useCliRig } from "./cli-rig";

describe("real `pulumi` CLI against the emulators: one stack's lifecycle (local file backend)", function () {
  this.timeout(5 * 60 * 1000);
  const rig = useCliRig();
  const { cerby, okta, cerbyKey, oktaToken, transcript, writes, gtrEndpoint, cli, must, mustFail } = rig;
  const [euKey, usKey] = [freshSecret("cby_"), freshSecret("cby_")];
  const user = "ada@example.com";
  const outputs = async () => JSON.parse((await must(["stack", "output", "--json"])).stdout) as Record<string, unknown>;

  before(async () => {
    cerby.addUser("acme", user, { provisionedBy: "scim" });
    await must(["stack", "init", "e2e"]);
    await must(["config", "set", "cerby:baseUrl", cerby.workspaceUrl("acme")]);
    await must(["config", "set", "cerby:oktaOrgUrl", okta.baseUrl]);
    // As the README says: the secret read from standard input, never on the command line.
    await must(["config", "set", "--secret", "cerby:apiKey"], { stdin: cerbyKey });
    await must(["config", "set", "--secret", "okta:apiToken"], { stdin: oktaToken });
  });

  it("8a. before `up`, a logout fired in Okta does not reach Cerby (the user stays logged in)", async () => {
    cerby.login("acme", user);
    expect(await okta.triggerUniversalLogout(rig.appId, user)).to.include({ sent: true, status: 401 });
    expect(cerby.activeSessions("acme", user)).to.equal(1);
  });

  it("1. `pulumi preview` on a new stack plans both children, Cerby before Okta, and writes nothing", async () => {
    const r = await must(["preview"]);
    const cerbyAt = r.stdout.indexOf("pulumi-nodejs:dynamic/cerby:UniversalLogout");
    const oktaAt = r.stdout.indexOf("pulumi-nodejs:dynamic/okta:UniversalLogout");
    expect(cerbyAt, r.stdout).to.be.greaterThan(-1);
    expect(oktaAt, r.stdout).to.be.greaterThan(cerbyAt);
    expect(r.stdout).to.match(/\+ 4 to create/);
    expect(writes()).to.have.length(0);
    expect(cerby.getSetting("acme").enabled).to.equal(false);
  });

  it("1. `pulumi up` converges both sides", async () => {
    const r = await must(["up", "--yes"]);
    expect(r.stdout).to.match(/\+ 4 created/);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: rig.appId });
    expect(okta.server.writes()).to.have.length(0);
    const out = await outputs();
    expect(out).to.include({ appInstanceId: rig.appId, cerbyEnabled: true, oktaUniversalLogoutStatus: "ENABLED" });
    expect(out.oktaAdminUrl).to.contain(`/instance/${rig.appId}/`);
    // Issue 11's goal, ≤ 20 kB of state per binding, through the CLI's own checkpoint (here the whole file, stack
    // resource and default provider included, for one binding).
    const stateFile = path.join(rig.tmp, "state", ".pulumi", "stacks", "cerby", "e2e.json");
    expect(fs.statSync(stateFile).size, "state file bytes for one binding").to.be.at.most(20_000);
  });

  it("8b. after `up`, a logout fired in Okta logs the user out of Cerby", async () => {
    expect(cerby.activeSessions("acme", user)).to.equal(1);
    expect(await okta.triggerUniversalLogout(rig.appId, user)).to.include({ sent: true, status: 204 });
    expect(cerby.activeSessions("acme", user)).to.equal(0);
  });

  it("2. on a converged stack `preview --expect-no-changes` and `refresh --expect-no-changes` pass, at the floor of calls", async () => {
    await must(["preview", "--expect-no-changes"]);
    // preview: the program finds the app by its label in Okta (one list page; the app it picked is read by its ID only
    // right before Cerby is written, which a preview never does); diff works from state (no Cerby call).
    expect(writes()).to.have.length(0);
    expect(cerby.server.count(), "Cerby calls on preview").to.equal(0);
    expect(okta.server.count({ pathPrefix: "/api/v1/apps" }), "Okta calls on preview").to.equal(1);
    cerby.server.clearLog();
    okta.server.clearLog();
    const refreshed = await must(["refresh", "--expect-no-changes", "--yes", "--skip-preview"]);
    // refresh: one read of each side (the program does not run), and nothing shows as changed.
    expect(refreshed.stdout).not.to.contain("[diff:");
    expect(writes()).to.have.length(0);
    expect(cerby.server.count(), "Cerby calls on refresh").to.equal(1);
    expect(okta.server.count({ pathPrefix: "/api/v1/apps" }), "Okta reads on refresh").to.equal(1);
  });

  it("3a. drift in Cerby fails `preview --refresh --expect-no-changes` naming the field; `up --refresh` repairs it", async () => {
    cerby.setSetting("acme", { enabled: false });
    const r = await mustFail(["preview", "--refresh", "--expect-no-changes", "--diff"]);
    expect(r.stdout + r.stderr).to.match(/enabled\s*:\s*false\s*=>\s*true/);
    expect(writes()).to.have.length(0);
    await must(["up", "--refresh", "--yes", "--skip-preview"]);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: rig.appId });
    await must(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("3b. drift in Okta (box unticked) fails the drift check, named as status; `up --refresh` in verify mode fails with the console steps", async () => {
    okta.setUniversalLogout(rig.appId, "DISABLED");
    // The README's drift check, as typed: the Okta resource's update names what drifted, not what the program read.
    const r = await mustFail(["preview", "--refresh", "--expect-no-changes"]);
    expect(r.stdout).to.match(/dynamic\/okta:UniversalLogout\s+cerby-okta\s+update\s+\[diff: ~status\]/);
    expect(r.stdout).to.match(/cerby-okta\s+refresh\s+\[diff: ~observedApp,status\]/);
    expect(r.stdout).not.to.match(/[+-]observedApp/);
    const up = await mustFail(["up", "--refresh", "--yes", "--skip-preview"]);
    expect(up.stdout + up.stderr).to.contain("Okta system or admin initiates logout");
    expect(up.stdout + up.stderr).to.contain(`/instance/${rig.appId}/`);
    expect(okta.server.writes()).to.have.length(0);
    okta.setUniversalLogout(rig.appId, "ENABLED");
    await must(["up", "--refresh", "--yes", "--skip-preview"]);
    await must(["preview", "--refresh", "--expect-no-changes"]);
  });

  it("4. a replaced Okta app (new App instance ID) updates Cerby in place, never replaces it", async () => {
    okta.removeApp(rig.appId);
    const newId = okta.addApp({ label: "Cerby", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() }).id;
    const r = await must(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).to.match(/dynamic\/cerby:UniversalLogout\s+cerby-cerby\s+updated/);
    expect(r.stdout).not.to.match(/replace/i);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: newId });
    expect((await outputs()).appInstanceId).to.equal(newId);
    rig.appId = newId;
  });

  it("4. setting cerby:appInstanceId in config updates Cerby in place too", async () => {
    const otherId = okta.addApp({ label: "Cerby (new)", universalLogout: "ENABLED", gtrEndpoint: gtrEndpoint() }).id;
    await must(["config", "set", "cerby:appInstanceId", otherId]);
    const r = await must(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).to.match(/cerby-cerby\s+updated/);
    expect(cerby.getSetting("acme").appInstanceId).to.equal(otherId);
    await must(["config", "rm", "cerby:appInstanceId"]);
    await must(["up", "--yes", "--skip-preview"]);
    expect(cerby.getSetting("acme").appInstanceId).to.equal(rig.appId);
  });

  it("7. Cerby failing beyond its retries mid-`up` fails clearly, and the next `up` converges", async () => {
    await must(["destroy", "--yes", "--skip-preview"]);
    cerby.server.inject({ kind: "status", status: 503, times: 1000, method: "PUT" });
    const failed = await mustFail(["up", "--yes", "--skip-preview"]);
    expect(failed.stdout + failed.stderr).to.match(/Cerby: could not enable Okta Universal Logout: PUT .*503/);
    expect(failed.stdout + failed.stderr).not.to.match(/\n\s+at .*\.(ts|js):\d+/); // no stack trace
    const state = (await must(["stack", "export"])).stdout;
    expect(state).not.to.contain("cerby-okta"); // Okta's child never ran: Cerby first
    expect(cerby.getSetting("acme").enabled).to.equal(false);
    cerby.server.clearFaults();
    cerby.server.clearLog();
    await must(["up", "--yes", "--skip-preview"]);
    expect(cerby.server.writes()).to.have.length(1);
    expect(cerby.getSetting("acme")).to.include({ enabled: true, appInstanceId: rig.appId });
    await must(["preview", "--expect-no-changes"]);
  });

  it("6. `destroy` disables Cerby and leaves Okta as it is, with the Okta admin's console note", async () => {
    const r = await must(["destroy", "--yes", "--skip-preview"]);
    expect(r.stdout).to.contain("Okta: Pulumi made no call (Okta has no API to turn Universal Logout off)");
    expect(r.stdout).to.contain("Okta system or admin initiates logout");
    expect(cerby.getSetting("acme")).to.include({ enabled: false, appInstanceId: null });
    expect(okta.server.writes()).to.have.length(0);
    expect(okta.getApp(rig.appId).universalLogout).to.equal("ENABLED");
  });

  it("9. after a program upgrade, `refresh`, `preview` and `destroy` run the upgraded provider code", async () => {
    await must(["up", "--yes", "--skip-preview"]);
    // v2 of the Cerby provider: its delete says so. The state holds only a reference to the provider module.
    const file = path.join(rig.project, "components", "cerby", "provider.ts");
    const v1 = fs.readFileSync(file, "utf8");
    const marker = "provider v2 deleting";
    // The first line of delete's body logs the marker (through the SDK, so the test does not depend on the file's imports).
    const v2 = v1.replace(
      /(async delete\([^)]*\)[^{]*\{\n)/,
      `$1    require("@pulumi/pulumi").log.info("${marker}");\n`,
    );
    expect(v2).not.to.equal(v1);
    fs.writeFileSync(file, v2);
    try {
      await must(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
      // An upgrade alone changes no input a user set: nothing to do.
      await must(["preview", "--expect-no-changes"]);
      // No `up` since the upgrade: destroy still runs v2 (the state references the module; it does not embed it).
      const r = await must(["destroy", "--yes", "--skip-preview"]);
      expect(r.stdout).to.contain(marker);
      expect(cerby.getSetting("acme").enabled).to.equal(false);
    } finally {
      fs.writeFileSync(file, v1);
    }
  });

  it("many workspaces in one stack, each with its own API key: a binding's secret config key reaches the provider", async () => {
    cerby.addWorkspace("acme-eu");
    cerby.addApiKey("acme-eu", euKey, { role: "admin" });
    cerby.addWorkspace("acme-us");
    cerby.addApiKey("acme-us", usKey, { role: "admin" });
    okta.addApp({ label: "Cerby EU", universalLogout: "ENABLED" });
    okta.addApp({ label: "Cerby US", universalLogout: "ENABLED" });
    const stack = ["--stack", "keys"];
    await must(["stack", "init", "keys"]);
    try {
      const bindings = [
        { name: "eu", baseUrl: cerby.workspaceUrl("acme-eu"), appLabel: "Cerby EU", apiKeyConfig: "cerby:apiKeyEu" },
        { name: "us", baseUrl: cerby.workspaceUrl("acme-us"), appLabel: "Cerby US" },
      ];
      await must(["config", "set", ...stack, "cerby:bindings", JSON.stringify(bindings)]);
      await must(["config", "set", ...stack, "cerby:oktaOrgUrl", okta.baseUrl]);
      await must(["config", "set", ...stack, "--secret", "cerby:apiKeyEu"], { stdin: euKey });
      await must(["config", "set", ...stack, "--secret", "cerby:apiKey"], { stdin: usKey });
      await must(["config", "set", ...stack, "--secret", "okta:apiToken"], { stdin: oktaToken });
      await must(["up", "--yes", "--skip-preview", ...stack]);
      // Each workspace accepts only its own key: both enabled means each binding sent its own.
      expect(cerby.getSetting("acme-eu")).to.include({ enabled: true });
      expect(cerby.getSetting("acme-us")).to.include({ enabled: true });
      const exported = (await must(["stack", "export", ...stack])).stdout;
      expect(exported).to.contain("cerby:apiKeyEu");
      for (const key of [euKey, usKey]) expect(exported).not.to.contain(key);
      await must(["destroy", "--yes", "--skip-preview", ...stack]);
      expect(cerby.getSetting("acme-eu").enabled).to.equal(false);
    } finally {
      await cli(["stack", "rm", "--yes", "--force", ...stack]);
      await cli(["stack", "select", "e2e"]);
    }
  });

  it("5. secrets: stack config holds ciphertext; state, exports, CLI output and logs hold no credential", async () => {
    await must(["up", "--yes", "--skip-preview"]);
    const stackFile = fs.readFileSync(path.join(rig.project, "Pulumi.e2e.yaml"), "utf8");
    expect(stackFile).to.match(/cerby:apiKey:\s*\n\s*secure:/);
    expect(stackFile).to.match(/okta:apiToken:\s*\n\s*secure:/);
    const exported = (await must(["stack", "export"])).stdout;
    expect(exported).to.contain("__provider"); // the serialized providers are there, and were scanned
    // What state holds of the credentials, as the README says: Pulumi records the whole stack config as the inputs of
    // the default dynamic-provider resource (for any program with dynamic providers), secrets as ciphertext only.
    const resources = JSON.parse(exported).deployment.resources as Array<{
      type: string;
      inputs: Record<string, unknown>;
    }>;
    const defaultProvider = resources.find((x) => x.type === "pulumi:providers:pulumi-nodejs");
    for (const key of ["cerby:apiKey", "okta:apiToken"]) {
      const recorded = defaultProvider?.inputs[key];
      expect(recorded, key).to.have.property("4dabf18193072939515e22adb298388d"); // Pulumi's secret signature
      expect(recorded, key).to.have.property("ciphertext");
      expect(recorded, key).not.to.have.property("plaintext");
    }
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const inState = readme.slice(readme.indexOf("- **What state holds**"), readme.indexOf("## GitOps"));
    for (const said of ["pulumi:providers:pulumi-nodejs", "ciphertext", "`cerby:apiKey`", "`okta:apiToken`"]) {
      expect(inState, said).to.contain(said);
    }
    const artifacts = [
      { source: "Pulumi.e2e.yaml", text: stackFile },
      { source: "pulumi stack export", text: exported },
      ...filesUnder(path.join(rig.tmp, "state")),
      ...filesUnder(path.join(rig.tmp, "pulumi-home")),
      ...transcript,
      { source: "Cerby emulator log", text: JSON.stringify(cerby.server.requests) },
      { source: "Okta emulator log", text: JSON.stringify(okta.server.requests) },
    ];
    const secrets = [
      { name: "cerby:apiKey", value: cerbyKey },
      { name: "okta:apiToken", value: oktaToken },
      { name: "cerby:apiKeyEu (keys stack)", value: euKey },
      { name: "cerby:apiKey (keys stack)", value: usKey },
    ];
    expect(scan(artifacts, secrets)).to.deep.equal([]);
    // Negative control: the scan does find a planted credential in the same artifacts.
    const planted = [...artifacts, { source: "planted", text: Buffer.from(cerbyKey).toString("base64") }];
    expect([...new Set(scan(planted, secrets).map((h) => h.source))]).to.deep.equal(["planted"]);
  });
});
