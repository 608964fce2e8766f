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
require("ts-node").register({ transpileOnly: true, transpiler: require.resolve("./cached-transpiler") });
