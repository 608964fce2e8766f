/**
 * Finding the Cerby app in the org: by App instance ID (confirmed to exist and be ACTIVE), or by its label with an
 * exact, case-insensitive match. Never guesses: zero or several candidates are errors that say what to set.
 */
import { APP_INSTANCE_ID_PATTERN } from "../cerby/contract";
import { OktaApplication, OktaClient } from "./client";
import { UserError } from "../http";

export const DEFAULT_APP_LABEL = "Cerby";

/** Resolves the Cerby app. Throws an Error that says what was searched and what to set. */
export async function resolveCerbyApp(
  client: OktaClient,
  opts: { appInstanceId?: string; label?: string },
): Promise<OktaApplication> {
  const org = client.orgUrl;
  if (opts.appInstanceId !== undefined && opts.appInstanceId !== "") {
    const id = opts.appInstanceId;
    if (!new RegExp(APP_INSTANCE_ID_PATTERN).test(id)) {
      throw new UserError(
        `Okta: ${JSON.stringify(id.slice(0, 40))} is not an Okta app ID: it must be 20 letters and digits starting ` +
          "with 0oa (the segment after /instance/ in the Cerby app's Okta admin URL).",
      );
    }
    const app = await client.getApp(id);
    if (app.status !== "ACTIVE") throw inactiveError(org, [app]);
    return app;
  }
  const label = (opts.label ?? DEFAULT_APP_LABEL).trim();
  const seen = await client.listApps({ q: label });
  const matches = seen.filter((a) => a.label.toLowerCase() === label.toLowerCase());
  const active = matches.filter((a) => a.status === "ACTIVE");
  if (active.length === 1) return active[0];
  const list = (apps: OktaApplication[]) => apps.map((a) => `${a.id} "${a.label}" (${a.status})`).join(", ");
  if (active.length > 1) {
    throw new UserError(
      `Okta: ${active.length} ACTIVE apps in ${org} are labelled "${label}": ${list(active)}. Pulumi will not guess ` +
        "which one is Cerby: set appInstanceId to the right one (the segment after /instance/ in its Okta admin URL).",
    );
  }
  if (matches.length > 0) throw inactiveError(org, matches);
  const near = seen.length > 0 ? ` Apps whose name or label starts with it: ${list(seen.slice(0, 10))}.` : "";
  throw new UserError(
    `Okta: no app labelled "${label}" in ${org} (searched q="${label}", ${seen.length} app(s) seen, exact label ` +
      `match ignoring case).${near} Add the Cerby app from the Okta Integration Network, or set appInstanceId (or the ` +
      "label) to the app you use.",
  );
}

function inactiveError(org: string, apps: OktaApplication[]): Error {
  const names = apps.map((a) => `${a.id} "${a.label}"`).join(", ");
  return new Error(
    `Okta: the Cerby app ${names} in ${org} is INACTIVE. Activate it in the Okta Admin Console → Applications → ` +
      `${apps[0].label} → Activate (or select the ACTIVE one with appInstanceId), then rerun.`,
  );
}

/**
 * Admin Console URL of an app: `https://{org}-admin.okta.com/admin/app/{name}/instance/{id}/` for Okta-hosted orgs
 * (okta.com, oktapreview.com, okta-emea.com), else `{orgUrl}/admin/app/{name}/instance/{id}/` (custom domains,
 * emulators).
 */
export function oktaAdminUrl(orgUrl: string, appName: string, appId: string): string {
  const path = `/admin/app/${encodeURIComponent(appName)}/instance/${encodeURIComponent(appId)}/`;
  const u = new URL(orgUrl);
  const m = /^([^.]+)\.(okta\.com|oktapreview\.com|okta-emea\.com)$/i.exec(u.hostname);
  if (m && !/-admin$/i.test(m[1])) return `https://${m[1]}-admin.${m[2]}${path}`;
  return `${orgUrl.replace(/\/+$/, "")}${path}`;
}
