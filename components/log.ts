import * as pulumi from "@pulumi/pulumi";

/**
 * Logs through Pulumi's engine when there is one (the program), else to stderr (the dynamic-provider plugin, tests).
 * Providers also return their warnings as outputs, which the component logs in the program where the CLI shows them.
 */
export function logWarn(msg: string): void {
  void pulumi.log.warn(msg).catch(() => undefined);
}

export function logInfo(msg: string): void {
  void pulumi.log.info(msg).catch(() => undefined);
}
