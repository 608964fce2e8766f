// Preloaded (NODE_OPTIONS=--require) into the processes a real-CLI test starts — the program and the dynamic-provider
// plugin — so no test can reach past this machine: a host name that is not loopback fails to resolve (ENOTFOUND),
// as it would on a machine with no route out. Plain JavaScript: it loads before any TypeScript hook.
"use strict";
const dns = require("node:dns");
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/i;
const refuse = (hostname) =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (tests reach loopback only)`), {
    code: "ENOTFOUND",
    hostname,
  });
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  const cb = typeof options === "function" ? options : callback;
  if (!LOOPBACK.test(String(hostname))) return process.nextTick(cb, refuse(hostname));
  return lookup.apply(this, arguments);
};
const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, ...rest) {
  if (!LOOPBACK.test(String(hostname))) return Promise.reject(refuse(hostname));
  return promisesLookup.call(this, hostname, ...rest);
};
