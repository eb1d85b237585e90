// The query protocol's answers: XML documents written from plain values, lists as `member`s and maps as `entry`s, every
// text escaped (pure).

/** A map as the query protocol writes it: `<entry><key>…</key><value>…</value></entry>`. */
export class XmlMap {
  constructor(readonly entries: ReadonlyMap<string, string> | Readonly<Record<string, string>>) {}
}

export type XmlValue = string | number | boolean | XmlMap | readonly XmlValue[] | { readonly [name: string]: XmlValue | undefined };

/**
 * Text as XML 1.0 can carry it: `& < > " '` escaped, and a carriage return as `&#13;` (a parser turns a raw one into a
 * line feed). Characters XML 1.0 cannot hold at all, even escaped (controls but tab, line feed and carriage return;
 * lone surrogates; U+FFFE and U+FFFF), become U+FFFD, so an answer never fails to parse.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      case '\r': return '&#13;';
      default: return '\ufffd';
    }
  });
}

/** `<name>…</name>`: a value's element (an undefined member is left out by its parent). */
export function element(name: string, value: XmlValue): string {
  return `<${name}>${content(value)}</${name}>`;
}

function content(value: XmlValue): string {
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof XmlMap) {
    const entries = value.entries instanceof Map ? [...value.entries] : Object.entries(value.entries);
    return entries.map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(v)}</value></entry>`).join('');
  }
  if (Array.isArray(value)) return value.map((v) => element('member', v)).join('');
  return Object.entries(value as Record<string, XmlValue | undefined>)
    .filter((e): e is [string, XmlValue] => e[1] !== undefined)
    .map(([k, v]) => element(k, v))
    .join('');
}

/**
 * An operation's answer: `<{Action}Response xmlns><{Action}Result>…</…Result><ResponseMetadata><RequestId>…` — the
 * Result element left out for an operation that returns nothing, as SNS leaves it out.
 */
export function responseXml(action: string, xmlns: string, result: XmlValue | undefined, requestId: string): string {
  const body = result === undefined ? '' : element(`${action}Result`, result);
  return `<${action}Response xmlns="${escapeXml(xmlns)}">${body}${element('ResponseMetadata', { RequestId: requestId })}</${action}Response>`;
}

/** An error: `<ErrorResponse xmlns><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`. */
export function errorXml(xmlns: string, error: { type: 'Sender' | 'Receiver'; code: string; message: string }, requestId: string): string {
  return `<ErrorResponse xmlns="${escapeXml(xmlns)}">${element('Error', { Type: error.type, Code: error.code, Message: error.message })}${element('RequestId', requestId)}</ErrorResponse>`;
}
