/**
 * The one HTTP layer both vendor clients use, by concern: ./client (the request function), ./retry (which answers
 * are retried, server waits, backoff), ./limiter (per-origin concurrency and rate-limit pacing, process-wide),
 * ./url (https unless loopback, one origin, normal-form base URLs), ./proxy (HTTPS_PROXY / NO_PROXY, CONNECT tunnels), ./errors (UserError, VendorError, sanitizing,
 * shared advice), ./defaults (HTTP_DEFAULTS). Import from here ("../http"), not from the files.
 */
export * from "./client";
export * from "./defaults";
export * from "./errors";
export * from "./limiter";
export * from "./proxy";
export * from "./retry";
export * from "./url";
