/**
 * Set-up shared by test files: each provider against its emulator with a credential, and the clean-up of a
 * driver rig (engine, emulators, temporary folder).
 */
import * as fs from "node:fs";
import { cerbyUniversalLogoutProvider } from "../../components/cerby/provider";
import { oktaUniversalLogoutProvider } from "../../components/okta/provider";
import { CerbyEmulator } from "../emulators/cerby";
import { OktaEmulator } from "../emulators/okta";
import { configOf } from "./serialize";

/** Mocha hooks: start `emu` with `token`, short retry delays, and the Okta provider configured with the token. */
export function useOktaProviderRig(emu: OktaEmulator, token: string): void {
  before(async () => {
    await emu.start();
    emu.addApiToken(token);
    process.env.OKTA_HTTP_BASE_DELAY_MS = "5";
    await oktaUniversalLogoutProvider.configure(configOf({ "okta:apiToken": token }));
  });
  after(async () => {
    delete process.env.OKTA_HTTP_BASE_DELAY_MS;
    await emu.stop();
  });
}

/** Mocha hooks: start `emu` with workspace "acme" and a Super Admin's `key`, short retry delays, the Cerby provider
 * configured with the key. */
export function useCerbyProviderRig(emu: CerbyEmulator, key: string): void {
  before(async () => {
    await emu.start();
    emu.addWorkspace("acme");
    emu.addApiKey("acme", key, { role: "super_admin" });
    process.env.CERBY_HTTP_BASE_DELAY_MS = "5";
    await cerbyUniversalLogoutProvider.configure(configOf({ "cerby:apiKey": key }));
  });
  after(async () => {
    delete process.env.CERBY_HTTP_BASE_DELAY_MS;
    await emu.stop();
  });
}

/** Stops what a rig started (engine first, then the emulators) and removes its folder. */
export async function stopRig(stoppable: Array<{ stop(): Promise<unknown> } | undefined>, dir?: string): Promise<void> {
  for (const s of stoppable) await s?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
