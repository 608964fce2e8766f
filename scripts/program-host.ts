/**
 * Serves this project's Pulumi program to the real `pulumi` CLI through `--client=127.0.0.1:<port>`, where Pulumi's
 * Node.js language host (`pulumi-language-nodejs`, shipped with every Pulumi install) is not available: it cannot be
 * built from Go modules (its module is not served by the proxy). This is exactly what Pulumi's Automation API does for
 * an inline program: its own `LanguageServer`, whose program `require`s the project's `main` afresh for every run, the
 * way the stock language host starts a new Node.js process per run. Everything else — config, plan, state, plugins,
 * the dynamic-provider plugin — is the CLI's own.
 *
 * Usage: node -r ts-node/register/transpile-only scripts/program-host.ts <project dir>; prints the port, then serves
 * until killed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const projectDir = path.resolve(process.argv[2] ?? ".");
// Pulumi's own copies, so the program and the host share one @pulumi/pulumi (its runtime state is per module copy).
const fromProject = (id: string) => require.resolve(id, { paths: [projectDir] });
const pulumiDir = path.dirname(fromProject("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })) as typeof import("@grpc/grpc-js");
const { LanguageServer } = require(fromProject("@pulumi/pulumi/automation/server"));
const langrpc = require(fromProject("@pulumi/pulumi/proto/language_grpc_pb"));
const { grpcChannelOptions } = require(fromProject("@pulumi/pulumi/runtime/settings"));

// The entry the stock language host runs: Pulumi.yaml's `main`, else package.json's `main`, else index.ts.
const projectMain = (require(fromProject("js-yaml")) as typeof import("js-yaml")).load(
  fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"),
) as { main?: string };
const main = path.resolve(
  projectDir,
  projectMain.main ?? require(path.join(projectDir, "package.json")).main ?? "index.ts",
);

/** Runs the program as a new process would: the project's own modules load afresh (dependencies stay cached). */
async function program(): Promise<unknown> {
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
 */
type Callback = (err: unknown, resp?: unknown) => void;
function reportingOnce<T extends { run: (call: unknown, cb: Callback) => void }>(server: T): T {
  const run = server.run.bind(server);
  server.run = (call, callback) => {
    const logged = new WeakSet<object>();
    const note = (e: unknown) => void (e && typeof e === "object" && logged.add(e));
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
server.addService(langrpc.LanguageRuntimeService, reportingOnce(new LanguageServer(program)) as never);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error | null, port: number) => {
  if (err) {
    console.error(`program host: cannot listen on 127.0.0.1: ${err.message}`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
