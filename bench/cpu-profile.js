// @ts-check
// Preloaded (NODE_OPTIONS=--require) into every Node.js process of a profiled benchmark command (bench/cli-engine.ts):
// a V8 CPU profile of the whole process, written to $BENCH_CPU_PROFILE_DIR/<pid>.cpuprofile when it ends — what
// `--cpu-prof` does, which Node.js 20 refuses in NODE_OPTIONS. The Pulumi CLI stops its plugins with SIGINT and the
// benchmark its program host with SIGTERM: the process exits on them (as it would) after writing the profile.
"use strict";
const fs = require("node:fs");
const inspector = require("node:inspector");
const path = require("node:path");

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  // --cpu-prof's default sampling interval (1 ms).
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // An in-thread session answers synchronously: this works inside an 'exit' handler.
    session.post("Profiler.stop", (err, r) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(r.profile));
    });
  };
  process.on("exit", write);
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => process.exit(0));
}
