import { randomBytes } from "node:crypto";

/** A throwaway credential made at run time, so no test secret is ever committed. */
export function freshSecret(prefix: string): string {
  return `${prefix}${randomBytes(18).toString("base64url")}`;
}

/** A valid-looking Okta app ID (0oa + 17 letters/digits), random per call. */
export function freshAppId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(17);
  return "0oa" + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
