// @ts-check
// Okta Universal Logout for Cerby: the stack program (Pulumi.yaml `main`). It runs the compiled module
// (components/program.ts → dist/components/program.js), rebuilt first only if a source changed since the last build
// (scripts/build.js), so no TypeScript is compiled per command. Configure it with `pulumi config` (Pulumi.yaml, README).
"use strict";
require("./scripts/build").ensureBuilt();
/** @type {typeof import("./components/program")} */
const program = require(require("node:path").join(__dirname, "dist", "components", "program"));
module.exports = program.main();
