// A ts-node transpiler (the `"ts-node": { "transpiler": … }` option of a tsconfig.json) that keeps what TypeScript's
// transpileModule emits in a cache on disk, keyed by the source, the file name, the compiler options and TypeScript's
// version. The real-CLI scenario tests start a program host and a dynamic-provider plugin per `pulumi` command, and
// each would otherwise transpile the same ~25 files of components/ cold (about 1 s of CPU per process). The output is
// the one TypeScript itself would give (a miss calls it; a changed file is a new key), so nothing is faked: only
// repeated work is skipped. Transpile-only, like ts-node's own transpileOnly; type errors are `npm run lint`'s job.
// Plain JavaScript: ts-node loads it before anything TypeScript can.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const uid = typeof process.getuid === "function" ? process.getuid() : "user";
const DIR = process.env.CERBY_TS_CACHE_DIR || path.join(os.tmpdir(), `cerby-ts-transpile-cache-${uid}`);

exports.create = function create({ service }) {
  const ts = require(service.projectLocalResolveHelper("typescript", true));
  const compilerOptions = service.config.options;
  const salt = `${ts.version}\n${JSON.stringify(compilerOptions)}\n`;
  return {
    transpile(input, { fileName }) {
      const key = crypto.createHash("sha256").update(salt).update(fileName).update("\n").update(input).digest("hex");
      const file = path.join(DIR, `${key}.json`);
      try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
      } catch {
        // not cached yet (or unreadable): transpile below
      }
      const out = ts.transpileModule(input, { fileName, compilerOptions, reportDiagnostics: true });
      const result = { outputText: out.outputText, sourceMapText: out.sourceMapText };
      if (out.diagnostics && out.diagnostics.length > 0) return { ...result, diagnostics: out.diagnostics };
      try {
        fs.mkdirSync(DIR, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(result));
        fs.renameSync(tmp, file); // atomic: concurrent processes never read half a file
      } catch {
        // a cache that cannot be written only costs time
      }
      return result;
    },
  };
};
