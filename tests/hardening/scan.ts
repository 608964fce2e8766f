/**
 * The secret scanner of the hygiene suite: every form a secret could leak in — as is, base64 and base64url of it, and
 * for a PEM its DER body (the PEM without armour and line breaks) and each full body line, so a partly printed key is
 * caught too.
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

export function forms(secret: Secret): Array<{ form: string; needle: string }> {
  const v = secret.value;
  const out: Array<{ form: string; needle: string }> = [
    { form: "plain", needle: v },
    { form: "base64", needle: Buffer.from(v).toString("base64") },
    { form: "base64url", needle: Buffer.from(v).toString("base64url") },
    { form: "JSON-escaped", needle: JSON.stringify(v).slice(1, -1) },
  ];
  const pem = /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END [A-Z ]+-----/.exec(v);
  if (pem) {
    const lines = pem[1].split(/\r?\n/).filter((l) => l.trim().length > 0);
    out.push({ form: "PEM body", needle: lines.join("") });
    lines.slice(0, -1).forEach((l, i) => out.push({ form: `PEM body line ${i + 1}`, needle: l.trim() }));
  }
  // Short values would match by chance; every secret here is long (keys, tokens, JWK members).
  return out.filter((f) => f.needle.length >= 16);
}

export function scan(artifacts: Array<{ source: string; text: string }>, secrets: Secret[]): Hit[] {
  const hits: Hit[] = [];
  for (const s of secrets) {
    for (const f of forms(s)) {
      for (const a of artifacts) {
        if (a.text.includes(f.needle)) hits.push({ secret: s.name, form: f.form, source: a.source });
      }
    }
  }
  return hits;
}
