/**
 * Many workspaces from one stack, each with its own API key: a binding names the stack config key (apiKeyConfig) or
 * the environment variable (apiKeyEnv) that holds its workspace's key. The key is read at run time; only its name is
 * an input, and neither the names' check messages nor the state ever hold a key.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cerbyUniversalLogoutProvider as provider } from "../../components/cerby/provider";
import { checkCerbyInputs } from "../../components/cerby/inputs";
import { loadProgramConfig } from "../../components/config";
import { main } from "../../components/program";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { configOf } from "../helpers/serialize";
import { freshAppId, freshSecret } from "../helpers/keys";
import { stopRig } from "../helpers/rigs";
import { Engine } from "../e2e/engine";

describe("a Cerby API key per workspace (apiKeyConfig / apiKeyEnv)", function () {
  this.timeout(60000);
  const emu = new CerbyEmulator();
  const [euKey, usKey] = [freshSecret("cby_"), freshSecret("cby_")];
  const appId = freshAppId();

  before(async () => {
    await emu.start();
    emu.addWorkspace("acme-eu");
    emu.addWorkspace("acme-us");
    emu.addApiKey("acme-eu", euKey, { role: "admin" });
    emu.addApiKey("acme-us", usKey, { role: "admin" });
    process.env.CERBY_HTTP_BASE_DELAY_MS = "5";
  });
  after(async () => {
    delete process.env.CERBY_HTTP_BASE_DELAY_MS;
    delete process.env.CERBY_API_KEY_EU;
    await emu.stop();
    await provider.configure(configOf({}));
  });
  beforeEach(() => {
    for (const ws of ["acme-eu", "acme-us"]) emu.setSetting(ws, { enabled: false });
    delete process.env.CERBY_API_KEY_EU;
  });

  const inputsFor = (ws: string, extra: Record<string, unknown> = {}) =>
    checkCerbyInputs({ baseUrl: emu.workspaceUrl(ws), appInstanceId: appId, ...extra });

  it("each workspace is written with the key its binding names in stack config; cerby:apiKey stays the default", async () => {
    await provider.configure(configOf({ "cerby:apiKey": usKey, "cerby:apiKeyEu": euKey }));
    const eu = inputsFor("acme-eu", { apiKeyConfig: "cerby:apiKeyEu" });
    const us = inputsFor("acme-us");
    expect([...eu.failures, ...us.failures]).to.deep.equal([]);
    expect((await provider.check({}, eu.inputs as never)).failures).to.deep.equal([]);
    await provider.create(eu.inputs);
    await provider.create(us.inputs);
    expect(emu.getSetting("acme-eu")).to.include({ enabled: true, appInstanceId: appId });
    expect(emu.getSetting("acme-us")).to.include({ enabled: true, appInstanceId: appId });
  });

  it("control: with one key for both (no apiKeyConfig), the other workspace refuses it", async () => {
    await provider.configure(configOf({ "cerby:apiKey": usKey, "cerby:apiKeyEu": euKey }));
    const err = await provider.create(inputsFor("acme-eu").inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/401/);
    expect(emu.getSetting("acme-eu").enabled).to.equal(false);
  });

  it("a refused key's advice names the binding's own config key and variable", async () => {
    await provider.configure(configOf({ "cerby:apiKeyEu": usKey }));
    const named = inputsFor("acme-eu", { apiKeyConfig: "cerby:apiKeyEu", apiKeyEnv: "CERBY_API_KEY_EU" }).inputs;
    const err = await provider.create(named).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/401/);
    expect(err?.message).to.contain("pulumi config set --secret cerby:apiKeyEu <key>` (or set CERBY_API_KEY_EU)");
    expect(err?.message).not.to.contain(usKey);
  });

  it("apiKeyEnv names the variable that holds the workspace's key", async () => {
    await provider.configure(configOf({ "cerby:apiKey": usKey }));
    process.env.CERBY_API_KEY_EU = euKey;
    await provider.create(inputsFor("acme-eu", { apiKeyEnv: "CERBY_API_KEY_EU" }).inputs);
    expect(emu.getSetting("acme-eu").enabled).to.equal(true);
  });

  it("check names the missing key and the variable, before any request", async () => {
    await provider.configure(configOf({ "cerby:apiKey": usKey }));
    emu.server.clearLog();
    const { inputs } = inputsFor("acme-eu", { apiKeyConfig: "cerby:apiKeyEu", apiKeyEnv: "CERBY_API_KEY_EU" });
    const r = await provider.check({}, inputs as never);
    expect(r.failures).to.have.length(1);
    expect(r.failures![0].property).to.equal("apiKeyConfig");
    expect(r.failures![0].reason)
      .to.contain("pulumi config set --secret cerby:apiKeyEu")
      .and.to.contain("CERBY_API_KEY_EU");
    expect(emu.server.requests).to.have.length(0);
  });

  it("a key pasted where its name belongs is refused by check and by the stack config, and never echoed", async () => {
    const r = await provider.check({}, inputsFor("acme-eu", { apiKeyConfig: euKey, apiKeyEnv: euKey }).inputs as never);
    const failed = checkCerbyInputs({
      baseUrl: emu.workspaceUrl("acme-eu"),
      appInstanceId: appId,
      apiKeyConfig: euKey,
    });
    expect(failed.failures.map((f) => f.property)).to.deep.equal(["apiKeyConfig"]);
    expect(failed.inputs).not.to.have.property("apiKeyConfig");
    expect(JSON.stringify([r, failed])).not.to.contain(euKey);
    const cfg = { "cerby:bindings": JSON.stringify([{ workspace: "acme-eu", apiKeyConfig: euKey, apiKeyEnv: euKey }]) };
    let message = "";
    try {
      loadProgramConfig((k) => ({ ...cfg, "cerby:oktaOrgUrl": "https://acme.okta.com" })[k]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.contain("cerby:bindings[0].apiKeyConfig: is not the name of a stack config key");
    expect(message).to.contain("cerby:bindings[0].apiKeyEnv: is not the name of an environment variable");
    expect(message).not.to.contain(euKey);
  });

  it("a new key name is an update in place (no replace)", async () => {
    const olds = { ...inputsFor("acme-eu").inputs, url: emu.workspaceUrl("acme-eu"), warnings: [] };
    const d = await provider.diff("id", olds, inputsFor("acme-eu", { apiKeyConfig: "cerby:apiKeyEu" }).inputs);
    expect(d).to.include({ changes: true });
    expect(d.replaces).to.deep.equal([]);
  });
});

describe("a stack with two workspaces and two keys, through the driver", function () {
  this.timeout(120000);
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator();
  const [euKey, usKey, oktaToken] = [freshSecret("cby_"), freshSecret("cby_"), freshSecret("00")];
  let dir: string;
  let engine: Engine;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-keys-"));
    await cerby.start();
    const oktaUrl = await okta.start();
    okta.addApiToken(oktaToken);
    okta.addApp({ label: "Cerby EU", universalLogout: "ENABLED", provisioning: "ENABLED" });
    okta.addApp({ label: "Cerby US", universalLogout: "ENABLED", provisioning: "ENABLED" });
    for (const [ws, key] of [
      ["acme-eu", euKey],
      ["acme-us", usKey],
    ]) {
      cerby.addWorkspace(ws);
      cerby.addApiKey(ws, key, { role: "admin" });
    }
    const config = {
      "cerby:oktaOrgUrl": oktaUrl,
      "cerby:bindings": JSON.stringify([
        { name: "eu", baseUrl: cerby.workspaceUrl("acme-eu"), appLabel: "Cerby EU", apiKeyConfig: "cerby:apiKeyEu" },
        { name: "us", baseUrl: cerby.workspaceUrl("acme-us"), appLabel: "Cerby US" },
      ]),
      "cerby:apiKey": usKey,
      "cerby:apiKeyEu": euKey,
      "okta:apiToken": oktaToken,
    };
    engine = new Engine({
      statePath: path.join(dir, "state.json"),
      config,
      secretKeys: ["cerby:apiKey", "cerby:apiKeyEu", "okta:apiToken"],
    });
    await engine.start();
  });
  after(() => stopRig([engine, cerby, okta], dir));

  it("`up` enables both workspaces, each with its own key; the state names the key, never holds it", async () => {
    const r = await engine.up(() => main());
    expect(r.errors, r.errors.join("\n")).to.deep.equal([]);
    expect(cerby.getSetting("acme-eu").enabled).to.equal(true);
    expect(cerby.getSetting("acme-us").enabled).to.equal(true);
    const state = fs.readFileSync(path.join(dir, "state.json"), "utf8");
    expect(state).to.contain("cerby:apiKeyEu");
    for (const secret of [euKey, usKey, Buffer.from(euKey).toString("base64")]) expect(state).not.to.contain(secret);
  });
});
