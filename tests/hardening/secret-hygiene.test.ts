/**
 * Secret hygiene: a full end-to-end cycle (up, refresh, up after drift, destroy) in both Okta auth modes, plus a couple
 * of faults, and then a scan of everything the program and providers produced — the serialized `__provider` text, the
 * state file, outputs, everything written to the console during the runs, the plugin's stderr, the fault suite's error
 * messages, the emulators' request logs — for the Cerby key, the Okta token and the private key (PEM and JWK, members
 * d/p/q/dp/dq/qi), in every encoding and any run of 12 of their characters (./scan). The scanner itself is checked
 * against planted secrets first.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import { RunResult } from "../e2e/engine";
import { freshKeyPair } from "../okta/keys";
import { AuthKind, Rig, WORKSPACE, errorsOf, registerArtifact, registry, startRig, useProgramHttpEnv } from "./harness";
import { WINDOW, forms, scan } from "./scan";

/** Everything written to stdout/stderr (console.* included) while `fn` runs, still passed through. */
async function captureConsole(sink: string[], fn: () => Promise<void>): Promise<void> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const tap =
    (orig: typeof out) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tap(out) as typeof process.stdout.write;
  process.stderr.write = tap(err) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe("hardening: secret hygiene", function () {
  this.timeout(60000);

  describe("the scanner", () => {
    it("catches a planted secret in every form it looks for, and nothing in clean text", async () => {
      const key = await freshKeyPair("RS256");
      const jwk = JSON.parse(key.jwkText) as Record<string, string>;
      const secrets = [
        { name: "PEM", value: key.pem },
        { name: "JWK", value: key.jwkText },
        { name: "JWK d", value: jwk.d },
        { name: "JWK p", value: jwk.p },
        { name: "token", value: "00" + "x".repeat(40) },
      ];
      const clean = [{ source: "clean", text: "Okta: could not read the app 0oa123: HTTP 503. [redacted]" }];
      expect(scan(clean, secrets)).to.deep.equal([]);
      for (const s of secrets) {
        for (const f of forms(s)) {
          const planted = [{ source: "planted", text: `log line: …${f.needle}… end` }];
          expect(
            scan(planted, [s]).map((h) => h.form),
            `${s.name} as ${f.form}`,
          ).to.include(f.form);
        }
      }
      // Inside longer encoded text (at each byte alignment), and as a partial echo of WINDOW characters.
      const token = secrets[4];
      for (const prefix of ["", "k", "ke", "key="]) {
        const text = `x ${Buffer.from(`${prefix}${token.value}&more`).toString("base64")} y`;
        expect(scan([{ source: "x", text }], [token]), `base64 after "${prefix}"`).to.have.length.greaterThan(0);
      }
      const d = secrets[2];
      expect(scan([{ source: "x", text: `…${d.value.slice(5, 5 + WINDOW)}…` }], [d])).to.have.length(1);
      expect(scan([{ source: "x", text: `…${d.value.slice(5, 5 + WINDOW - 1)}…` }], [d])).to.deep.equal([]);
      // A PEM printed with one of its lines is caught, as is a JWK member inside a larger JSON.
      const line = key.pem.split("\n")[3];
      expect(scan([{ source: "x", text: `key: ${line}` }], [secrets[0]])).to.have.length.greaterThan(0);
      expect(scan([{ source: "x", text: `{"kty":"RSA","d":"${jwk.d}"}` }], [secrets[2]]).map((h) => h.form)).to.include(
        "plain",
      );
    });
  });

  for (const auth of ["ssws", "oauth"] as AuthKind[]) {
    describe(`a full cycle with ${auth === "ssws" ? "an API token" : "an OAuth service app"}`, () => {
      let rig: Rig;
      let restoreEnv: () => void;
      const consoleText: string[] = [];
      const results: RunResult[] = [];
      const ok = (r: RunResult) => {
        results.push(r);
        expect(r.errors, errorsOf(r)).to.deep.equal([]);
        return r;
      };

      before(async () => {
        restoreEnv = useProgramHttpEnv();
        rig = await startRig({ auth });
      });
      after(async () => {
        await rig.stop();
        restoreEnv();
      });

      it("runs up, refresh, up after drift, two faults and destroy, and nothing it produced holds a secret", async () => {
        let providerText = "";
        let stateText = "";
        await captureConsole(consoleText, async () => {
          ok(await rig.engine.up(rig.program));
          stateText = fs.readFileSync(rig.statePath, "utf8");
          providerText = rig.engine
            .readState()
            .resources.map((r) => String(r.inputs.__provider ?? r.outputs.__provider ?? ""))
            .join("\n");
          ok(await rig.engine.refresh());
          rig.cerby.setSetting(WORKSPACE, { enabled: false });
          ok(await rig.engine.up(rig.program, { refresh: true }));
          expect(rig.cerby.getSetting(WORKSPACE).enabled).to.equal(true);
          // Two faults beyond the budget: their messages are scanned too.
          rig.cerby.server.inject({ kind: "status", status: 503, times: 1000, method: "GET" });
          const failedCerby = await rig.engine.refresh();
          rig.cerby.server.clearFaults();
          expect(errorsOf(failedCerby)).to.contain("Cerby: could not read the Universal Logout setting");
          results.push(failedCerby);
          if (auth === "oauth") {
            rig.okta.server.inject({
              kind: "status",
              status: 400,
              times: 1000,
              pathPrefix: "/oauth2/v1/token",
              body: { error: "invalid_client", error_description: "The client_assertion signature is invalid." },
            });
          } else {
            rig.okta.server.inject({ kind: "status", status: 401, times: 1000, pathPrefix: "/api/v1/apps" });
          }
          const failedOkta = await rig.engine.up(rig.program);
          rig.okta.server.clearFaults();
          expect(errorsOf(failedOkta)).to.match(/Okta: could not (get an access token|list the apps)/);
          results.push(failedOkta);
          ok(await rig.engine.destroy());
        });
        expect(providerText).to.contain("exports.handler");
        expect(stateText).to.contain("__provider");

        const artifacts = [
          { source: "serialized __provider", text: providerText },
          { source: "state file (after up)", text: stateText },
          { source: "state file (final)", text: fs.readFileSync(rig.statePath, "utf8") },
          { source: "outputs and errors", text: JSON.stringify(results) },
          { source: "console", text: consoleText.join("") },
          { source: "plugin stderr", text: rig.engine.pluginStderr.join("") },
          { source: "plugin stdout (provider logs)", text: rig.engine.pluginStdout.join("") },
          { source: "Cerby request log", text: JSON.stringify(rig.cerby.server.requests) },
          { source: "Okta request log", text: JSON.stringify(rig.okta.server.requests) },
        ];
        for (const a of artifacts) registerArtifact(`${auth} cycle: ${a.source}`, a.text);
        // The failures' messages are among what was scanned (the runs' errors); the plugin does not print them a
        // second time on its stderr (a user error is reported once, by the engine).
        expect(JSON.stringify(results)).to.contain("could not");
        expect(rig.engine.pluginStderr.join("")).not.to.contain("VendorError:");
        const mine = rig.secrets;
        expect(mine.length).to.be.at.least(auth === "ssws" ? 2 : 8);
        expect(scan(artifacts, mine)).to.deep.equal([]);
      });
    });
  }

  describe("everything the hardening suites recorded", () => {
    it("(fault-suite errors, states, logs, request logs) holds none of their secrets", () => {
      expect(registry.artifacts.length).to.be.greaterThan(0);
      expect(scan(registry.artifacts, registry.secrets)).to.deep.equal([]);
    });
  });
});
