/**
 * URL rules every request obeys: https unless the host is loopback, no credentials in a URL, one origin per client,
 * and base URLs given in the normal form they will be called and stored in.
 */

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}

/** Path and query of an absolute URL, for messages (never the host's credentials, there are none in URLs). */
export function safePath(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

export function cleanQuery(q?: Record<string, string | number | undefined>): Record<string, string> | undefined {
  if (!q) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined) out[k] = String(v);
  return out;
}

/** Loopback hosts may use plain http (emulators, local proxies); everything else must be https. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why a request to `url` must not be sent, or undefined: https unless the host is loopback, no credentials in the URL,
 * and the same origin as the client's base URL (a Link header or a redirect must not carry the credential elsewhere).
 */
export function requestUrlProblem(url: string, baseUrl: string): string | undefined {
  let u: URL;
  let base: URL;
  try {
    u = new URL(url);
    base = new URL(baseUrl);
  } catch {
    return "it is not a valid URL";
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
    return "plain http is only allowed to loopback hosts (127.0.0.1, ::1, localhost); use https://";
  }
  if (u.username || u.password) return "the URL carries credentials";
  if (u.origin !== base.origin) return `it is not on ${base.origin}`;
  return undefined;
}

/**
 * Validates an explicit base URL. Returns a problem sentence, or undefined when fine. Credentials in the URL, a
 * query or a fragment are refused: the URL ends up in state and error messages.
 */
export function baseUrlProblem(raw: string): string | undefined {
  const shown = JSON.stringify(raw.length > 100 ? `${raw.slice(0, 100)}…` : raw);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `${shown} is not a URL; give a full URL such as https://acme.example.com`;
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
    return `${shown} must use https:// (plain http is only allowed for loopback hosts such as 127.0.0.1)`;
  }
  if (u.username || u.password) return `"${u.host}" URL must not carry credentials; use the API key setting`;
  // An empty "?" or "#" leaves search/hash empty but would still swallow the API path appended to the URL.
  if (u.search || u.hash || /[?#]/.test(raw)) {
    return `${shown} must not have a query or fragment; remove everything from the first "?" or "#"`;
  }
  // The URL parser quietly rewrites some input (a backslash becomes "/", a TAB or newline is dropped, the host is
  // lower-cased, a default port removed): what would be called and stored must be exactly what was typed.
  const normal = u.href.replace(/\/+$/, "");
  if (normal !== raw.replace(/\/+$/, "")) {
    return `${shown} is not in normal form: it would be read as ${JSON.stringify(normal)}; write the URL exactly like that (or fix it)`;
  }
  return undefined;
}
