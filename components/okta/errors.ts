/**
 * Turns failed Okta calls into VendorErrors with advice: Management API errors (`errorCode`, `errorSummary`,
 * `errorId`) and the org authorization server's OAuth errors (`error`, `error_description`). Schemas are built once.
 */
import { z } from "zod";
import { once } from "../shared";
import type { FailureInfo, RedirectAdvice } from "../http";
import {
  VendorError,
  failureFields,
  isWrite,
  malformedAnswerHint,
  serverErrorHint,
  redirectHint,
  transportHint,
} from "../http";

/** What the advice may mention: the org, the app being worked on, and which kind of credential acted. */
export interface OktaFailureContext {
  orgUrl: string;
  authKind?: "ssws" | "oauth";
  appId?: string;
}

export const oktaErrorBodySchema = once(() =>
  z
    .object({
      errorCode: z.string().optional(),
      errorSummary: z.string().optional(),
      errorLink: z.string().optional(),
      errorId: z.string().optional(),
      errorCauses: z.array(z.object({ errorSummary: z.string().optional() }).passthrough()).optional(),
    })
    .passthrough(),
);

export const oauthErrorBodySchema = once(() =>
  z.object({ error: z.string(), error_description: z.string().optional() }).passthrough(),
);

/** `scope="okta.apps.manage"` from a WWW-Authenticate header that says `error="insufficient_scope"`. */
export function insufficientScope(headers: Record<string, string>): string | undefined {
  const h = headers["www-authenticate"] ?? "";
  if (!/error="insufficient_scope"/.test(h)) return undefined;
  return /\bscope="([^"]*)"/.exec(h)?.[1] || "the required scope";
}

/** The rate-limit reset time from `X-Rate-Limit-Reset` (epoch seconds), as an ISO time. */
export function rateLimitReset(headers: Record<string, string>): string | undefined {
  const reset = Number(headers["x-rate-limit-reset"]);
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : undefined;
}

const SCOPE_HINT_PREFIX = "The service app's access token lacks the scope";

/** True for a 403 caused by a missing OAuth scope (WWW-Authenticate insufficient_scope), as opposed to a role. */
export function isMissingScope(e: VendorError): boolean {
  return e.status === 403 && e.fields.hint.startsWith(SCOPE_HINT_PREFIX);
}

const TOKEN_HELP =
  "Create a new API token in the Okta Admin Console (Security → API → Tokens) as an admin with the Application " +
  "Administrator or Super Administrator role, then `pulumi config set --secret okta:apiToken <token>` (or set OKTA_API_TOKEN).";

/** A redirect from Okta: never followed (the credential would go along); the fix is the org's own URL. */
const OKTA_REDIRECT: RedirectAdvice = {
  side: "Okta",
  credential: "the credential",
  fix: "Give the org's own URL (okta:orgName / okta:baseUrl, or cerby:oktaOrgUrl), not a vanity or -admin URL.",
};

/** Advice for a failed Management API call. */
export function describeOktaFailure(info: FailureInfo, ctx: OktaFailureContext): VendorError {
  const parsed = oktaErrorBodySchema().safeParse(info.data);
  const body = parsed.success ? parsed.data : undefined;
  const causes = (body?.errorCauses ?? []).map((c) => c.errorSummary).filter((x): x is string => !!x);
  const base = {
    ...failureFields(info),
    code: body?.errorCode,
    title: body?.errorSummary,
    detail: causes.length > 0 ? causes.join("; ") : undefined,
    requestId: body?.errorId ?? info.requestId,
  };
  if (info.transport) {
    return new VendorError({ ...base, hint: transportHint("Okta", info.transport, ctx.orgUrl, info.method) });
  }
  const status = info.status ?? 0;
  const code = body?.errorCode;
  const app = ctx.appId ? `app ${ctx.appId}` : "the app";
  let hint: string;
  switch (true) {
    case status >= 200 && status < 300:
      return new VendorError({
        ...base,
        detail: "the body is not valid JSON",
        hint: malformedAnswerHint(`Okta (or a proxy in front of ${ctx.orgUrl})`, info.method, "check the org URL"),
      });
    case status >= 300 && status < 400:
      hint = redirectHint(OKTA_REDIRECT, base);
      break;
    case status === 401 || code === "E0000011":
      hint =
        ctx.authKind === "oauth"
          ? "Okta did not accept the service app's access token even after fetching a new one: check that the service " +
            "app (okta:clientId) is active in this org and that okta:orgName / okta:baseUrl point at the org that issued it."
          : "The Okta API token is invalid, expired (tokens expire after 30 days unused) or revoked, or belongs to " +
            `another org than ${ctx.orgUrl}. ${TOKEN_HELP}`;
      break;
    case status === 403 || code === "E0000006": {
      const scope = insufficientScope(info.headers);
      const write = isWrite(info.method);
      if (scope) {
        hint =
          `${SCOPE_HINT_PREFIX} ${scope}. Grant it in the Okta Admin Console → Applications → ` +
          `the service app → Okta API Scopes, and include it in okta:scopes (or OKTA_API_SCOPES).`;
      } else {
        const who =
          ctx.authKind === "oauth"
            ? "the service app (Admin Console → Applications → the service app → Admin roles)"
            : "the admin who created the API token";
        hint =
          `Okta refused: ${who} needs the Super Administrator role, or Application Administrator for the Cerby app, ` +
          `to ${write ? "change" : "read"} ${app}${write ? " (and, for a service app, the okta.apps.manage scope)" : ""}.`;
      }
      break;
    }
    case status === 404 || code === "E0000007":
      // Only a 404 on the app itself means a wrong ID; under it (express-configure, features) the app exists.
      hint =
        ctx.appId && /^\/api\/v1\/apps\/[^/]+$/.test(info.path)
          ? `App ${ctx.appId} is not in the org ${ctx.orgUrl}: check the App instance ID (the segment after /instance/ ` +
            "in the Cerby app's Okta admin URL) and that okta:orgName / okta:baseUrl name the org the app lives in."
          : `Okta has no ${info.method} ${info.path} at ${ctx.orgUrl} (this org may not offer it); check okta:orgName / okta:baseUrl.`;
      break;
    case status === 429 || code === "E0000047": {
      const reset = rateLimitReset(info.headers);
      hint =
        (info.stop === "server-wait"
          ? `Okta asked to wait ${Math.ceil((info.serverWaitMs ?? 0) / 1000)} s for its rate limit, longer than this run waits`
          : "Okta kept rate-limiting the apps API beyond the retry budget") +
        (reset ? `; the limit resets at ${reset}` : "") +
        ". Other automation may be sharing the org's limit: rerun after the reset; the run is safe to repeat.";
      break;
    }
    case status === 405:
      hint = `This Okta org does not offer ${info.method} ${info.path}.`;
      break;
    case status >= 500:
      hint = serverErrorHint("Okta", info, "Check the org URL");
      break;
    case status === 400:
      hint = `Okta rejected the request for ${app}; the causes above say which field.`;
      break;
    default:
      hint = `Unexpected answer from Okta; check the org URL ${ctx.orgUrl}.`;
  }
  return new VendorError({ ...base, hint });
}

/** Advice for a failed call to the org authorization server's token endpoint (service app credentials). */
export function describeOktaTokenFailure(
  info: FailureInfo,
  ctx: OktaFailureContext & { clientId: string },
): VendorError {
  const parsed = oauthErrorBodySchema().safeParse(info.data);
  const body = parsed.success ? parsed.data : undefined;
  if (!body) {
    // Not an OAuth error: a 429 E0000047, 5xx, transport or malformed answer reads like any other Okta failure.
    return describeOktaFailure(info, { ...ctx, authKind: "oauth" });
  }
  const base = { ...failureFields(info), code: body.error, detail: body.error_description };
  const app = `the service app ${ctx.clientId}`;
  let hint: string;
  switch (body.error) {
    case "invalid_client":
      hint =
        `Okta did not accept ${app}'s signed client assertion: check okta:clientId (the service app's Client ID), that ` +
        "the public key matching okta:privateKey (and okta:privateKeyId, its kid) is registered on the service app " +
        "(Admin Console → Applications → the service app → General → Public keys), and that its client authentication " +
        "is 'Public key / Private key'.";
      break;
    case "invalid_scope":
      hint =
        `${app} is not granted a requested scope: grant it in the Okta Admin Console → Applications → the service ` +
        "app → Okta API Scopes (okta.apps.read; okta.apps.manage for mode enforce), or narrow okta:scopes.";
      break;
    case "invalid_dpop_proof":
    case "use_dpop_nonce":
      hint = dpopHint();
      break;
    case "unauthorized_client":
    case "unsupported_grant_type":
      hint = `${app} may not use the client credentials grant: enable "Client Credentials" under its General settings.`;
      break;
    default:
      hint =
        ((info.status ?? 0) >= 500 || info.status === 429) && info.stop === "budget"
          ? "Okta's token endpoint kept failing beyond the retry budget; the run is safe to repeat."
          : (info.status ?? 0) >= 500 || info.status === 429
            ? `Okta's token endpoint answered ${info.status} (not retried further); the run is safe to repeat.`
            : `Okta's token endpoint refused ${app}; check okta:clientId, okta:privateKey and okta:scopes.`;
  }
  return new VendorError({ ...base, hint });
}

export function dpopHint(): string {
  return (
    "This service app requires DPoP, which this module does not support yet: turn off 'Require Demonstrating Proof " +
    "of Possession (DPoP) header in token requests' on the service app (Admin Console → Applications → the service " +
    "app → General), or use an API token (okta:apiToken)."
  );
}
