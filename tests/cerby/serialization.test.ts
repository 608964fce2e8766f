import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { CerbyEmulator } from "../emulators/cerby";
import { freshAppId, freshSecret } from "../helpers/keys";
import { Registered, configOf, installMocks, loadSerializedProvider, settle } from "../helpers/serialize";

describe("Cerby provider serialization", () => {
  const emu = new CerbyEmulator();
  const key = freshSecret("cby_");
  const appId = freshAppId();
  const registered: Registered[] = [];

  before(async () => {
    await emu.start();
    emu.addWorkspace("acme");
    emu.addApiKey("acme", key, { role: "owner" });
    process.env.CERBY_API_KEY = key; // present in the program's process, as on a workstation
    installMocks(registered);
    const { CerbyUniversalLogout } = await import("../../components/cerby/provider");
    new CerbyUniversalLogout("acme", { baseUrl: emu.workspaceUrl("acme"), appInstanceId: appId });
    await settle();
  });
  after(async () => {
    delete process.env.CERBY_API_KEY;
    await emu.stop();
  });

  it("registers a dynamic resource with a readable type token", () => {
    expect(registered.map((r) => r.type)).to.include("pulumi-nodejs:dynamic/cerby:UniversalLogout");
  });

  it("serializes a provider that holds no API key", () => {
    const text = registered[0].inputs.__provider as string;
    expect(text).to.be.a("string").and.to.contain("exports.handler");
    expect(text).not.to.contain(key);
    expect(text).not.to.contain(Buffer.from(key).toString("base64"));
    expect(JSON.stringify(registered)).not.to.contain(key);
  });

  it("loads the way Pulumi's plugin loads it and creates against the emulator with the key from configure", async () => {
    const saved = process.env.CERBY_API_KEY;
    delete process.env.CERBY_API_KEY; // the plugin gets the key from stack config only
    try {
      const loaded = loadSerializedProvider(registered[0].inputs.__provider as string);
      await loaded.configure!(configOf({ "cerby:apiKey": key }) as unknown as pulumi.dynamic.ConfigureRequest);
      const inputs = { baseUrl: emu.workspaceUrl("acme"), appInstanceId: appId };
      const checked = await loaded.check!({}, inputs);
      expect(checked.failures).to.deep.equal([]);
      const created = await loaded.create(checked.inputs);
      expect(created.outs).to.include({ enabled: true, appInstanceId: appId });
      expect(emu.getSetting("acme")).to.include({ enabled: true, appInstanceId: appId });
      expect(JSON.stringify(created.outs)).not.to.contain(key);

      // Errors keep their advice after serialization (Error subclasses lose `message` unless set explicitly).
      await loaded.configure!(
        configOf({ "cerby:apiKey": freshSecret("cby_") }) as unknown as pulumi.dynamic.ConfigureRequest,
      );
      const err = await loaded.read!(created.id, created.outs).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(/^Cerby: could not read the Universal Logout setting: GET .* HTTP 401/);
      expect(err?.stack).to.equal(err?.message);
    } finally {
      process.env.CERBY_API_KEY = saved;
    }
  });
});
