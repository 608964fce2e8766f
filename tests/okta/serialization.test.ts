import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { OktaEmulator } from "../emulators/okta";
import { freshAppId, freshSecret } from "../helpers/keys";
import { Registered, configOf, installMocks, loadSerializedProvider, settle } from "../helpers/serialize";
import { TestKeyPair, freshKeyPair } from "./keys";

describe("Okta provider serialization", () => {
  const emu = new OktaEmulator();
  const token = freshSecret("00");
  const registered: Registered[] = [];
  let keys: TestKeyPair;
  let appId: string;
  let text: string;

  before(async () => {
    keys = await freshKeyPair("RS256");
    await emu.start();
    emu.addApiToken(token);
    appId = emu.addApp({ universalLogout: "ENABLED" }).id;
    // Credentials present in the program's process, as on a workstation: none may reach the serialized provider.
    process.env.OKTA_API_TOKEN = token;
    process.env.OKTA_API_PRIVATE_KEY = keys.jwkText;
    installMocks(registered);
    const { OktaUniversalLogout, oktaUniversalLogoutProvider } = await import("../../components/okta/provider");
    // Other test files configure this same object in-process; a real program never calls configure (the plugin does).
    await oktaUniversalLogoutProvider.configure(configOf({}));
    new OktaUniversalLogout("cerby-okta", { orgUrl: emu.baseUrl, appInstanceId: appId });
    await settle();
    text = registered.find((r) => r.type === "pulumi-nodejs:dynamic/okta:UniversalLogout")!.inputs.__provider as string;
  });
  after(async () => {
    delete process.env.OKTA_API_TOKEN;
    delete process.env.OKTA_API_PRIVATE_KEY;
    await emu.stop();
  });

  it("registers a dynamic resource with a readable type token", () => {
    expect(registered.map((r) => r.type)).to.include("pulumi-nodejs:dynamic/okta:UniversalLogout");
  });

  it("serializes a reference to the provider's module, not its code (small state)", () => {
    // Issue 21: a few hundred bytes (the loader's require and the recorded path), stored 4 times per binding.
    expect(text.length).to.be.below(600);
    expect(text).to.contain('"cerby-okta-universal-logout/provider-loader"').and.to.contain('l.provider("okta")');
    // None of the implementation is in state: it is loaded from the installed code when the provider runs.
    expect(text).not.to.contain("Express Configuration");
  });

  it("serializes a provider that holds no token and no private key (PEM or JWK d)", () => {
    expect(text).to.be.a("string").and.to.contain("exports.handler");
    for (const secret of [token, keys.pem, keys.pem.split("\n")[1], keys.d]) {
      expect(text).not.to.contain(secret);
      expect(JSON.stringify(registered)).not.to.contain(secret);
    }
  });

  it("loads the way Pulumi's plugin loads it and creates against the emulator with a token from configure", async () => {
    delete process.env.OKTA_API_TOKEN; // the plugin gets credentials from stack config only
    delete process.env.OKTA_API_PRIVATE_KEY;
    const fresh = freshSecret("00");
    emu.addApiToken(fresh);
    const loaded = loadSerializedProvider(text);
    await loaded.configure!(configOf({ "okta:apiToken": fresh }) as unknown as pulumi.dynamic.ConfigureRequest);
    const checked = await loaded.check!({}, { orgUrl: emu.baseUrl, appInstanceId: appId });
    expect(checked.failures).to.deep.equal([]);
    const created = await loaded.create(checked.inputs);
    expect(created.outs).to.include({ status: "ENABLED", appLabel: "Cerby", provisioning: "ENABLED" });
    expect(JSON.stringify(created.outs)).not.to.contain(fresh);
    const read = await loaded.read!(created.id, created.outs);
    expect(read.props).to.include({ status: "ENABLED" });

    // Error subclasses keep their message after serialization (the serializer turns super(msg) into Error.call).
    await loaded.configure!(
      configOf({ "okta:apiToken": "SSWS " + fresh }) as unknown as pulumi.dynamic.ConfigureRequest,
    );
    const bad = await loaded.check!({}, { orgUrl: emu.baseUrl, appInstanceId: appId });
    expect(bad.failures?.[0]?.property).to.equal("credentials");
    expect(bad.failures?.[0]?.reason).to.match(/^okta:apiToken starts with an authorization scheme/);
    expect(bad.failures?.[0]?.reason).not.to.contain(fresh);
    const missing = await loaded
      .create({ ...checked.inputs, mode: "verify", appInstanceId: "0oa0000000000000none" })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(missing?.message).to.match(/^okta:apiToken starts with an authorization scheme/);
  });

  it("the loaded provider signs service-app assertions too (jose and node:crypto survive serialization)", async () => {
    const clientId = freshAppId();
    emu.addServiceApp({ clientId, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"] });
    const loaded = loadSerializedProvider(text);
    await loaded.configure!(
      configOf({
        "okta:clientId": clientId,
        "okta:privateKey": keys.jwkText,
      }) as unknown as pulumi.dynamic.ConfigureRequest,
    );
    const created = await loaded.create({ orgUrl: emu.baseUrl, appInstanceId: appId, mode: "verify" });
    expect(created.outs.status).to.equal("ENABLED");
  });
});
