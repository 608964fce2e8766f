/**
 * Per-binding costs through the end-to-end driver, with several bindings: Okta apps-bucket calls per binding on every
 * command (up from nothing, converged up, refresh, destroy, verify) and state bytes per binding. Both ways of naming
 * the app: by label (the default) and by App instance ID.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../components/program";
import { loadProgramConfig } from "../../components/config";
import { verifyBindings } from "../../components/verify";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { freshSecret } from "../helpers/keys";
import { stopRig } from "../helpers/rigs";
import { Engine, RunResult } from "./engine";

/** The ceilings. */
const MAX_OKTA_BUCKET_CALLS_PER_BINDING = 1;
const MAX_STATE_BYTES_PER_BINDING = 20_000;
/** Pages of the one shared walk of the org's apps (5 other apps + 12 Cerby apps: one page of 200). */
const WALK_PAGES = 1;

for (const resolve of ["label", "id"] as const) {
  describe(`per-binding costs through the driver (12 bindings, app by ${resolve})`, function () {
    this.timeout(120000);
    const N = 12;
    const cerby = new CerbyEmulator();
    const okta = new OktaEmulator();
    const cerbyKey = freshSecret("cby_");
    const oktaToken = freshSecret("00");
    let dir: string;
    let statePath: string;
    let config: Record<string, string>;
    const bucket = () => okta.server.count({ pathPrefix: "/api/v1/apps" });
    // `up` from nothing: the program's shared walk, and by label each pick read by its ID by the Cerby provider right
    // before it writes (issue 19: Cerby is bound only to what Okta answers for that ID). Commands that write nothing
    // to Cerby (converged `up`, verify) read no app by its ID.
    const upCeiling = resolve === "label" ? 1 + WALK_PAGES / N : MAX_OKTA_BUCKET_CALLS_PER_BINDING;
    const appReads = () =>
      okta.server.requests.filter((r) => /^\/api\/v1\/apps\/[^/]+$/.test(r.path)).map((r) => r.path);
    const ok = (r: RunResult) => expect(r.errors, r.errors.join("\n")).to.deep.equal([]);
    let engine: Engine;
    /** One command against the same state file (one plugin for the whole describe: start-up is not what is measured). */
    const command = async (run: (e: Engine) => Promise<RunResult>): Promise<number> => {
      okta.server.clearLog();
      ok(await run(engine));
      return bucket();
    };

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-scale-"));
      statePath = path.join(dir, "state.json");
      await cerby.start();
      const oktaUrl = await okta.start();
      okta.addApiToken(oktaToken);
      // Other apps in the org, some with labels that start like the Cerby ones.
      for (let i = 0; i < 5; i++) okta.addApp({ label: i % 2 ? `Cerby ws-${i} old` : `Other ${i}` });
      const bindings: Array<Record<string, string>> = [];
      for (let i = 1; i <= N; i++) {
        const ws = `ws-${String(i).padStart(2, "0")}`;
        cerby.addWorkspace(ws);
        cerby.addApiKey(ws, cerbyKey, { role: "admin" });
        const app = okta.addApp({ label: `Cerby ${ws}`, universalLogout: "ENABLED", provisioning: "ENABLED" });
        bindings.push({
          name: `b-${ws}`,
          baseUrl: cerby.workspaceUrl(ws),
          ...(resolve === "label" ? { appLabel: `Cerby ${ws}` } : { appInstanceId: app.id }),
        });
      }
      config = {
        "cerby:bindings": JSON.stringify(bindings),
        "cerby:oktaOrgUrl": oktaUrl,
        "cerby:apiKey": cerbyKey,
        "okta:apiToken": oktaToken,
      };
      engine = new Engine({ statePath, config, secretKeys: ["cerby:apiKey", "okta:apiToken"] });
      await engine.start();
    });
    after(() => stopRig([engine, cerby, okta], dir));

    it(`up from nothing: ≤ ${MAX_OKTA_BUCKET_CALLS_PER_BINDING} Okta apps-bucket call per binding (by label: + the walk)`, async () => {
      const calls = await command((e) => e.up(() => main()));
      expect(calls / N).to.be.at.most(upCeiling);
      // One walk of the list; no USER_PROVISIONING read (the app's features say ENABLED); by label, each app read once
      // by its ID, by ID none.
      expect(okta.server.count({ pathPrefix: "/api/v1/apps/" })).to.equal(appReads().length);
      expect(new Set(appReads()).size).to.equal(resolve === "label" ? N : 0);
      expect(appReads()).to.have.length(resolve === "label" ? N : 0);
    });

    it(`state: ≤ ${MAX_STATE_BYTES_PER_BINDING} bytes per binding`, () => {
      const bytes = fs.statSync(statePath).size;
      expect(bytes / N).to.be.at.most(MAX_STATE_BYTES_PER_BINDING);
    });

    it("converged up: ≤ 1 apps-bucket call per binding, no app read by its ID (nothing is written to Cerby)", async () => {
      const calls = await command((e) => e.up(() => main()));
      expect(calls / N).to.be.at.most(MAX_OKTA_BUCKET_CALLS_PER_BINDING);
      expect(appReads()).to.deep.equal([]);
    });

    it("refresh: ≤ 1 apps-bucket call per binding, and drift still shows", async () => {
      const appId = JSON.parse(fs.readFileSync(statePath, "utf8")).resources.find((r: { type: string }) =>
        r.type.endsWith("okta:UniversalLogout"),
      ).outputs.appInstanceId as string;
      okta.setUniversalLogout(appId, "DISABLED");
      let changed: string[] = [];
      const calls = await command(async (e) => {
        const r = await e.refresh();
        changed = r.steps.flatMap((s) => s.changed ?? []);
        return r;
      });
      okta.setUniversalLogout(appId, "ENABLED");
      expect(calls / N).to.be.at.most(MAX_OKTA_BUCKET_CALLS_PER_BINDING);
      expect(changed).to.include("status");
    });

    it("npm run verify: ≤ 1 apps-bucket call per binding, never the same app twice", async () => {
      okta.server.clearLog();
      const cfg = loadProgramConfig((k) => config[k]);
      const rows = await verifyBindings(cfg, {
        cerbyApiKey: () => cerbyKey,
        okta: { kind: "ssws", apiToken: oktaToken },
      });
      expect(rows.map((r) => r.problem).filter(Boolean)).to.deep.equal([]);
      expect(bucket() / N).to.be.at.most(MAX_OKTA_BUCKET_CALLS_PER_BINDING);
      expect(new Set(appReads()).size).to.equal(appReads().length);
    });

    it("destroy: no Okta call", async () => {
      const calls = await command((e) => e.destroy());
      expect(calls).to.equal(0);
      expect(JSON.parse(fs.readFileSync(statePath, "utf8")).resources).to.have.length(0);
    });
  });
}
