/**
 * Every byte of the assumed Cerby endpoint for the workspace's Okta Universal Logout setting lives here, so it can be
 * corrected in one place once Cerby documents it. Cerby publishes no API for this setting (see README, "The assumed
 * Cerby contract", and docs/cerby-contract.md).
 *
 * Schemas are built once, on first use (`once`): the module is loaded by the provider reference, not serialized.
 */
import { z } from "zod";
import { once } from "../shared";

/** Default settings path prefix under the workspace URL; overridable with `cerby:settingsPath`. */
export const DEFAULT_SETTINGS_PATH = "/api/v1/settings/idp";

/** A workspace name is the subdomain of `{workspace}.cerby.com`: a lower-case DNS label. */
export const WORKSPACE_PATTERN = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$";

export function workspaceBaseUrl(workspace: string): string {
  return `https://${workspace}.cerby.com`;
}

export function universalLogoutPath(settingsPath: string): string {
  return `${settingsPath.replace(/\/+$/, "")}/universal-logout`;
}

export function idpSettingsPath(settingsPath: string): string {
  return settingsPath.replace(/\/+$/, "");
}

/** The desired state as the PUT body. `enabled: false` clears the App instance ID on Cerby's side. */
export function universalLogoutBody(enabled: boolean, appInstanceId: string | null): unknown {
  return {
    data: {
      type: "universal-logout-settings",
      attributes: { provider: "okta", enabled, appInstanceId: enabled ? appInstanceId : null },
    },
  };
}

/**
 * Longest string accepted from a server in any field that can reach state or a message: answers are bounded, so a
 * hostile or broken server cannot grow the stack's state (an App instance ID is 20 characters, a timestamp ~30).
 */
export const MAX_FIELD = { id: 64, short: 64, text: 256 } as const;

export const universalLogoutResponseSchema = once(() =>
  z.object({
    data: z.object({
      id: z.string().max(MAX_FIELD.text).optional(),
      type: z.literal("universal-logout-settings"),
      attributes: z.object({
        provider: z.string().max(MAX_FIELD.short),
        enabled: z.boolean(),
        appInstanceId: z.string().max(MAX_FIELD.id).nullable().optional(),
        updatedAt: z.string().max(MAX_FIELD.short).nullable().optional(),
        updatedBy: z.string().max(MAX_FIELD.text).nullable().optional(),
      }),
    }),
  }),
);

export const idpSettingsResponseSchema = once(() =>
  z.object({
    data: z.object({
      type: z.literal("idp-settings"),
      attributes: z.object({
        idpType: z.string().max(MAX_FIELD.short).nullable(),
        ssoProtocol: z.string().max(MAX_FIELD.short).nullable().optional(),
        scimProvisioning: z
          .object({ enabled: z.boolean(), usersProvisioned: z.number().nullable().optional() })
          .nullable()
          .optional(),
      }),
    }),
  }),
);

/** Cerby's documented error envelope, parsed leniently: `status` as number or string, any `code` spelling. */
export const errorBodySchema = once(() =>
  z.object({
    errors: z
      .array(
        z
          .object({
            code: z.union([z.string(), z.number()]).nullable().optional(),
            title: z.string().nullable().optional(),
            detail: z.string().nullable().optional(),
            status: z.union([z.string(), z.number()]).nullable().optional(),
            meta: z.unknown().optional(),
          })
          .passthrough(),
      )
      .min(1),
  }),
);

/** The web-app steps of the vendor's procedure, for manual mode and for the "no such endpoint" error. */
export function webAppSteps(appInstanceId: string): string {
  return (
    "In the Cerby web app, as workspace Owner, Super Admin or Admin: Settings → Workspace Configuration → " +
    'IDP Settings tab → Universal Logout → switch "Enable Okta Universal Logout" → in "Universal Logout Config", ' +
    `paste App instance Id ${appInstanceId} → "Enable Universal Logout".`
  );
}
