// `npm test`'s mocha configuration: .mocharc.json's settings, with test files run in parallel, one worker more than
// there are cores (several files mostly wait on timers, retries and child processes; with a worker per core the cores
// sat idle a quarter of the run), longest first so that no long file starts last. Only tests/component/sandbox.test.ts
// binds the sandbox's fixed ports (18080/18081).
// Run one file on its own with plain `npx mocha <file>` (.mocharc.json, serial): file arguments given with this config
// are added to its whole list, not run alone.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const base = require("./.mocharc.json");

/** Longest first (measured on 2 cores); every other test file follows in name order. */
const LONGEST_FIRST = [
  "tests/e2e/cli.test.ts",
  "tests/e2e/interrupted.test.ts",
  "tests/e2e/python.test.ts",
  "tests/e2e/go.test.ts",
  "tests/e2e/yaml.test.ts",
  "tests/hardening/faults-okta.test.ts",
  "tests/package/pack.test.ts",
  "tests/hardening/faults-cerby.test.ts",
  "tests/e2e/cli-stacks.test.ts",
  "tests/component/sandbox.test.ts",
  "tests/provider/dynamic-provider.test.ts",
  "tests/http/server-clock.test.ts",
  "tests/hardening/faults-okta-oauth.test.ts",
  "tests/emulators/okta.test.ts",
  "tests/contract/okta-spec.test.ts",
  "tests/hardening/secret-hygiene.test.ts",
  "tests/http/limiter.test.ts",
  "tests/hardening/bad-input.test.ts",
  "tests/e2e/scale.test.ts",
  "tests/okta/provider.test.ts",
  "tests/component/caller-env.test.ts",
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
  jobs: Math.max(2, os.cpus().length) + 1,
  spec: [...first, ...all.filter((f) => !first.includes(f))],
};
