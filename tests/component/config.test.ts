import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { loadProgramConfig } from "../../components/config";

const cfg = (values: Record<string, string>) => (k: string) => values[k];

describe("stack config", () => {
  it("reads one binding from the flat keys with the documented defaults", () => {
    const c = loadProgramConfig(cfg({ "cerby:workspace": "acme", "okta:orgName": "acme" }));
    expect(c.oktaOrgUrl).to.equal("https://acme.okta.com");
    expect(c.bindings).to.have.length(1);
    expect(c.bindings[0]).to.include({
      name: "cerby",
      workspace: "acme",
      cerbyMode: "api",
      oktaMode: "verify",
      appLabel: "Cerby",
    });
  });

  it("lists every bad key in one error, each with its problem and fix", () => {
    let msg = "";
    try {
      loadProgramConfig(
        cfg({
          "cerby:workspace": "Evil.com#",
          "cerby:appInstanceId": "0oa123",
          "cerby:oktaMode": "sometimes",
          "cerby:requireProvisioning": "yes",
          "okta:orgName": "acme-admin",
        }),
      );
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.contain("5 problem(s)");
    expect(msg).to.contain("okta:orgName:");
    expect(msg).to.contain("cerby:workspace:");
    expect(msg).to.contain("cerby:appInstanceId:");
    expect(msg).to.contain("cerby:oktaMode:");
    expect(msg).to.contain("cerby:requireProvisioning:");
    expect(msg).not.to.match(/\n\s+at /); // no stack trace
  });

  it("checks the deadlines and Okta's request settings, naming each key", () => {
    const bad = {
      "cerby:operationTimeoutSeconds": "0",
      "cerby:oktaOperationTimeoutSeconds": "a minute",
      "cerby:oktaHttpTimeoutMs": "-5",
      "cerby:oktaHttpRetries": "11",
    };
    const good = { "cerby:workspace": "acme", "okta:orgName": "acme" };
    expect(() => loadProgramConfig(cfg({ ...good, ...bad }))).to.throw(
      /4 problem\(s\)[\s\S]*cerby:operationTimeoutSeconds: "0" is not a whole number of seconds from 1 to 3600 \(default 60\)[\s\S]*cerby:oktaHttpTimeoutMs:[\s\S]*cerby:oktaHttpRetries:[\s\S]*cerby:oktaOperationTimeoutSeconds: "a minute"/,
    );
    // Control: the same keys in range are accepted.
    const fine = { "cerby:operationTimeoutSeconds": "90", "cerby:oktaOperationTimeoutSeconds": "30" };
    expect(loadProgramConfig(cfg({ ...good, ...fine, "cerby:oktaHttpRetries": "0" })).bindings).to.have.length(1);
  });

  it("reads several bindings from cerby:bindings, with flat keys as defaults", () => {
    const c = loadProgramConfig(
      cfg({
        "cerby:oktaOrgUrl": "http://127.0.0.1:9999",
        "cerby:oktaMode": "warn",
        "cerby:bindings": JSON.stringify([
          { name: "eu", workspace: "acme-eu", appLabel: "Cerby EU" },
          { name: "us", workspace: "acme-us", appInstanceId: "0oa6a9uwbalsZ4enC0x7", oktaMode: "verify" },
        ]),
      }),
    );
    expect(c.bindings.map((b) => [b.name, b.oktaMode, b.appLabel ?? b.appInstanceId])).to.deep.equal([
      ["eu", "warn", "Cerby EU"],
      ["us", "verify", "0oa6a9uwbalsZ4enC0x7"],
    ]);
  });

  it("rejects duplicate binding names and unknown keys inside bindings", () => {
    expect(() =>
      loadProgramConfig(
        cfg({
          "okta:orgName": "acme",
          "cerby:bindings": JSON.stringify([
            { name: "a", workspace: "x" },
            { name: "a", workspace: "y", colour: "red" },
          ]),
        }),
      ),
    ).to.throw(/cerby:bindings\[1\]\.colour: is not a known setting/);
    expect(() =>
      loadProgramConfig(
        cfg({
          "okta:orgName": "acme",
          "cerby:bindings": JSON.stringify([
            { name: "a", workspace: "x" },
            { name: "a", workspace: "y" },
          ]),
        }),
      ),
    ).to.throw(/"a" is used twice/);
  });

  it("rejects a cerby:bindings value that is not a JSON array", () => {
    expect(() => loadProgramConfig(cfg({ "okta:orgName": "acme", "cerby:bindings": "{nope" }))).to.throw(
      /cerby:bindings: is not a JSON array/,
    );
  });

  it("requires the Okta org and a Cerby workspace, naming the keys", () => {
    expect(() => loadProgramConfig(cfg({}))).to.throw(/okta:orgName: is not set[\s\S]*cerby:workspace: is required/);
  });

  describe("Pulumi.yaml", () => {
    const project = load(fs.readFileSync(path.resolve(__dirname, "../../Pulumi.yaml"), "utf8")) as {
      name: string;
      config: Record<string, { type: string; default?: unknown; secret?: boolean }>;
    };
    /** What `pulumi up` hands the program: the declared defaults, as strings, under the project's namespace. */
    const withDefaults = (values: Record<string, string>) => {
      const all: Record<string, string> = {};
      for (const [k, v] of Object.entries(project.config))
        if (v.default !== undefined) all[`${project.name}:${k}`] = String(v.default);
      return cfg({ ...all, ...values });
    };

    it("declares the keys the program reads, each with a default (the CLI requires project keys without one)", () => {
      expect(project.name).to.equal("cerby");
      expect(Object.keys(project.config).sort()).to.deep.equal(
        [
          "appInstanceId",
          "appLabel",
          "baseUrl",
          "bindings",
          "httpRetries",
          "httpTimeoutMs",
          "mode",
          "oktaHttpRetries",
          "oktaHttpTimeoutMs",
          "oktaMode",
          "oktaOperationTimeoutSeconds",
          "oktaOrgUrl",
          "oktaPollIntervalSeconds",
          "oktaWaitTimeoutSeconds",
          "operationTimeoutSeconds",
          "requireProvisioning",
          "requireScimProvisioning",
          "settingsPath",
          "workspace",
        ].sort(),
      );
      for (const [key, decl] of Object.entries(project.config)) expect(decl, key).to.have.property("default");
      // A secret key cannot have a default (the CLI would refuse its plain-text default), so it is not declared.
      expect(project.config).not.to.have.property("apiKey");
    });

    it("its empty defaults mean 'not set': a stack with only a workspace and an Okta org is valid", () => {
      const c = loadProgramConfig(withDefaults({ "cerby:workspace": "acme", "okta:orgName": "acme" }));
      expect(c.bindings).to.have.length(1);
      expect(c.bindings[0]).to.include({ workspace: "acme", appLabel: "Cerby", baseUrl: undefined });
    });

    it("its defaults are valid, also next to a given App instance ID", () => {
      const c = loadProgramConfig(
        withDefaults({
          "cerby:workspace": "acme",
          "okta:orgName": "acme",
          "cerby:appInstanceId": "0oa6a9uwbalsZ4enC0x7",
        }),
      );
      expect(c.bindings[0]).to.include({ appInstanceId: "0oa6a9uwbalsZ4enC0x7", cerbyMode: "api", oktaMode: "verify" });
      expect(
        loadProgramConfig(withDefaults({ "cerby:workspace": "acme", "okta:orgName": "acme" })).bindings[0].appLabel,
      ).to.equal("Cerby");
    });
  });
});
