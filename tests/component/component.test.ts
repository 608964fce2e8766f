import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { Registered, installMocks, settle, valueOf } from "../helpers/serialize";
import { OktaEmulator } from "../emulators/okta";
import { freshSecret } from "../helpers/keys";

/** The component under Pulumi's mocks: what it registers, in which order, with which inputs. */
describe("CerbyOktaUniversalLogout component", () => {
  const registered: Registered[] = [];
  const appId = "0oa6a9uwbalsZ4enC0x7";
  let mod: typeof import("../../components/universal-logout");
  const okta = new OktaEmulator();
  const token = freshSecret("00");
  let oktaArgs: { orgUrl: string };
  const oktaCredentials = () => ({ kind: "ssws" as const, apiToken: token });

  after(() => okta.stop());
  before(async () => {
    oktaArgs = { orgUrl: await okta.start() };
    okta.addApiToken(token);
    for (const id of [appId, "0oa6a9uwbalsZ4enC0x8", "0oaFromOktaResource1"])
      okta.addApp({ id, universalLogout: "ENABLED" });
    installMocks(registered, (r) => ({
      ...r.inputs,
      ...(r.type.endsWith("cerby:UniversalLogout")
        ? { enabled: true, url: r.inputs.baseUrl ?? "https://acme.cerby.com", warnings: [] }
        : {}),
      ...(r.type.endsWith("okta:UniversalLogout")
        ? {
            status: "ENABLED",
            appLabel: "Cerby",
            adminUrl: `https://acme-admin.okta.com/admin/app/cerby/instance/${r.inputs.appInstanceId}/`,
            warnings: [],
          }
        : {}),
    }));
    mod = await import("../../components/universal-logout");
  });
  beforeEach(() => (registered.length = 0));

  it("registers Cerby first, then Okta, both under the component, with the given App instance ID", async () => {
    const c = new mod.CerbyOktaUniversalLogout("acme", {
      cerby: { workspace: "acme" },
      okta: oktaArgs,
      oktaCredentials,
      appInstanceId: appId,
    });
    expect(await valueOf(c.summary)).to.contain(appId);
    await settle();
    const types = registered.map((r) => `${r.type}:${r.name}`);
    expect(types).to.deep.equal([
      "cerby:okta:UniversalLogout:acme",
      "pulumi-nodejs:dynamic/cerby:UniversalLogout:acme-cerby",
      "pulumi-nodejs:dynamic/okta:UniversalLogout:acme-okta",
    ]);
    expect(registered[1].inputs.appInstanceId).to.equal(appId);
    expect(registered[2].inputs.appInstanceId).to.equal(appId);
    expect(await valueOf(c.cerbyEnabled)).to.equal(true);
    expect(await valueOf(c.oktaUniversalLogoutStatus)).to.equal("ENABLED");
    expect(await valueOf(c.oktaAdminUrl)).to.contain(`/instance/${appId}/`);
  });

  it("takes the App instance ID from an @pulumi/okta app resource's id", async () => {
    const app = { id: pulumi.output("0oaFromOktaResource1") };
    const c = new mod.CerbyOktaUniversalLogout("res", {
      cerby: { workspace: "acme" },
      okta: oktaArgs,
      oktaCredentials,
      app,
    });
    expect(await valueOf(c.appInstanceId)).to.equal("0oaFromOktaResource1");
  });

  it("refuses two ways of naming the app at once", () => {
    expect(
      () =>
        new mod.CerbyOktaUniversalLogout("two", {
          cerby: { workspace: "acme" },
          okta: oktaArgs,
          oktaCredentials,
          appInstanceId: appId,
          appLabel: "Cerby",
        }),
    ).to.throw(/only one of appInstanceId, app and appLabel/);
  });

  it("lets several bindings live in one stack without name clashes", async () => {
    new mod.CerbyOktaUniversalLogout("eu", {
      cerby: { workspace: "acme-eu" },
      okta: oktaArgs,
      oktaCredentials,
      appInstanceId: appId,
    });
    new mod.CerbyOktaUniversalLogout("us", {
      cerby: { workspace: "acme-us" },
      okta: oktaArgs,
      oktaCredentials,
      appInstanceId: "0oa6a9uwbalsZ4enC0x8",
    });
    await settle();
    const names = registered.map((r) => r.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(names).to.include.members(["eu-cerby", "eu-okta", "us-cerby", "us-okta"]);
  });

  it("passes retainOnDelete to the Cerby child only (Okta has nothing to delete)", async () => {
    const seen: Record<string, boolean | undefined> = {};
    new mod.CerbyOktaUniversalLogout(
      "keep",
      {
        cerby: { workspace: "acme" },
        okta: oktaArgs,
        oktaCredentials,
        appInstanceId: appId,
        retainOnDelete: true,
      },
      { transformations: [(a) => ((seen[a.name] = a.opts.retainOnDelete), undefined)] },
    );
    await settle();
    expect(seen["keep-cerby"]).to.equal(true);
    expect(seen["keep-okta"]).to.not.equal(true);
  });

  it("confirms a given App instance ID in Okta before anything is declared, naming the problem", async () => {
    const c = new mod.CerbyOktaUniversalLogout("gone", {
      cerby: { workspace: "acme" },
      okta: oktaArgs,
      oktaCredentials,
      appInstanceId: "0oa0000000000000none",
    });
    const err = await (c.appInstanceId as unknown as { promise(): Promise<string> }).promise().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/Okta: .*E0000007/);
    await settle();
    expect(registered.map((r) => r.name)).to.deep.equal(["gone"]);
  });

  it("summarizes both sides in one line", () => {
    const s = mod.summarize({
      cerbyUrl: "https://acme.cerby.com",
      cerbyEnabled: true,
      cerbyMode: "api",
      appInstanceId: appId,
      oktaLabel: "Cerby",
      oktaStatus: "DISABLED",
    });
    expect(s).to.equal(
      `Cerby https://acme.cerby.com: Okta Universal Logout enabled for App instance ID ${appId}; Okta app "Cerby": Universal Logout DISABLED`,
    );
  });
});
