/**
 * Authorization headers for the Okta Management API: `SSWS {apiToken}`, or `Bearer {access token}` obtained with the
 * client credentials grant and a private_key_jwt client assertion. Access tokens are shared by the whole process, per
 * credential, in a process-global slot (never serialized), and reused for most of their lifetime; `invalidate` drops
 * the token that got a 401 (and only it), so an access token that expires mid-run is replaced once.
 */
import { createHash, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { z } from "zod";
import { once } from "../shared";
import { processMap } from "../settings";
import { HTTP_DEFAULTS, HttpClient, HttpClientOptions, RetryPolicy, VendorError } from "../http";
import { OktaCredentials, OktaSigningKey, importOktaPrivateKey } from "./config";
import { describeOktaTokenFailure, dpopHint } from "./errors";

export interface OktaAuthOptions {
  orgUrl: string;
  credentials: OktaCredentials;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  onAttempt?: HttpClientOptions["onAttempt"];
}

const tokenResponseSchema = once(() =>
  z
    .object({
      access_token: z.string().min(1).max(16384),
      token_type: z.string().max(64),
      // Okta's access tokens live 1 h; anything beyond a day is not an answer to trust.
      expires_in: z.coerce.number().positive().max(86400),
      scope: z.string().max(4096).optional(),
    })
    .passthrough(),
);

/** One cached access token, and the request fetching its successor (shared by every client of the process). */
interface TokenSlot {
  token?: string;
  /** Epoch ms after which the token is not handed out any more. */
  refreshAt: number;
  pending?: Promise<string>;
}

/**
 * Access tokens of this process, keyed by a hash of (token URL, client ID, scopes, private key): every client and
 * every resource operation of one credential shares one token. A process-global slot like ../settings, never
 * module state: every copy of this module a process loads (see ../http/limiter) shares it, and state holds no token.
 */
export function oktaTokenCache(): Map<string, TokenSlot> {
  return processMap<TokenSlot>("okta-tokens:v1");
}

/** Forget every cached access token of this process (tests). */
export function resetOktaTokenCache(): void {
  oktaTokenCache().clear();
}

/**
 * How long a token with this lifetime is reused: its lifetime minus a margin of a fifth, at most 60 s — so a 1 h token
 * is reused for 59 min and a 30 s token for 24 s (never fetched per call, never used up to its last second).
 */
export function tokenReuseMs(expiresInSec: number): number {
  const life = expiresInSec * 1000;
  return life - Math.min(60_000, life / 5);
}

export class OktaAuth {
  readonly kind: "ssws" | "oauth";
  private readonly http?: HttpClient;
  private signingKey?: OktaSigningKey;
  private readonly cacheKey?: string;

  constructor(private readonly opts: OktaAuthOptions) {
    this.kind = opts.credentials.kind;
    if (opts.credentials.kind === "oauth") {
      const c = opts.credentials;
      const clientId = c.clientId;
      this.cacheKey = createHash("sha256")
        .update(JSON.stringify([this.tokenUrl, clientId, [...c.scopes].sort(), c.privateKey, c.privateKeyId ?? ""]))
        .digest("hex");
      // Its own HttpClient: a token fetched while an API call holds a concurrency slot must not wait for that slot.
      this.http = new HttpClient({
        side: "Okta",
        baseUrl: opts.orgUrl,
        timeoutMs: opts.timeoutMs,
        retry: opts.retry,
        concurrency: HTTP_DEFAULTS.tokenConcurrency,
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

  private slot(): TokenSlot {
    const all = oktaTokenCache();
    let s = all.get(this.cacheKey!);
    if (!s) {
      s = { refreshAt: 0 };
      all.set(this.cacheKey!, s);
    }
    return s;
  }

  /**
   * After a 401: drop the access token that call sent — only that one: a late 401 for an old token must not discard
   * the new token another call already fetched. True when a retry with a new one can help (OAuth only).
   */
  async invalidate(sent: Record<string, string> = {}): Promise<boolean> {
    if (this.kind !== "oauth") return false;
    const s = this.slot();
    const used = /^Bearer\s+(\S+)$/i.exec(sent["Authorization"] ?? sent["authorization"] ?? "")?.[1];
    if (used !== undefined && s.token === used) {
      s.token = undefined;
      s.refreshAt = 0;
    }
    return true;
  }

  private async accessToken(): Promise<string> {
    const s = this.slot();
    if (s.token && s.refreshAt > Date.now()) return s.token;
    if (!s.pending) {
      s.pending = this.fetchToken()
        .then(({ token, expiresIn }) => {
          s.token = token;
          s.refreshAt = Date.now() + tokenReuseMs(expiresIn);
          return token;
        })
        .finally(() => (s.pending = undefined));
    }
    return s.pending;
  }

  private async fetchToken(): Promise<{ token: string; expiresIn: number }> {
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
      url: this.tokenUrl,
      status: res.status,
      requestId: res.requestId,
    };
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VendorError({
        ...fields,
        detail: `the answer is not a usable token response (at ${issue?.path.join(".") || "(body)"}: ${issue?.message ?? "invalid"})`,
        hint: `Check that ${this.opts.orgUrl} is an Okta org URL (the org authorization server answers at /oauth2/v1/token).`,
      });
    }
    const type = parsed.data.token_type;
    if (type.toLowerCase() === "dpop") {
      throw new VendorError({ ...fields, code: "token_type DPoP", hint: dpopHint() });
    }
    if (type.toLowerCase() !== "bearer") {
      // Sending a token of another type as Bearer would be wrong; say what came back instead.
      throw new VendorError({
        ...fields,
        code: `token_type ${JSON.stringify(type.slice(0, 20))}`,
        hint: `Okta's token endpoint returned a token that is not a Bearer token; this module only uses Bearer tokens. Check that ${this.opts.orgUrl} is the Okta org URL (not a proxy) and that the service app is not set up for DPoP or another token type.`,
      });
    }
    return { token: parsed.data.access_token, expiresIn: parsed.data.expires_in };
  }
}
