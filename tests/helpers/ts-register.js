// Mocha's TypeScript loader: ts-node, transpile-only (npm run lint type-checks), through the cache of transpiled files
// (./cached-transpiler.js), so the suite's parallel workers and repeated runs do not transpile the same files again.
"use strict";
require("ts-node").register({ transpileOnly: true, transpiler: require.resolve("./cached-transpiler") });
