/**
 * Where the Okta org is and how to authenticate to it, read from the same stack config keys and environment variables
 * @pulumi/okta uses, so one `okta:` config block serves both. Pure functions, no network.
 */
import { KeyObject, createHash, createPrivateKey } from "node:crypto";
import { UserError, baseUrlProblem } from "../http";
import { processMap } from "../settings";
import { OktaMode, isOktaMode, oktaModeWrites } from "../modes";
import { SETTINGS } from "../settings-table";

/** An API token (`SSWS`), or an OAuth 2.0 service app signing its own client assertions (private_key_jwt). */
export type OktaCredentials =
  | { kind: "ssws"; apiToken: string }
  | { kind: "oauth"; clientId: string; privateKey: string; privateKeyId?: string; scopes: string[] };

/** A configuration problem: which key, what is wrong, what to do. Never carries the secret itself. */
export class OktaConfigError extends UserError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${key} ${reason}`);
    this.name = "OktaConfigError";
  }
}

export interface OktaOrgSettings {
  /** `okta:orgName`: the org subdomain, e.g. "acme" for https://acme.okta.com. */
  orgName?: string;
  /** `okta:baseUrl`: the Okta domain, e.g. okta.com (default), oktapreview.com, okta-emea.com. */
  baseUrl?: string;
  /** An explicit org URL (custom domains, emulators); https unless loopback. Replaces orgName/baseUrl. */
  orgUrl?: string;
}

/** The domains Okta runs orgs on, as okta:baseUrl names them. */
export const OKTA_DOMAINS: readonly string[] = [
  "okta.com",
  "oktapreview.com",
  "okta-emea.com",
  "okta-gov.com",
  "okta.mil",
];

/** The org URL (no trailing slash) from orgName + baseUrl, or an explicit orgUrl. Throws OktaConfigError. */
export function oktaOrgUrl(s: OktaOrgSettings): string {
  const blank = (v?: string) => v === undefined || v.trim() === "";
  if (!blank(s.orgUrl)) {
    if (!blank(s.orgName)) {
      throw new OktaConfigError("orgUrl", "and okta:orgName are both set: give one (orgUrl replaces orgName/baseUrl)");
    }
    const raw = s.orgUrl!.trim();
    const problem = oktaOrgUrlProblem(raw);
    if (problem) throw new OktaConfigError("orgUrl", problem);
    return raw.replace(/\/+$/, "");
  }
  if (blank(s.orgName)) {
    throw new OktaConfigError(
      "okta:orgName",
      "is not set: run `pulumi config set okta:orgName <org>` (the subdomain of https://<org>.okta.com), " +
        "optionally with okta:baseUrl (oktapreview.com, okta-emea.com)",
    );
  }
  const org = s.orgName!.trim();
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(org)) {
    throw new OktaConfigError(
      "okta:orgName",
      `${JSON.stringify(org.slice(0, 70))} is not an Okta org name: give only the subdomain (for https://acme.okta.com, "acme")`,
    );
  }
  if (/-admin$/i.test(org)) {
    throw new OktaConfigError(
      "okta:orgName",
      `"${org}" is the Admin Console's host: use the org name without "-admin" ("${org.replace(/-admin$/i, "")}")`,
    );
  }
  const domain = (blank(s.baseUrl) ? "okta.com" : s.baseUrl!.trim()).replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  // The API token goes to https://{orgName}.{baseUrl}: only Okta's own domains may complete that host. An org on a
  // custom domain is named by its full URL (cerby:oktaOrgUrl), where what is typed is exactly what is called.
  if (!OKTA_DOMAINS.includes(domain.toLowerCase())) {
    throw new OktaConfigError(
      "okta:baseUrl",
      `${JSON.stringify(domain.slice(0, 70))} is not an Okta domain: use one of ${OKTA_DOMAINS.join(", ")} ` +
        "(for an org on a custom domain, set cerby:oktaOrgUrl to its full URL instead)",
    );
  }
  return `https://${org.toLowerCase()}.${domain.toLowerCase()}`;
}

/** Problem with an explicit org URL, or undefined. The org URL is the root (no path), never the -admin host. */
export function oktaOrgUrlProblem(raw: string): string | undefined {
  const p = baseUrlProblem(raw);
  if (p) return p;
  const u = new URL(raw);
  if (u.pathname !== "/" && u.pathname !== "") {
    return `"${raw}" must be the org's root URL such as https://acme.okta.com, without a path (remove "${u.pathname}")`;
  }
  if (/^[^.]+-admin\./i.test(u.hostname)) {
    return `"${u.host}" is the Admin Console's host: use the org URL without "-admin" (${u.protocol}//${u.host.replace(/-admin\./i, ".")})`;
  }
  return undefined;
}

/** Scopes requested when okta:scopes is not set: read for every mode, manage too when the module may write. */
export function defaultOktaScopes(mode?: OktaMode): string[] {
  // `check` reads credentials before it rejects a bad mode: an unknown value here asks for read only.
  return isOktaMode(mode) && oktaModeWrites(mode) ? ["okta.apps.read", "okta.apps.manage"] : ["okta.apps.read"];
}

/** The config keys and environment variables, as @pulumi/okta names them (from the settings table). */
export function oktaCredentialKeys() {
  const pick = (s: { key: string; env: string }) => ({ key: s.key, env: s.env });
  return {
    apiToken: pick(SETTINGS.oktaApiToken),
    clientId: pick(SETTINGS.oktaClientId),
    privateKey: pick(SETTINGS.oktaPrivateKey),
    privateKeyId: pick(SETTINGS.oktaPrivateKeyId),
    scopes: pick(SETTINGS.oktaScopes),
  };
}

/**
 * Reads the credentials: stack config first, then the environment. Throws OktaConfigError naming the key, the problem
 * and the fix. Only checks presence and shape; `importOktaPrivateKey` checks the key material (still offline).
 */
export function oktaCredentials(
  get: (key: string) => string | undefined,
  env: Record<string, string | undefined> = process.env,
  mode?: OktaMode,
): OktaCredentials {
  const keys = oktaCredentialKeys();
  const read = (k: keyof typeof keys) => {
    const v = get(keys[k].key) ?? env[keys[k].env];
    return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
  };
  const apiToken = read("apiToken");
  const clientId = read("clientId");
  const privateKey = read("privateKey");
  const privateKeyId = read("privateKeyId");
  const rawScopes = read("scopes");

  if (apiToken && (clientId || privateKey)) {
    throw new OktaConfigError(
      "okta:apiToken",
      "and okta:clientId/okta:privateKey are both set, so it is unclear which identity should act: keep one " +
        "(`pulumi config rm okta:apiToken`, or `pulumi config rm okta:clientId` and `okta:privateKey`; " +
        "or unset OKTA_API_TOKEN / OKTA_API_CLIENT_ID / OKTA_API_PRIVATE_KEY)",
    );
  }
  if (apiToken) {
    if (/^(SSWS|Bearer)\s/i.test(apiToken)) {
      throw new OktaConfigError(
        "okta:apiToken",
        'starts with an authorization scheme: set only the token itself, without "SSWS " or "Bearer "',
      );
    }
    return { kind: "ssws", apiToken };
  }
  if (!clientId && !privateKey) {
    throw new OktaConfigError(
      "credentials",
      "are not set: run `pulumi config set --secret okta:apiToken <token>` (or set OKTA_API_TOKEN), or for an OAuth " +
        "service app `pulumi config set okta:clientId <client id>` and `pulumi config set --secret okta:privateKey " +
        '-- "$(cat private-key.pem)"` (or OKTA_API_CLIENT_ID and OKTA_API_PRIVATE_KEY)',
    );
  }
  if (!clientId) {
    throw new OktaConfigError(
      "okta:clientId",
      "is not set but okta:privateKey is: run `pulumi config set okta:clientId <the service app's Client ID>` (or OKTA_API_CLIENT_ID)",
    );
  }
  if (!privateKey) {
    throw new OktaConfigError(
      "okta:privateKey",
      'is not set but okta:clientId is: run `pulumi config set --secret okta:privateKey -- "$(cat private-key.pem)"` ' +
        "(or OKTA_API_PRIVATE_KEY) with the service app's private key, PEM or JWK",
    );
  }
  let scopes = defaultOktaScopes(mode);
  if (rawScopes) {
    scopes = rawScopes
      .replace(/^\[|\]$/g, "")
      .split(/[\s,]+/)
      .map((x) => x.replace(/^"|"$/g, ""))
      .filter(Boolean);
    if (scopes.length === 0 || scopes.some((x) => !/^[a-z][A-Za-z0-9.:_-]*$/.test(x))) {
      throw new OktaConfigError(
        "okta:scopes",
        "is not a list of scopes: separate them with commas or spaces, e.g. okta.apps.read,okta.apps.manage",
      );
    }
    if (isOktaMode(mode) && oktaModeWrites(mode) && !scopes.includes("okta.apps.manage")) {
      throw new OktaConfigError(
        "okta:scopes",
        `(${scopes.join(",")}) lacks okta.apps.manage, which mode enforce needs to configure Universal Logout: add it ` +
          "(and grant it to the service app under Okta API Scopes), or use mode verify",
      );
    }
  }
  return {
    kind: "oauth",
    clientId,
    privateKey,
    ...(privateKeyId ? { privateKeyId } : {}),
    scopes,
  };
}

/** A usable signing key: its algorithm and the kid to send (okta:privateKeyId, else the JWK's own kid). */
export interface OktaSigningKey {
  key: KeyObject;
  alg: "RS256" | "ES256";
  kid?: string;
}

/**
 * Parses the private key offline: PEM (PKCS#8, or PKCS#1/SEC1 as some tools export) or a JWK JSON string. Throws
 * OktaConfigError without echoing any of the key material.
 */
export function importOktaPrivateKey(privateKey: string, privateKeyId?: string): OktaSigningKey {
  // Parsed once per process and key (every binding's check and every token request use the same one); a key that
  // does not parse is not kept, so its error comes back each time.
  const id = createHash("sha256")
    .update(privateKey)
    .update("\0")
    .update(privateKeyId ?? "")
    .digest("hex");
  const keys = processMap<OktaSigningKey>("okta-signing-keys:v1");
  let key = keys.get(id);
  if (!key) {
    key = parseOktaPrivateKey(privateKey, privateKeyId);
    keys.set(id, key);
  }
  return key;
}

function parseOktaPrivateKey(privateKey: string, privateKeyId?: string): OktaSigningKey {
  function fail(why: string): never {
    throw new OktaConfigError(
      "okta:privateKey",
      `is not a PEM or JWK private key: ${why}. Give the service app's private key itself (the PEM text, or the JWK ` +
        'JSON from Okta\'s "Generate new key"), e.g. `pulumi config set --secret okta:privateKey -- "$(cat private-key.pem)"`',
    );
  }
  // Keys passed through environment variables often carry literal "\n".
  const text = privateKey.includes("\n") ? privateKey.trim() : privateKey.replace(/\\n/g, "\n").trim();
  let key: KeyObject | undefined;
  let jwkKid: string | undefined;
  if (text.startsWith("{")) {
    let jwk: Record<string, unknown> | undefined;
    try {
      jwk = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // JSON.parse messages quote the input: never show them.
      fail("it starts with { but is not valid JSON");
    }
    if (!jwk || typeof jwk !== "object" || Array.isArray(jwk)) fail("the JSON is not a JWK object");
    if (Array.isArray(jwk!.keys)) fail('it is a JWK set ({"keys": […]}): give the one private JWK inside it');
    if (jwk!.d === undefined) fail('the JWK has no "d": it is a public key, give the private one');
    try {
      key = createPrivateKey({ key: jwk as never, format: "jwk" });
    } catch {
      fail(`the JWK (kty ${JSON.stringify(jwk!.kty)}) could not be imported`);
    }
    if (typeof jwk!.kid === "string") jwkKid = jwk!.kid;
  } else if (text.startsWith("-----BEGIN")) {
    if (/^-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(text))
      fail("it is a public key (BEGIN … PUBLIC KEY), give the private one");
    if (/ENCRYPTED/.test(text.split("\n")[0] + (text.split("\n")[1] ?? ""))) {
      fail("it is encrypted with a passphrase; export it unencrypted (PKCS#8)");
    }
    try {
      key = createPrivateKey({ key: text, format: "pem" });
    } catch {
      fail("the PEM block could not be decoded (truncated, or line breaks lost?)");
    }
  } else {
    fail('it starts neither with "-----BEGIN" (PEM) nor with "{" (JWK)');
  }
  const type = key!.asymmetricKeyType;
  let alg: "RS256" | "ES256";
  if (type === "rsa") {
    const bits = key!.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) fail(`the RSA key has ${bits} bits; Okta requires at least 2048`);
    alg = "RS256";
  } else if (type === "ec" && key!.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    alg = "ES256";
  } else {
    fail(
      `its type (${type}${type === "ec" ? ` ${key!.asymmetricKeyDetails?.namedCurve}` : ""}) is not RSA or EC P-256`,
    );
  }
  const kid = privateKeyId ?? jwkKid;
  return { key: key!, alg: alg!, ...(kid ? { kid } : {}) };
}
