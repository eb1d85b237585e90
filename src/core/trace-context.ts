// Trace context in its two wire forms — W3C `traceparent` and X-Ray's `X-Amzn-Trace-Id` — and the mapping between them
// (an X-Ray root `1-<8 hex>-<24 hex>` is the W3C trace id of those 32 hex digits, as AWS's OpenTelemetry propagator has it).

/** One span's place in a trace: what a child needs to name its parent. */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  sampled: boolean;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

const validIds = (traceId: string, spanId: string): boolean =>
  HEX32.test(traceId) && HEX16.test(spanId) && traceId !== ZERO32 && spanId !== ZERO16;

/** A `traceparent` header (version 00, or a later one read as 00 allows), or undefined when it is not one. */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  if (header === undefined) return undefined;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  // version ff is invalid; version 00 has nothing after the flags
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (!validIds(traceId, spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export const formatTraceparent = (c: TraceContext): string => `00-${c.traceId}-${c.spanId}-${c.sampled ? '01' : '00'}`;

/** The fields of an X-Amzn-Trace-Id header (`Root=1-…;Parent=…;Sampled=1`, in any order, other fields kept aside). */
export interface XrayHeader {
  /** `1-<8 hex>-<24 hex>`. */
  root: string;
  parent?: string;
  /** Absent when the header leaves the decision open (`Sampled=?` or no Sampled field). */
  sampled?: boolean;
}

const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;

export function parseXrayHeader(header: string | undefined): XrayHeader | undefined {
  if (header === undefined) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled: boolean | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'Root') root = value.toLowerCase();
    else if (key === 'Parent') parent = value.toLowerCase();
    else if (key === 'Sampled') sampled = value === '1' ? true : value === '0' ? false : undefined;
  }
  if (root === undefined || !XRAY_ROOT.test(root) || root.slice(2) === '00000000-000000000000000000000000') return undefined;
  const out: XrayHeader = { root };
  if (parent !== undefined && HEX16.test(parent) && parent !== ZERO16) out.parent = parent;
  if (sampled !== undefined) out.sampled = sampled;
  return out;
}

/** The W3C trace id of an X-Ray root. */
export const traceIdOfRoot = (root: string): string => root.slice(2, 10) + root.slice(11);

/** The X-Ray root of a W3C trace id. */
export const rootOfTraceId = (traceId: string): string => `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;

/**
 * The span an X-Amzn-Trace-Id names as its parent, or undefined when it names none (no Parent field: a trace begun
 * with no span yet). An open sampling decision counts as sampled: whoever sent the header asked for a trace.
 */
export function contextOfXray(header: string | undefined): TraceContext | undefined {
  const x = parseXrayHeader(header);
  if (!x || x.parent === undefined) return undefined;
  return { traceId: traceIdOfRoot(x.root), spanId: x.parent, sampled: x.sampled ?? true };
}

/** The X-Amzn-Trace-Id that names `c` as the parent (what the function sees as _X_AMZN_TRACE_ID). */
export const formatXrayHeader = (c: TraceContext): string =>
  `Root=${rootOfTraceId(c.traceId)};Parent=${c.spanId};Sampled=${c.sampled ? 1 : 0}`;

/**
 * The X-Amzn-Trace-Id an invocation carries, from a request's headers: a valid `traceparent` in X-Ray form, else a
 * valid X-Amzn-Trace-Id as it came (Lambda passes it on unchanged), else undefined (the caller starts a new trace).
 */
export function incomingTraceHeader(xray: string | undefined, traceparent: string | undefined): string | undefined {
  const w3c = parseTraceparent(traceparent);
  if (w3c) return formatXrayHeader(w3c);
  return xray !== undefined && parseXrayHeader(xray) ? xray : undefined;
}

/** The parent a span continues from a request's headers: `traceparent` first, then X-Amzn-Trace-Id. */
export function incomingContext(xray: string | undefined, traceparent: string | undefined): TraceContext | undefined {
  return parseTraceparent(traceparent) ?? contextOfXray(xray);
}
