/**
 * The Cerby side's orchestration, as plain functions of a client and inputs: what the provider's create/update/read
 * run, and what `npm run verify` reuses to decide "converged". No Pulumi here, no credentials held.
 */
import { CerbyClient, UniversalLogoutSetting } from "./client";
import { WORKSPACE_PATTERN, webAppSteps, workspaceBaseUrl } from "./contract";
import { CerbyUniversalLogoutInputs, checkCerbyInputs, cerbyBaseUrl } from "./inputs";
import { logInfo, logWarn } from "../log";
import { UserError } from "../http";
import type { CerbyUniversalLogoutState } from "./state";
import { cerbyModeCallsCerby } from "../modes";

/** Suffix of the resource id: one setting per workspace, so the workspace URL plus this names it. */
const ID_SUFFIX = "#okta-universal-logout";

/** Stable id of the setting: one per workspace. */
export function cerbySettingId(inputs: CerbyUniversalLogoutInputs): string {
  return `${cerbyBaseUrl(inputs)}${ID_SUFFIX}`;
}

/** Whether the live setting is what is wanted: on with this App instance ID, or off (any ID). */
export function cerbySettingMatches(
  live: Pick<UniversalLogoutSetting, "enabled" | "appInstanceId">,
  enabled: boolean,
  appInstanceId: string | null,
): boolean {
  return live.enabled === enabled && (!enabled || live.appInstanceId === appInstanceId);
}

/** The IdP-settings precondition, then one idempotent write: safe to repeat after a failed or partial run. */
export async function convergeCerby(
  client: CerbyClient,
  inputs: CerbyUniversalLogoutInputs,
  /** Confirms the App instance ID before anything is written (a label lookup's pick: read by its ID in Okta). */
  confirmAppInstanceId?: () => Promise<unknown>,
): Promise<CerbyUniversalLogoutState> {
  const url = cerbyBaseUrl(inputs);
  if (!cerbyModeCallsCerby(inputs.mode)) {
    const note = inputs.enabled
      ? `Cerby (manual mode): Pulumi made no call to ${url}. ${webAppSteps(inputs.appInstanceId)}`
      : `Cerby (manual mode): to turn it off, in the Cerby web app switch off "Enable Okta Universal Logout" for ${url}.`;
    logInfo(note);
    return { ...inputs, url, warnings: [note] };
  }
  if (inputs.enabled) await confirmAppInstanceId?.();
  const warnings: string[] = [];
  const idp = await client.getIdpSettings();
  const problems: string[] = [];
  if (idp.idpType !== "okta") problems.push(`the workspace's IdP is ${idp.idpType ?? "not set"}, not Okta`);
  if (!idp.scimEnabled) problems.push("SCIM provisioning (Directory Sync) is off");
  if (problems.length > 0) {
    const msg =
      `Cerby workspace ${url}: ${problems.join(" and ")}. Universal Logout only works for users provisioned from Okta: ` +
      "set up Okta provisioning (Okta: the Cerby app → Provisioning → Enable API integration with the SCIM token from " +
      "Cerby's IDP Settings → Directory Sync).";
    if (inputs.requireScimProvisioning) {
      throw new UserError(`${msg} Nothing was changed (requireScimProvisioning is set).`);
    }
    warnings.push(msg);
    logWarn(msg);
  }
  // Pulumi calls create/update only when state differs from the program, so there is something to write; the
  // contract's PUT is idempotent (the same body leaves the setting and its updatedAt as they are) and answers with
  // the setting after the change, so no read before it: a repeated run after a failure converges the same way.
  const live = await client.putUniversalLogout(inputs.enabled, inputs.enabled ? inputs.appInstanceId : null);
  return {
    ...inputs,
    url,
    enabled: live.enabled,
    appInstanceId: live.appInstanceId ?? inputs.appInstanceId,
    idpType: idp.idpType,
    scimEnabled: idp.scimEnabled,
    updatedAt: live.updatedAt ?? null,
    warnings,
  };
}

/**
 * Whether `read` was given the resource's state (refresh), as opposed to the serialized provider alone (`get`): the
 * state names the workspace.
 */
export function cerbyHasState(props?: Partial<CerbyUniversalLogoutState>): props is CerbyUniversalLogoutState {
  return !!props && !!(props.workspace || props.baseUrl);
}

/**
 * What read works from. With state (refresh), its inputs. Without (`CerbyUniversalLogout.get`, where Pulumi's plugin
 * passes only the serialized provider and any properties given to `get`), the id names the workspace URL; the settings
 * path is the default unless `get` was given one, and the mode is "api". A URL of the form https://{workspace}.cerby.com
 * becomes `workspace`, as a program written with cerby:workspace declares it (so the next `up` does not replace it).
 */
export function cerbyReadInputs(id: string, props?: Partial<CerbyUniversalLogoutState>): CerbyUniversalLogoutInputs {
  if (cerbyHasState(props)) {
    return checkCerbyInputs(props as unknown as Record<string, unknown>).inputs;
  }
  const url = id.endsWith(ID_SUFFIX) ? id.slice(0, -ID_SUFFIX.length) : undefined;
  const named = url?.match(/^https:\/\/([^/]+)\.cerby\.com$/)?.[1];
  const workspace =
    named && new RegExp(WORKSPACE_PATTERN).test(named) && workspaceBaseUrl(named) === url ? named : undefined;
  const { inputs, failures } = checkCerbyInputs({
    settingsPath: props?.settingsPath,
    ...(workspace ? { workspace } : { baseUrl: url }),
  });
  const bad = failures.find(
    (f) => f.property === "workspace" || f.property === "baseUrl" || f.property === "settingsPath",
  );
  if (url === undefined || bad) {
    throw new UserError(
      `Cannot read the Cerby Universal Logout setting ${JSON.stringify(id)}: expected an id of the form ` +
        `<workspace URL>${ID_SUFFIX}, e.g. https://acme.cerby.com${ID_SUFFIX} (the id \`pulumi up\` records)` +
        `${bad ? `; ${bad.property} ${bad.reason}` : ""}.`,
    );
  }
  return { ...inputs, mode: "api" };
}

/**
 * The live setting as state plus inputs. With prior state, one read, and the state keeps what it had (warnings, IdP
 * findings); without, the IdP settings are read too so the state is complete. Returning inputs (with the live values)
 * makes `preview --refresh` and the next `up` diff against what Cerby has now.
 */
export async function readCerby(
  client: CerbyClient,
  inputs: CerbyUniversalLogoutInputs,
  props?: Partial<CerbyUniversalLogoutState>,
): Promise<{ props: CerbyUniversalLogoutState; inputs: CerbyUniversalLogoutInputs }> {
  const live = await client.getUniversalLogout();
  const observed = { enabled: live.enabled, appInstanceId: live.appInstanceId };
  // appInstanceId is null where Cerby has none (the setting is off): the next `up` then writes the program's.
  const nextInputs = { ...inputs, ...observed } as CerbyUniversalLogoutInputs;
  if (cerbyHasState(props)) {
    const next = { ...props, ...observed, updatedAt: live.updatedAt ?? null } as CerbyUniversalLogoutState;
    return { props: next, inputs: nextInputs };
  }
  const idp = await client.getIdpSettings();
  return {
    props: {
      ...nextInputs,
      url: cerbyBaseUrl(inputs),
      idpType: idp.idpType,
      scimEnabled: idp.scimEnabled,
      updatedAt: live.updatedAt ?? null,
      warnings: [],
    },
    inputs: nextInputs,
  };
}

/** Turn the setting off: one idempotent write (no read first), so already off stays off. */
export async function disableCerby(client: CerbyClient): Promise<void> {
  await client.putUniversalLogout(false, null);
}
