/** `npm run emulators`: the sandbox's emulators in the foreground, until Ctrl-C. */
import { SANDBOX, portInUseMessage, startSandbox } from "./sandbox";

void (async () => {
  const s = await startSandbox().catch((e: unknown) => {
    const message = portInUseMessage(e);
    if (!message) throw e;
    console.error(message);
    process.exit(1);
  });
  console.log(`Cerby emulator: ${s.cerby.workspaceUrl(SANDBOX.workspace)} (API key ${SANDBOX.cerbyApiKey})`);
  console.log(`Okta emulator:  ${s.okta.baseUrl} (API token ${SANDBOX.oktaApiToken}); Cerby app ${SANDBOX.appId}`);
})();
// Throwaway sandbox values only: these emulators hold no real data.
process.on("SIGINT", () => process.exit(0));
