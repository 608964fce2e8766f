/** Service-app key pairs made at run time with jose, so no private key is ever committed. */
import { exportJWK, exportPKCS8, generateKeyPair, type JWK } from "jose";

export interface TestKeyPair {
  /** PKCS#8 PEM. */
  pem: string;
  /** The private key as a JWK JSON string (with kid). */
  jwkText: string;
  /** The `d` member of the private JWK, to assert it never leaks. */
  d: string;
  publicJwk: JWK;
  kid: string;
}

export async function freshKeyPair(alg: "RS256" | "ES256" = "RS256", kid = `kid-${Date.now()}`): Promise<TestKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return {
    pem: await exportPKCS8(privateKey),
    jwkText: JSON.stringify(privateJwk),
    d: privateJwk.d as string,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg },
    kid,
  };
}
