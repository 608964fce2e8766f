/**
 * Run by tests/http/proxy.test.ts in a child process, so NODE_EXTRA_CA_CERTS (read once at start-up, as for a user
 * behind a proxy) can trust the test's self-signed target: one Cerby read of $TARGET with the environment as given
 * (HTTPS_PROXY, NO_PROXY), printed as one JSON line.
 */
import { CerbyClient } from "../../components/cerby/client";

const client = new CerbyClient({
  baseUrl: process.env.TARGET!,
  apiKey: () => process.env.CERBY_TEST_KEY!,
  retry: { retries: 0 },
});
client.getUniversalLogout().then(
  (ok) => console.log(JSON.stringify({ ok })),
  (e: Error) => console.log(JSON.stringify({ error: e.message })),
);
