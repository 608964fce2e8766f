// @ts-check
/**
 * Serves this project's Pulumi program to the real `pulumi` CLI through `--client=127.0.0.1:<port>`, where Pulumi's
 * Node.js language host (`pulumi-language-nodejs`, shipped with every Pulumi install) is not available: it cannot be
 * built from Go modules (its module is not served by the proxy). This is exactly what Pulumi's Automation API does for
 * an inline program: its own `LanguageServer`, whose program `require`s the project's `main` afresh for every run, the
 * way the stock language host starts a new Node.js process per run. Everything else — config, plan, state, plugins,
 * the dynamic-provider plugin — is the CLI's own.
 *
 * Usage: node scripts/program-host.js <project dir>; prints the port, then serves until killed. Plain JavaScript, and
 * the program it runs is compiled (index.js runs dist/): no TypeScript is compiled per command.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const projectDir = path.resolve(process.argv[2] ?? ".");
// Pulumi's own copies, so the program and the host share one @pulumi/pulumi (its runtime state is per module copy).
/** @param {string} id */
const fromProject = (id) => require.resolve(id, { paths: [projectDir] });
const pulumiDir = path.dirname(fromProject("@pulumi/pulumi/package.json"));
/** @type {typeof import("@grpc/grpc-js")} */
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const { LanguageServer } = require(fromProject("@pulumi/pulumi/automation/server"));
const langrpc = require(fromProject("@pulumi/pulumi/proto/language_grpc_pb"));
const { grpcChannelOptions } = require(fromProject("@pulumi/pulumi/runtime/settings"));

// The entry the stock language host runs: Pulumi.yaml's `main`, else package.json's `main`, else index.js.
/** @type {typeof import("js-yaml")} */
const yaml = require(fromProject("js-yaml"));
const projectMain = /** @type {{ main?: string }} */ (
  yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"))
);
const main = path.resolve(
  projectDir,
  projectMain.main ?? require(path.join(projectDir, "package.json")).main ?? "index.js",
);

/** Runs the program as a new process would: the project's own modules load afresh (dependencies stay cached). */
// A TypeScript program (a consumer's own, typescript: true) goes through the project's ts-node, as Pulumi's language
// host does; this project's own program is JavaScript (index.js runs the compiled module).
if (/\.tsx?$/.test(main)) {
  require(fromProject("ts-node")).register({
    transpileOnly: process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true",
    compilerOptions: { module: "commonjs" },
  });
}

/** @returns {Promise<unknown>} */
async function program() {
  const deps = `${path.sep}node_modules${path.sep}`;
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(projectDir + path.sep) && !id.includes(deps)) delete require.cache[id];
  }
  const exported = require(main);
  const value = exported && exported.__esModule && "default" in exported ? exported.default : exported;
  return typeof value === "function" ? value() : value;
}

const { RunResponse } = require(fromProject("@pulumi/pulumi/proto/language_pb"));

/**
 * Pulumi's LanguageServer, reporting a failed run once, as the stock language host does. Both log a program's uncaught
 * error (a RunError as its message alone); the stock host then exits with its "already logged" code and the CLI adds
 * nothing, while this server also returns the error as the run's result, which the CLI would print a second time.
 * Here a run whose error was already logged bails instead (RunResponse.bail), which is what the stock host's exit
 * code means to the CLI.
 *
 * @typedef {(err: unknown, resp?: unknown) => void} Callback
 * @param {{ run: (call: unknown, cb: Callback) => void }} server
 */
function reportingOnce(server) {
  const run = server.run.bind(server);
  /** @type {(call: unknown, callback: Callback) => void} */
  server.run = (call, callback) => {
    /** @type {WeakSet<object>} */
    const logged = new WeakSet();
    /** @param {unknown} e */
    const note = (e) => void (e && typeof e === "object" && logged.add(e));
    process.on("unhandledRejection", note);
    process.on("uncaughtException", note);
    let answered = false;
    run(call, (err, resp) => {
      // LanguageServer calls back twice after a failure; the first answer is the run's.
      if (answered) return;
      answered = true;
      process.off("unhandledRejection", note);
      process.off("uncaughtException", note);
      const message = err instanceof Error ? err.message : "";
      if (err && ((typeof err === "object" && logged.has(err)) || message.startsWith("One or more errors occurred"))) {
        const bail = new RunResponse();
        bail.setBail(true);
        return callback(null, bail);
      }
      callback(err, resp);
    });
  };
  return server;
}

const server = new grpc.Server(grpcChannelOptions);
server.addService(langrpc.LanguageRuntimeService, /** @type {any} */ (reportingOnce(new LanguageServer(program))));
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`program host: cannot listen on 127.0.0.1: ${err.message}`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
