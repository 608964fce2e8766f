// Mocha's TypeScript loader: ts-node, transpile-only (npm run lint type-checks), through the cache of transpiled files
// (./cached-transpiler.js), so the suite's parallel workers and repeated runs do not transpile the same files again.
//
// On Node.js with a compile cache (22.8+), V8's compiled code is kept on disk too, and NODE_COMPILE_CACHE is set so
// that every Node.js process the suite starts (workers, program hosts, dynamic-provider plugins) shares it: each one
// loads @pulumi/pulumi, about a quarter of whose start-up CPU is compiling. Node.js checks every entry against its
// source, so only repeated work is skipped; older Node.js has no such cache and runs as before.
"use strict";
const os = require("node:os");
const path = require("node:path");
const nodeModule = require("node:module");

if (typeof nodeModule.enableCompileCache === "function") {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  process.env.NODE_COMPILE_CACHE ||= path.join(os.tmpdir(), `cerby-node-compile-cache-${uid}`);
  nodeModule.enableCompileCache(process.env.NODE_COMPILE_CACHE);
}
// The compiled module (dist/) that every provider reference, plugin and program loads: rebuilt first if a source
// changed since the last build (a few ms when nothing did).
require("../../scripts/build").ensureBuilt();
require("ts-node").register({ transpileOnly: true, transpiler: require.resolve("./cached-transpiler") });

// @pulumi/pulumi records a stack trace for every promise it creates (runtime/debuggable.js, `new Error().stack`,
// printed only when a promise leaks). Through ts-node's source-map support each of those maps every frame — about
// 15 s of CPU in a run of the suite, for stacks nobody reads. Those keep V8's own format; every other stack is
// mapped to the TypeScript sources as before.
const mapStack = Error.prepareStackTrace;
if (typeof mapStack === "function") {
  const debuggable = path.join("@pulumi", "pulumi", "runtime", "debuggable.js");
  Error.prepareStackTrace = function prepareStackTrace(error, callSites) {
    const top = callSites[0];
    if (top && top.getFunctionName() === "debuggablePromise" && (top.getFileName() || "").endsWith(debuggable)) {
      return `${error}${callSites.map((c) => `\n    at ${c}`).join("")}`;
    }
    return mapStack(error, callSites);
  };
}
