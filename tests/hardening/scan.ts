/**
 * The secret scanner of the hygiene suite: every form a secret could leak in — as is, JSON-escaped, URL-encoded, hex,
 * base64 and base64url of it (whole, and the part that is the same at any byte alignment inside a longer base64
 * text), for a PEM its DER body (the PEM without armour and line breaks) and each full body line, and for a one-token
 * secret (a key, a token, a JWK member) any run of WINDOW of its characters or of its base64, so a partly printed
 * secret is caught too.
 * Written apart from the code's own redaction (components/http/errors.ts), so that a form the code misses is found here.
 */
export interface Secret {
  name: string;
  value: string;
}

export interface Hit {
  secret: string;
  form: string;
  source: string;
}

/** A run of this many characters of a one-token secret counts as a leak. */
export const WINDOW = 12;

/** The characters of `secret`'s base64 that encode its bytes alone when it starts `offset` bytes into a group. */
function base64Core(secret: Buffer, offset: number): string {
  const enc = Buffer.concat([Buffer.alloc(offset), secret]).toString("base64");
  return enc.slice(offset === 0 ? 0 : 4, Math.floor((offset + secret.length) / 3) * 4);
}

const urlSafe = (b64: string) => b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export function forms(secret: Secret): Array<{ form: string; needle: string }> {
  const v = secret.value;
  const bytes = Buffer.from(v);
  const out: Array<{ form: string; needle: string }> = [
    { form: "plain", needle: v },
    { form: "base64", needle: bytes.toString("base64") },
    { form: "base64url", needle: bytes.toString("base64url") },
    { form: "JSON-escaped", needle: JSON.stringify(v).slice(1, -1) },
    { form: "URL-encoded", needle: encodeURIComponent(v) },
    { form: "hex", needle: bytes.toString("hex") },
    { form: "HEX", needle: bytes.toString("hex").toUpperCase() },
  ];
  for (const offset of [0, 1, 2]) {
    const core = base64Core(bytes, offset);
    out.push({ form: `base64 inside a longer text (+${offset})`, needle: core });
    out.push({ form: `base64url inside a longer text (+${offset})`, needle: urlSafe(core) });
  }
  const pem = /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END [A-Z ]+-----/.exec(v);
  if (pem) {
    const lines = pem[1].split(/\r?\n/).filter((l) => l.trim().length > 0);
    out.push({ form: "PEM body", needle: lines.join("") });
    lines.slice(0, -1).forEach((l, i) => out.push({ form: `PEM body line ${i + 1}`, needle: l.trim() }));
  }
  // Short values would match by chance; every secret here is long (keys, tokens, JWK members).
  const seen = new Set<string>();
  return out.filter((f) => f.needle.length >= 16 && !seen.has(f.needle) && seen.add(f.needle));
}

/**
 * The runs of WINDOW characters of a one-token secret (an API key, a token, a JWK member, a signed assertion), and of
 * its base64 and base64url at each alignment (a vendor field cut short still holds part of an echo). A PEM or a whole
 * JWK is covered by its own forms and members instead: their armour and public parts are not secret.
 */
export function windows(secret: Secret): Set<string> {
  const v = secret.value;
  const out = new Set<string>();
  if (!/^[\x21-\x7e]+$/.test(v) || v.startsWith("{") || v.startsWith("-----")) return out;
  const bytes = Buffer.from(v);
  const texts = [v, ...[0, 1, 2].flatMap((o) => [base64Core(bytes, o), urlSafe(base64Core(bytes, o))])];
  for (const t of texts) for (let i = 0; i + WINDOW <= t.length; i++) out.add(t.slice(i, i + WINDOW));
  return out;
}

export function scan(artifacts: Array<{ source: string; text: string }>, secrets: Secret[]): Hit[] {
  const hits: Hit[] = [];
  for (const s of secrets) {
    const fs = forms(s);
    const ws = windows(s);
    for (const a of artifacts) {
      const found = fs.filter((f) => a.text.includes(f.needle));
      for (const f of found) hits.push({ secret: s.name, form: f.form, source: a.source });
      if (found.length > 0 || ws.size === 0) continue;
      for (let i = 0; i + WINDOW <= a.text.length; i++) {
        const w = a.text.slice(i, i + WINDOW);
        if (ws.has(w)) {
          hits.push({ secret: s.name, form: `${WINDOW} characters (…${w.slice(0, 3)}…)`, source: a.source });
          break;
        }
      }
    }
  }
  return hits;
}
