/**
 * The sandbox: both emulators, seeded to match Pulumi.dev.yaml, so a newcomer needs no Okta or Cerby tenant.
 * The credentials below are throwaway values that only these emulators accept.
 */
import { CerbyEmulator, GTR_PATH } from "./cerby";
import { OktaEmulator } from "./okta";

export const SANDBOX = {
  cerbyPort: 18080,
  oktaPort: 18081,
  workspace: "sandbox",
  cerbyApiKey: "sandbox-cerby-api-key-not-a-secret",
  oktaApiToken: "sandbox-okta-api-token-not-a-secret",
  appId: "0oa5andb0xCerby00001",
  user: "ada@example.com",
};

export interface Sandbox {
  cerby: CerbyEmulator;
  okta: OktaEmulator;
  stop(): Promise<void>;
}

/** Starts and seeds both emulators; ports 0 pick free ones (tests), the defaults match Pulumi.dev.yaml. */
export async function startSandbox(ports = { cerby: SANDBOX.cerbyPort, okta: SANDBOX.oktaPort }): Promise<Sandbox> {
  const cerby = new CerbyEmulator();
  const okta = new OktaEmulator({ orgName: "sandbox" });
  await cerby.start(ports.cerby);
  const oktaUrl = await okta.start(ports.okta).catch(async (e: unknown) => {
    await cerby.stop();
    throw e;
  });
  cerby.oktaJwksUrl = `${oktaUrl}/oauth2/v1/keys`;
  cerby.addWorkspace(SANDBOX.workspace);
  cerby.addApiKey(SANDBOX.workspace, SANDBOX.cerbyApiKey, { role: "admin" });
  cerby.addUser(SANDBOX.workspace, SANDBOX.user, { provisionedBy: "scim" });
  okta.addApiToken(SANDBOX.oktaApiToken, { role: "SUPER_ADMIN" });
  okta.addApp({
    id: SANDBOX.appId,
    label: "Cerby",
    universalLogout: "DISABLED",
    gtrEndpoint: `${cerby.workspaceUrl(SANDBOX.workspace)}${GTR_PATH}`,
  });
  return {
    cerby,
    okta,
    stop: async () => {
      await cerby.stop();
      await okta.stop();
    },
  };
}

/** What to tell a user whose sandbox port is taken (EADDRINUSE), or undefined for any other error. */
export function portInUseMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { port?: number };
  if (err?.code !== "EADDRINUSE") return undefined;
  return (
    `Port ${err.port} on 127.0.0.1 is already in use; the sandbox needs ${SANDBOX.cerbyPort} (Cerby) and ` +
    `${SANDBOX.oktaPort} (Okta), as Pulumi.dev.yaml says. Stop what holds it (another \`npm run sandbox\` or ` +
    `\`npm run emulators\`?): \`ss -ltnp 'sport = :${err.port}'\` shows the process. Then rerun.`
  );
}
