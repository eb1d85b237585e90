// SigV4's canonical request, built from a request as it arrived on the wire, the way AWS does for non-S3 services (pure).

/** RFC 3986 encoding as AWS uses it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper-case hex). */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Percent-decoding that leaves a malformed sequence as it is: such a request then simply fails to verify. */
function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The canonical URI of a non-S3 service: the path as sent (already URI-encoded once by the client), with empty,
 * "." and ".." segments resolved, then encoded again as a whole ("/" kept).
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const s of rawPath.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${trailing}`;
  return escapeUri(normalized).replace(/%2F/g, '/') || '/';
}

/** The query as sent, decoded into pairs in order (a key without "=" has the value ""). */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').filter((p) => p !== '').map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
  });
}

/** Each pair encoded, sorted by key then value (byte order); X-Amz-Signature left out (it signs the rest). */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [escapeUri(k), escapeUri(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** A header value as SigV4 signs it: trimmed, runs of spaces and tabs (and line breaks) made one space. */
const canonicalValue = (v: string): string => v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim();

/**
 * Headers as sent (Node's rawHeaders: name, value, name, value…), lower-cased; repeated headers joined with ",".
 * Only the names in `signed` are returned.
 */
export function canonicalHeaders(rawHeaders: readonly string[], signed: readonly string[]): Map<string, string> {
  const wanted = new Set(signed);
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i]!.toLowerCase();
    // over HTTP/2 the SDKs sign :authority in place of Host; the router reads such a call with its authority as Host
    const name = raw === 'host' && !wanted.has('host') && wanted.has(':authority') ? ':authority' : raw;
    if (!wanted.has(name)) continue;
    const value = canonicalValue(rawHeaders[i + 1]!);
    const seen = out.get(name);
    out.set(name, seen === undefined ? value : `${seen},${value}`);
  }
  return out;
}

export interface CanonicalParts {
  method: string;
  /** The path as sent, before "?". */
  rawPath: string;
  /** The query pairs, decoded. */
  query: ReadonlyArray<readonly [string, string]>;
  rawHeaders: readonly string[];
  /** Lower-case names, sorted, as the client listed them in SignedHeaders. */
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the payload, or the value of x-amz-content-sha256 the client signed. */
  payloadHash: string;
}

export function canonicalRequest(p: CanonicalParts): string {
  const headers = canonicalHeaders(p.rawHeaders, p.signedHeaders);
  const lines = p.signedHeaders.map((h) => `${h}:${headers.get(h) ?? ''}\n`).join('');
  return `${p.method}\n${canonicalUri(p.rawPath)}\n${canonicalQuery(p.query)}\n${lines}\n${p.signedHeaders.join(';')}\n${p.payloadHash}`;
}
