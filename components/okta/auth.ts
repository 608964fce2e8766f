/**
 * Authorization headers for the Okta Management API: `SSWS {apiToken}`, or `Bearer {access token}` obtained with the
 * client credentials grant and a private_key_jwt client assertion. The access token is cached on the instance (created
 * at run time, never serialized) until 60 s before it expires; `invalidate` drops it after a 401 so an access token that
 * expires mid-run is replaced once.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { z } from "zod";
import { HttpClient, HttpClientOptions, RetryPolicy, VendorError, defaultRetryPolicy } from "../http";
import { OktaCredentials, OktaSigningKey, importOktaPrivateKey } from "./config";
import { describeOktaTokenFailure, dpopHint } from "./errors";

export interface OktaAuthOptions {
  orgUrl: string;
  credentials: OktaCredentials;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  onAttempt?: HttpClientOptions["onAttempt"];
}

function tokenResponseSchema() {
  return z
    .object({
      access_token: z.string().min(1),
      token_type: z.string(),
      expires_in: z.coerce.number().positive(),
      scope: z.string().optional(),
    })
    .passthrough();
}

/** Milliseconds before expiry at which a cached access token is replaced. */
const EXPIRY_MARGIN_MS = 60_000;

export class OktaAuth {
  readonly kind: "ssws" | "oauth";
  private readonly http?: HttpClient;
  private cached?: { token: string; expiresAt: number };
  private pending?: Promise<string>;
  private signingKey?: OktaSigningKey;

  constructor(private readonly opts: OktaAuthOptions) {
    this.kind = opts.credentials.kind;
    if (opts.credentials.kind === "oauth") {
      const clientId = opts.credentials.clientId;
      // Its own HttpClient: a token fetched while an API call holds a concurrency slot must not wait for that slot.
      this.http = new HttpClient({
        side: "Okta",
        baseUrl: opts.orgUrl,
        timeoutMs: opts.timeoutMs ?? 15000,
        retry: { ...defaultRetryPolicy(), ...opts.retry },
        concurrency: 1,
        authHeaders: async () => ({}),
        describeFailure: (info) => describeOktaTokenFailure(info, { orgUrl: opts.orgUrl, clientId }),
        onAttempt: opts.onAttempt,
      });
    }
  }

  get tokenUrl(): string {
    return `${this.opts.orgUrl.replace(/\/+$/, "")}/oauth2/v1/token`;
  }

  /** The Authorization header for the next Management API call. */
  async headers(): Promise<Record<string, string>> {
    const c = this.opts.credentials;
    if (c.kind === "ssws") return { Authorization: `SSWS ${c.apiToken}` };
    return { Authorization: `Bearer ${await this.accessToken()}` };
  }

  /** After a 401: drop the cached access token. True when a retry with a new one can help (OAuth only). */
  async invalidate(): Promise<boolean> {
    if (this.kind !== "oauth") return false;
    // While a refresh is under way the retry waits for it; dropping nothing more avoids a second token request.
    if (!this.pending) this.cached = undefined;
    return true;
  }

  private async accessToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return this.cached.token;
    if (!this.pending) {
      this.pending = this.fetchToken().finally(() => (this.pending = undefined));
    }
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const c = this.opts.credentials;
    if (c.kind !== "oauth" || !this.http) throw new Error("not an OAuth credential");
    this.signingKey ??= importOktaPrivateKey(c.privateKey, c.privateKeyId);
    const { key, alg, kid } = this.signingKey;
    // A fresh assertion per attempt: Okta rejects a replayed jti, and a 5xx may come after it recorded one.
    const sign = () => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
        .setIssuer(c.clientId)
        .setSubject(c.clientId)
        .setAudience(this.tokenUrl)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .setJti(randomUUID())
        .sign(key);
    };
    const path = "/oauth2/v1/token";
    const res = await this.http.send({
      method: "POST",
      path,
      noAuth: true,
      form: async () => ({
        grant_type: "client_credentials",
        scope: c.scopes.join(" "),
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await sign(),
      }),
      action: "get an access token for the service app",
    });
    const parsed = tokenResponseSchema().safeParse(res.data);
    const fields = {
      side: "Okta" as const,
      action: "get an access token for the service app",
      method: "POST",
      path,
      status: res.status,
      requestId: res.requestId,
    };
    if (!parsed.success) {
      throw new VendorError({
        ...fields,
        detail: "the answer has no access_token / expires_in",
        hint: `Check that ${this.opts.orgUrl} is an Okta org URL (the org authorization server answers at /oauth2/v1/token).`,
      });
    }
    if (parsed.data.token_type.toLowerCase() === "dpop") {
      throw new VendorError({ ...fields, code: "token_type DPoP", hint: dpopHint() });
    }
    this.cached = { token: parsed.data.access_token, expiresAt: Date.now() + parsed.data.expires_in * 1000 };
    return parsed.data.access_token;
  }
}
