/**
 * Finding the Cerby app in the org: by App instance ID (confirmed to exist and be ACTIVE), or by its label with an
 * exact, case-insensitive match — and then, before Cerby is written, read by its ID (confirmLabelledApp, which the
 * Cerby provider calls right before its write: a read on every `up` and preview would cost one Okta call per binding
 * where one list page serves 200). Never guesses: zero or several candidates are errors that say what to set. What
 * Okta answers is checked, not trusted: the app read for an ID must carry that ID (OktaClient.getApp).
 */
import { APP_INSTANCE_ID_PATTERN } from "../app-instance-id";
import { OktaApplication, OktaClient } from "./client";
import { UserError } from "../http";
import { processMap } from "../settings";

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
  return listedAppId(org, label, pickByLabel(org, label, await client.listApps({ q: label })));
}

/** A label lookup's pick, whose listed id must at least be an Okta app ID: Cerby is bound to nothing else. */
function listedAppId(org: string, label: string, listed: OktaApplication): OktaApplication {
  if (!new RegExp(APP_INSTANCE_ID_PATTERN).test(listed.id)) {
    throw new UserError(
      `Okta: the app labelled "${label}" in ${org} is listed with the id ${JSON.stringify(listed.id.slice(0, 64))}, ` +
        "which is not an Okta app ID (20 letters and digits starting with 0oa), so Pulumi cannot bind Cerby to it. " +
        `Check that ${org} is the Okta org itself (not a proxy), or set appInstanceId to the Cerby app's ID (the ` +
        "segment after /instance/ in its Okta admin URL).",
    );
  }
  return listed;
}

/**
 * The app a label lookup picked, read by its ID before Cerby is written (the Cerby provider calls this right before
 * its write): Okta must answer for that ID with that app, still ACTIVE and still labelled `label`. A list entry alone
 * is never what Cerby is bound to.
 */
export async function confirmLabelledApp(client: OktaClient, label: string, id: string): Promise<OktaApplication> {
  const org = client.orgUrl;
  const app = await client.getApp(id);
  if (app.status !== "ACTIVE") throw inactiveError(org, [app]);
  if (app.label.toLowerCase() !== label.toLowerCase()) {
    throw new UserError(
      `Okta: the app ${app.id} was found by its label "${label}" in ${org}, but read by its ID it is labelled ` +
        `"${app.label}", so Pulumi will not bind Cerby to it. If it was renamed just now, rerun; otherwise set ` +
        "appInstanceId to the Cerby app's ID (the segment after /instance/ in its Okta admin URL).",
    );
  }
  return app;
}

/** The one ACTIVE app labelled `label` among `seen` (the apps whose name or label starts with it, as Okta's q). */
export function pickByLabel(org: string, label: string, seen: OktaApplication[]): OktaApplication {
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

/**
 * Resolves from a full listing of the org's apps, as resolveCerbyApp would: a given ID found in it is that app (the
 * entry carries the ID asked for); an ID not in it is read directly; a label's pick must carry an Okta app ID.
 */
async function resolveFromListing(
  client: OktaClient,
  all: OktaApplication[],
  opts: { appInstanceId?: string; label?: string },
): Promise<OktaApplication> {
  if (opts.appInstanceId !== undefined && opts.appInstanceId !== "") {
    const app = all.find((a) => a.id === opts.appInstanceId);
    // Not listed (a bad ID, or one the list does not show): the direct read gives Okta's own answer.
    if (!app) return resolveCerbyApp(client, opts);
    if (app.status !== "ACTIVE") throw inactiveError(client.orgUrl, [app]);
    return app;
  }
  const label = (opts.label ?? DEFAULT_APP_LABEL).trim();
  const l = label.toLowerCase();
  const seen = all.filter((a) => a.name.toLowerCase().startsWith(l) || a.label.toLowerCase().startsWith(l));
  return listedAppId(client.orgUrl, label, pickByLabel(client.orgUrl, label, seen));
}

interface Lookup {
  opts: { appInstanceId?: string; label?: string };
  resolve: (app: OktaApplication) => void;
  reject: (e: unknown) => void;
}

interface Batch {
  client: OktaClient;
  lookups: Lookup[];
}

/** Process-global, keyed by org: open batches of lookups, shared by every copy of this module the program loads. */
function openBatches(): Map<string, Batch> {
  return processMap<Batch>("app-lookups");
}

/**
 * resolveCerbyApp for a program with many bindings: the lookups one run starts together (in the same turns of the
 * event loop) share one walk of `GET /api/v1/apps` (200 apps a page), so k lookups cost at most k apps-bucket calls —
 * one page per 200 apps in the org — instead of k. A single lookup is one direct call, as before. If the org has more
 * than 200·k apps, the walk stops after k pages and each lookup is made directly. Nothing is cached beyond the batch:
 * the next run reads Okta again.
 */
export function resolveCerbyAppShared(
  client: OktaClient,
  opts: { appInstanceId?: string; label?: string },
): Promise<OktaApplication> {
  const batches = openBatches();
  return new Promise<OktaApplication>((resolve, reject) => {
    let batch = batches.get(client.orgUrl);
    if (!batch) {
      batch = { client, lookups: [] };
      batches.set(client.orgUrl, batch);
      scheduleFlush(client.orgUrl, batch);
    }
    batch.lookups.push({ opts, resolve, reject });
  });
}

function scheduleFlush(org: string, batch: Batch): void {
  // Wait until a turn of the event loop adds no lookup (the program registers its bindings in a burst), then go.
  let seen = -1;
  let turns = 0;
  const tick = () => {
    if (batch.lookups.length !== seen && turns++ < 20) {
      seen = batch.lookups.length;
      setImmediate(tick);
      return;
    }
    if (openBatches().get(org) === batch) openBatches().delete(org);
    void flush(batch);
  };
  setImmediate(tick);
}

async function flush(batch: Batch): Promise<void> {
  const { client, lookups } = batch;
  const one = (l: Lookup, p: Promise<OktaApplication>) => p.then(l.resolve, l.reject);
  if (lookups.length === 1) return one(lookups[0], resolveCerbyApp(client, lookups[0].opts));
  let all: OktaApplication[] | undefined;
  try {
    all = await client.listAllApps(lookups.length);
  } catch (e) {
    for (const l of lookups) l.reject(e);
    return;
  }
  await Promise.all(
    lookups.map((l) => one(l, all ? resolveFromListing(client, all, l.opts) : resolveCerbyApp(client, l.opts))),
  );
}

/** The only candidates are not ACTIVE: INACTIVE ones can be activated; DELETED (or another status) cannot. */
function inactiveError(org: string, apps: OktaApplication[]): UserError {
  const names = apps.map((a) => `${a.id} "${a.label}"`).join(", ");
  const statuses = [...new Set(apps.map((a) => a.status))].join(" / ");
  const advice = apps.some((a) => a.status === "INACTIVE")
    ? `Activate it in the Okta Admin Console → Applications → ${apps[0].label} → Activate (or select the ACTIVE one ` +
      "with appInstanceId), then rerun."
    : "Set appInstanceId to the Cerby app in use (the segment after /instance/ in its Okta admin URL), or add the " +
      "Cerby app from the Okta Integration Network.";
  return new UserError(`Okta: the Cerby app ${names} in ${org} is ${statuses}. ${advice}`);
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
