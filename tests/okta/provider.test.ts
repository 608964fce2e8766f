import { expect } from "chai";
import { rejection } from "../helpers/errors";
import { OktaUniversalLogoutState, oktaUniversalLogoutProvider as provider } from "../../components/okta/provider";
import { OktaUniversalLogoutInputs, checkOktaInputs } from "../../components/okta/inputs";
import { OktaApp, OktaEmulator } from "../emulators/okta";
import { configOf } from "../helpers/serialize";
import { useOktaProviderRig } from "../helpers/rigs";
import { freshAppId, freshSecret } from "../helpers/keys";
import { freshKeyPair } from "./keys";

describe("Okta Universal Logout provider lifecycle", () => {
  const emu = new OktaEmulator();
  const token = freshSecret("00");
  let app: OktaApp;

  const inputsFor = (over: Record<string, unknown> = {}): OktaUniversalLogoutInputs => {
    const { inputs, failures } = checkOktaInputs({ orgUrl: emu.baseUrl, appInstanceId: app.id, ...over });
    expect(failures).to.deep.equal([]);
    return inputs;
  };
  const posts = () => emu.server.writes().length;

  useOktaProviderRig(emu, token);
  beforeEach(() => {
    app = emu.addApp({});
    emu.expressConfigure = "available";
    emu.expressConfigureDelayReads = 0;
    emu.server.clearLog();
    emu.server.clearFaults();
  });

  describe("verify (default)", () => {
    it("records an ENABLED app with its label, admin URL and provisioning, and writes nothing", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      const r = await provider.create(inputsFor());
      expect(r.id).to.equal(`${emu.baseUrl}/api/v1/apps/${app.id}#universal-logout`);
      expect(r.outs).to.include({
        status: "ENABLED",
        appName: "cerby",
        appLabel: "Cerby",
        adminUrl: `${emu.baseUrl}/admin/app/cerby/instance/${app.id}/`,
        provisioning: "ENABLED",
        mode: "verify",
      });
      expect(r.outs.warnings).to.deep.equal([]);
      expect(posts()).to.equal(0);
    });

    it("fails on DISABLED with the console steps and the admin URL", async () => {
      const e = await rejection(provider.create(inputsFor()));
      expect(e.message).to.contain(`Universal Logout is off for the Cerby app "Cerby" (${app.id})`);
      expect(e.message).to.contain(
        "Okta Admin Console → Applications → Cerby → Authentication tab → Logout → Edit → tick 'Okta system or admin initiates logout' → Save",
      );
      expect(e.message).to.contain(`${emu.baseUrl}/admin/app/cerby/instance/${app.id}/`);
      expect(posts()).to.equal(0);
    });

    it("fails on UNSUPPORTED saying the app cannot do Universal Logout", async () => {
      emu.setUniversalLogout(app.id, "UNSUPPORTED");
      const e = await rejection(provider.create(inputsFor()));
      expect(e.message).to.contain("this app cannot do Universal Logout");
    });

    it("fails on an INACTIVE app, saying to activate it", async () => {
      const inactive = emu.addApp({ status: "INACTIVE", universalLogout: "ENABLED" });
      const e = await rejection(provider.create(inputsFor({ appInstanceId: inactive.id })));
      expect(e.message).to.contain("is INACTIVE");
      expect(e.message).to.contain("Activate it");
    });

    it("fails on an app that is not in the org, naming the ID and the org", async () => {
      const id = freshAppId();
      const e = await rejection(provider.create(inputsFor({ appInstanceId: id })));
      expect(e.message).to.contain(`App ${id} is not in the org ${emu.baseUrl}`);
    });
  });

  describe("warn", () => {
    it("reports DISABLED as a warning output and does not fail", async () => {
      const r = await provider.create(inputsFor({ mode: "warn" }));
      expect(r.outs.status).to.equal("DISABLED");
      expect(r.outs.warnings).to.have.length(1);
      expect(r.outs.warnings[0]).to.contain("tick 'Okta system or admin initiates logout'");
      expect(posts()).to.equal(0);
    });

    it("reports UNSUPPORTED as a warning too", async () => {
      emu.setUniversalLogout(app.id, "UNSUPPORTED");
      const r = await provider.create(inputsFor({ mode: "warn" }));
      expect(r.outs.status).to.equal("UNSUPPORTED");
      expect(r.outs.warnings[0]).to.contain("cannot do Universal Logout");
    });
  });

  describe("enforce", () => {
    it("turns Universal Logout on by Express Configuration and re-reads until ENABLED", async () => {
      emu.expressConfigureDelayReads = 1;
      const r = await provider.create(inputsFor({ mode: "enforce" }));
      expect(r.outs.status).to.equal("ENABLED");
      expect(emu.getApp(app.id).universalLogout).to.equal("ENABLED");
      expect(posts()).to.equal(1);
      expect(emu.server.count({ method: "GET", pathPrefix: `/api/v1/apps/${app.id}` })).to.be.at.least(3);
    });

    it("makes no write when the app is already ENABLED", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      expect((await provider.create(inputsFor({ mode: "enforce" }))).outs.status).to.equal("ENABLED");
      expect(posts()).to.equal(0);
    });

    for (const answer of ["403", "404", "405"] as const) {
      it(`explains an org that answers ${answer} to Express Configuration, with the console steps`, async () => {
        emu.expressConfigure = answer;
        const e = await rejection(provider.create(inputsFor({ mode: "enforce" })));
        expect(e.message).to.contain(`by API (HTTP ${answer})`);
        // Express Configuration is an in-development API for Auth0-built OIN apps: refusal is what Cerby orgs get.
        expect(e.message).to.contain(
          "This is expected for Cerby: Express Configuration exists only in Okta's in-development API",
        );
        expect(e.message).to.contain("cerby:oktaMode verify");
        expect(e.message).to.contain("tick 'Okta system or admin initiates logout'");
        expect(e.message).to.contain(`${emu.baseUrl}/admin/app/cerby/instance/${app.id}/`);
        expect(emu.getApp(app.id).universalLogout).to.equal("DISABLED");
      });
    }

    it("does not call Express Configuration for an UNSUPPORTED app", async () => {
      emu.setUniversalLogout(app.id, "UNSUPPORTED");
      const e = await rejection(provider.create(inputsFor({ mode: "enforce" })));
      expect(e.message).to.contain("cannot do Universal Logout");
      expect(posts()).to.equal(0);
    });
  });

  describe("wait", () => {
    it("polls until an admin turns it on, then succeeds", async () => {
      const flip = setTimeout(() => emu.setUniversalLogout(app.id, "ENABLED"), 1200);
      try {
        const r = await provider.create(inputsFor({ mode: "wait", pollIntervalSeconds: 1, waitTimeoutSeconds: 10 }));
        expect(r.outs.status).to.equal("ENABLED");
        expect(emu.server.count({ method: "GET", pathPrefix: `/api/v1/apps/${app.id}` })).to.be.at.least(3);
        expect(posts()).to.equal(0);
      } finally {
        clearTimeout(flip);
      }
    });

    it("fails after the timeout with the console steps", async () => {
      const t0 = Date.now();
      const e = await rejection(
        provider.create(inputsFor({ mode: "wait", pollIntervalSeconds: 1, waitTimeoutSeconds: 2 })),
      );
      expect(Date.now() - t0).to.be.within(1900, 4000);
      expect(e.message).to.contain("is still DISABLED");
      expect(e.message).to.contain("after waiting 2 s");
      expect(e.message).to.contain("Authentication tab → Logout");
    });
  });

  // Okta returns Application.universalLogout only in orgs with Identity Threat Protection (research/okta.md,
  // 2026-11): elsewhere it is absent or null. That is "cannot report", never DISABLED, and never a crash.
  for (const form of ["absent", "null"] as const) {
    describe(`an org without Identity Threat Protection (universalLogout ${form})`, () => {
      beforeEach(() => {
        emu.setUniversalLogout(app.id, "ENABLED"); // what the app would say with ITP: must not leak through
        emu.identityThreatProtection = false;
        emu.universalLogoutWithoutItp = form;
      });
      afterEach(() => {
        emu.identityThreatProtection = true;
      });

      const itpAdvice = (msg: string) => {
        expect(msg).to.contain("this org cannot report Universal Logout");
        expect(msg).to.contain("Identity Threat Protection");
        expect(msg).to.contain("tick 'Okta system or admin initiates logout'");
        expect(msg).not.to.match(/is off|DISABLED/);
      };

      it("verify fails saying the org cannot report it, with what to check, and writes nothing", async () => {
        const e = await rejection(provider.create(inputsFor()));
        itpAdvice(e.message);
        expect(posts()).to.equal(0);
      });

      it("warn records NOT_REPORTED with the same advice as a warning", async () => {
        const r = await provider.create(inputsFor({ mode: "warn" }));
        expect(r.outs.status).to.equal("NOT_REPORTED");
        expect(r.outs.warnings).to.have.length(1);
        itpAdvice(r.outs.warnings[0]);
        expect(r.outs.warnings[0], "no advice to use the mode already in use").not.to.contain("oktaMode warn");
      });

      it("enforce refuses before any write (nothing could confirm the result)", async () => {
        const e = await rejection(provider.create(inputsFor({ mode: "enforce" })));
        itpAdvice(e.message);
        expect(posts()).to.equal(0);
      });

      it("wait fails at once instead of polling for a status that never comes", async () => {
        const t0 = Date.now();
        const e = await rejection(
          provider.create(inputsFor({ mode: "wait", pollIntervalSeconds: 1, waitTimeoutSeconds: 30 })),
        );
        expect(Date.now() - t0).to.be.below(1000);
        itpAdvice(e.message);
      });

      it("read reports NOT_REPORTED (drift from ENABLED shows as a change, not a crash)", async () => {
        emu.identityThreatProtection = true;
        const created = await provider.create(inputsFor());
        emu.identityThreatProtection = false;
        const r = await provider.read(created.id, created.outs);
        expect(r.props!.status).to.equal("NOT_REPORTED");
      });
    });
  }

  describe("provisioning precondition", () => {
    it("warns when provisioning is DISABLED and still verifies", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      emu.setProvisioning(app.id, "DISABLED");
      const r = await provider.create(inputsFor());
      expect(r.outs).to.include({ status: "ENABLED", provisioning: "DISABLED" });
      expect(r.outs.warnings[0]).to.contain("does not provision users to Cerby (provisioning is DISABLED)");
    });

    it("treats Okta's 400 for an app without provisioning as NOT_SET_UP, a warning", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      emu.setProvisioning(app.id, "NOT_SET_UP");
      const r = await provider.create(inputsFor());
      expect(r.outs.provisioning).to.equal("NOT_SET_UP");
      expect(r.outs.warnings[0]).to.contain("provisioning is not set up");
    });

    it("fails before any write when requireProvisioning is set", async () => {
      emu.setProvisioning(app.id, "NOT_SET_UP");
      const e = await rejection(provider.create(inputsFor({ mode: "enforce", requireProvisioning: true })));
      expect(e.message).to.contain("Stopped before any change (requireProvisioning is set)");
      expect(posts()).to.equal(0);
      expect(emu.getApp(app.id).universalLogout).to.equal("DISABLED");
    });
  });

  describe("read, diff, update, delete", () => {
    it("read reports drift (the box unticked); diff asks for an update, which fails in verify with the steps", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      const inputs = inputsFor();
      const created = await provider.create(inputs);
      expect((await provider.diff(created.id, created.outs, inputs)).changes).to.equal(false);
      emu.setUniversalLogout(app.id, "DISABLED");
      const r = await provider.read(created.id, created.outs as OktaUniversalLogoutState);
      expect(r.props).to.include({ status: "DISABLED", appLabel: "Cerby" });
      // The inputs record what Okta shows: against the program's, `status` differs (the engine's diff names it).
      const { observedApp, ...recorded } = r.inputs as OktaUniversalLogoutInputs;
      expect(recorded).to.deep.equal({ ...inputs, status: "DISABLED" });
      expect(observedApp).to.include({ id: app.id });
      expect(observedApp?.universalLogout).to.include({ status: "DISABLED" });
      const d = await provider.diff(created.id, r.props!, inputs);
      expect(d).to.include({ changes: true });
      expect(d.replaces).to.deep.equal([]);
      const e = await rejection(provider.update(created.id, r.props as OktaUniversalLogoutState, inputs));
      expect(e.message).to.contain("tick 'Okta system or admin initiates logout'");
    });

    it("read reports changed provisioning", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      const created = await provider.create(inputsFor());
      emu.setProvisioning(app.id, "DISABLED");
      const r = await provider.read(created.id, created.outs as OktaUniversalLogoutState);
      expect(r.props).to.include({ provisioning: "DISABLED", status: "ENABLED" });
    });

    it("diff: input changes are updates, never replacements; warn mode ignores drift", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      const inputs = inputsFor();
      const olds = (await provider.create(inputs)).outs as OktaUniversalLogoutState;
      for (const change of [
        { appInstanceId: freshAppId() },
        { mode: "enforce" },
        { requireProvisioning: true },
        { orgUrl: "https://other.okta.com" },
      ]) {
        const d = await provider.diff("id", olds, { ...inputs, ...change } as OktaUniversalLogoutInputs);
        expect(d.changes, JSON.stringify(change)).to.equal(true);
        expect(d.replaces).to.deep.equal([]);
      }
      const warnOlds = { ...olds, mode: "warn" as const, status: "DISABLED" as const };
      expect((await provider.diff("id", warnOlds, { ...inputs, mode: "warn" })).changes).to.equal(false);
      expect((await provider.diff("id", { ...olds, status: "DISABLED" }, inputs)).changes).to.equal(true);
    });

    it("update converges the new inputs (verify → enforce turns it on)", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      const created = await provider.create(inputsFor({ mode: "warn" }));
      emu.setUniversalLogout(app.id, "DISABLED");
      const u = await provider.update(
        created.id,
        created.outs as OktaUniversalLogoutState,
        inputsFor({ mode: "enforce" }),
      );
      expect(u.outs.status).to.equal("ENABLED");
    });

    it("delete makes no request at all", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      const created = await provider.create(inputsFor());
      emu.server.clearLog();
      await provider.delete(created.id, created.outs as OktaUniversalLogoutState);
      expect(emu.server.requests).to.have.length(0);
      expect(emu.getApp(app.id).universalLogout).to.equal("ENABLED");
    });
  });

  describe("credentials at run time", () => {
    it("uses OKTA_API_TOKEN when stack config has none", async () => {
      emu.setUniversalLogout(app.id, "ENABLED");
      await provider.configure(configOf({}));
      process.env.OKTA_API_TOKEN = token;
      try {
        expect((await provider.create(inputsFor())).outs.status).to.equal("ENABLED");
      } finally {
        delete process.env.OKTA_API_TOKEN;
        await provider.configure(configOf({ "okta:apiToken": token }));
      }
    });

    it("uses a service app from okta:clientId / okta:privateKey, asking okta.apps.manage only for enforce", async () => {
      const keys = await freshKeyPair("RS256");
      const clientId = freshAppId();
      // Granted only okta.apps.read: verify must not ask for more (Okta would answer invalid_scope).
      emu.addServiceApp({ clientId, publicJwk: keys.publicJwk, scopes: ["okta.apps.read"] });
      await provider.configure(configOf({ "okta:clientId": clientId, "okta:privateKey": keys.pem }));
      try {
        emu.setUniversalLogout(app.id, "ENABLED");
        expect((await provider.create(inputsFor())).outs.status).to.equal("ENABLED");
        emu.addServiceApp({ clientId, publicJwk: keys.publicJwk, scopes: ["okta.apps.read", "okta.apps.manage"] });
        emu.setUniversalLogout(app.id, "DISABLED");
        expect((await provider.create(inputsFor({ mode: "enforce" }))).outs.status).to.equal("ENABLED");
        expect(emu.tokenRequests).to.equal(2); // one client per operation, one token each
      } finally {
        await provider.configure(configOf({ "okta:apiToken": token }));
      }
    });
  });
});
