// `npm test`'s mocha configuration: .mocharc.json's settings, with test files run in parallel, one worker per core and at
// least two (most slow files mostly wait on child processes, servers and timers), longest first so that no long file
// starts last. Only tests/component/sandbox.test.ts binds the sandbox's fixed ports (18080/18081).
// Run one file on its own with plain `npx mocha <file>` (.mocharc.json, serial): file arguments given with this config
// are added to its whole list, not run alone.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const base = require("./.mocharc.json");

/** Longest first (seconds on 2 cores, measured); every other test file follows in name order. */
const LONGEST_FIRST = [
  "tests/e2e/cli.test.ts",
  "tests/hardening/faults.test.ts",
  "tests/package/pack.test.ts",
  "tests/component/sandbox.test.ts",
  "tests/e2e/scale.test.ts",
  "tests/emulators/okta.test.ts",
  "tests/contract/okta-spec.test.ts",
  "tests/hardening/secret-hygiene.test.ts",
  "tests/http/limiter.test.ts",
  "tests/hardening/bad-input.test.ts",
];

function testFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => f.split(path.sep).join("/"))
    .sort();
}

const all = testFiles("tests");
const first = LONGEST_FIRST.filter((f) => all.includes(f));

module.exports = {
  ...base,
  parallel: true,
  jobs: Math.max(2, os.cpus().length),
  spec: [...first, ...all.filter((f) => !first.includes(f))],
};
