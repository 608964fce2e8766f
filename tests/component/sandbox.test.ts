/**
 * `npm run sandbox`, the README's main job, as a user runs it: the real Pulumi CLI, the dev stack (Pulumi.dev.yaml)
 * and the bundled emulators on their fixed ports.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import * as net from "node:net";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ENGINE_BUILD_TIMEOUT_MS, requireEngine } from "../helpers/pulumi-engine";

const root = path.resolve(__dirname, "../..");

function sandbox(env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/sandbox.ts"], {
      cwd: root,
      env,
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (status) => resolve({ status, out }));
  });
}

describe("npm run sandbox", function () {
  this.timeout(5 * 60 * 1000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "cerby-sandbox-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("runs `pulumi up` on the dev stack against the emulators, prints the outputs, and converges again", async function () {
    this.timeout(ENGINE_BUILD_TIMEOUT_MS);
    requireEngine(this);
    const env = { ...process.env, CERBY_SANDBOX_STATE_DIR: path.join(dir, "state") };
    const stackFile = path.join(root, "Pulumi.dev.yaml");
    const before = fs.readFileSync(stackFile, "utf8");
    for (const run of ["first", "second"]) {
      const r = await sandbox(env);
      expect(r.status, `${run} run:\n${r.out}`).to.equal(0);
      const outputs = JSON.parse(r.out.slice(r.out.lastIndexOf("{\n"))) as Record<string, unknown>;
      expect(outputs, `${run} run`).to.include({ cerbyEnabled: true, oktaUniversalLogoutStatus: "ENABLED" });
      expect(r.out).to.contain("Pulumi CLI");
    }
    expect(fs.readFileSync(stackFile, "utf8"), "the tracked stack file is left as it was").to.equal(before);
  });

  it("`npm run emulators` with a sandbox port taken says so and exits 1, without a stack trace", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => {
      holder.once("error", () => resolve()); // already taken: the same condition
      holder.listen(18080, "127.0.0.1", () => resolve());
    });
    try {
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tests/emulators/run.ts"], {
        cwd: root,
        encoding: "utf8",
        timeout: 60000,
      });
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.contain("Port 18080 on 127.0.0.1 is already in use");
      expect(r.stderr).not.to.match(/\n\s+at /);
    } finally {
      holder.close();
    }
  });

  it("without a Pulumi CLI or Go, says how to get one and exits 1 (never pretends)", async () => {
    // PATH without `pulumi` or `go`, and an empty engine cache.
    const exe = (d: string, n: string) => fs.existsSync(path.join(d, n));
    const PATH = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((d) => !exe(d, "pulumi") && !exe(d, "go"))
      .join(path.delimiter);
    const r = await sandbox({ ...process.env, PATH, CERBY_PULUMI_ENGINE_CACHE: path.join(dir, "cache") });
    expect(r.status, r.out).to.equal(1);
    expect(r.out).to.contain("Go is not installed");
    expect(r.out).to.contain("No usable Pulumi CLI");
    expect(r.out).to.contain("https://www.pulumi.com/docs/install/");
  });
});
