/**
 * Loads a provider implementation for the references in provider-ref.ts, in the process that runs the provider (the
 * plugin, a test). Plain JavaScript, so the plugin needs nothing to read it. `file` is relative to the package root
 * (this file's parent directory); a compiled .js is preferred, else the .ts source through the project's ts-node.
 */
"use strict";
const path = require("path");

module.exports = function load(file, exportName) {
  const base = path.join(__dirname, "..", file);
  let resolved;
  try {
    resolved = require.resolve(base);
  } catch {
    if (!require.extensions[".ts"]) {
      const tsNode = require(require.resolve("ts-node", { paths: [process.cwd(), __dirname] }));
      tsNode.register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
    }
    resolved = require.resolve(`${base}.ts`);
  }
  const impl = require(resolved)[exportName];
  if (!impl) throw new Error(`${resolved} does not export ${exportName}: the installed module is not this one.`);
  return impl;
};
