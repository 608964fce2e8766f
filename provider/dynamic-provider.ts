/**
 * This module's Node.js dynamic-provider plugin: Pulumi's own (`@pulumi/pulumi/cmd/dynamic-provider`, unchanged), with
 * the two things it lacks, so that a run cut short leaves no provider writing behind it:
 *
 * - **Cancel is honoured.** A terminal's Ctrl-C reaches only the `pulumi` CLI (it starts plugins in process groups of
 *   their own), which then calls each provider's `Cancel` RPC; Pulumi's plugin answers it and carries on. Here Cancel
 *   first stops the run (components/lifecycle.ts): waits and retries end at once, every step fails saying what it did
 *   and did not do, nothing more is sent.
 * - **No life after the engine.** When the engine is gone (`pulumi` killed), the plugin stops and exits instead of
 *   finishing its retries: components/lifecycle.ts `watchEngine` says how it knows.
 *
 * Cancel is hooked where Pulumi's plugin registers its ResourceProvider service: grpc-js's public
 * `Server.prototype.addService`, wrapped for that one call (the service definition names the RPC by its path, which
 * is part of Pulumi's protocol), before the plugin module is required — it starts serving when loaded. Started by
 * bin/pulumi-resource-pulumi-nodejs, which Pulumi.yaml names under `plugins: providers:`.
 */
import * as path from "node:path";
import { cancelRun, watchEngine } from "../components/lifecycle";

/** The RPC the engine calls on Ctrl-C (and before it closes a plugin): pulumirpc.ResourceProvider/Cancel. */
export const CANCEL_RPC_PATH = "/pulumirpc.ResourceProvider/Cancel";

type Handler = (call: unknown, callback: (...a: unknown[]) => void) => unknown;
interface GrpcServerClass {
  prototype: { addService(service: Record<string, { path?: string }>, implementation: Record<string, unknown>): void };
}

/**
 * Wraps `addService` of `Server` so that the first service registered with a Cancel RPC at `CANCEL_RPC_PATH` calls
 * `onCancel` before its own handler; `addService` is restored right after. Returns whether that happened so far.
 */
export function hookCancel(Server: GrpcServerClass, onCancel: () => void): () => boolean {
  const proto = Server.prototype;
  const original = proto.addService;
  let hooked = false;
  proto.addService = function (this: unknown, service, implementation) {
    const cancel = implementation?.cancel;
    if (service?.cancel?.path === CANCEL_RPC_PATH && typeof cancel === "function") {
      implementation.cancel = function (this: unknown, call, callback) {
        onCancel();
        return (cancel as Handler).call(this, call, callback);
      } satisfies Handler;
      hooked = true;
      proto.addService = original;
    }
    return original.call(this, service, implementation);
  };
  return () => hooked;
}

/** The @grpc/grpc-js that Pulumi's plugin loads (its own dependency): the Server to hook is that copy's. */
function pulumisGrpc(): { Server: GrpcServerClass } {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  return require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
}

function main(): void {
  // The engine's address is the plugin's argument; stdin and the parent process are watched from here on.
  watchEngine({ exit: true, args: process.argv.slice(2) });
  const hooked = hookCancel(pulumisGrpc().Server, () => cancelRun());
  // Serves on load: prints its port (the CLI reads it from the first line of stdout) and handles the engine's calls.
  require("@pulumi/pulumi/cmd/dynamic-provider");
  if (!hooked()) {
    process.stderr.write(
      "cerby-okta-universal-logout: could not hook the dynamic-provider plugin's Cancel (the @pulumi/pulumi plugin " +
        "changed): Ctrl-C will not end waits early; steps still end at their deadlines.\n",
    );
  }
}

if (require.main === module) main();
