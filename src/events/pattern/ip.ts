// IP addresses and CIDR blocks as EventBridge reads them: IPv4 dotted quads and IPv6 hex groups, compared as bytes.
import { refuse } from './errors.js';

// event-ruler's tests for "looks like an IP" (anything else is never an address, whatever it spells).
const IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

// Every cidr rule of an index reads the same event value in turn: remember the last answer.
let lastText: string | undefined;
let lastHex: string | undefined;

/** The address's bytes (4 or 16) as a lowercase hex string, or undefined when `s` is not an IP literal. */
export function ipHex(s: string): string | undefined {
  if (s === lastText) return lastHex;
  const hex = IPV4.test(s) ? ipv4Hex(s) : IPV6.test(s) ? ipv6Hex(s) : undefined;
  lastText = s;
  lastHex = hex;
  return hex;
}

/** True when `s` has the shape of an IP literal (valid or not): such pattern values are compared as addresses. */
export function looksLikeIp(s: string): boolean {
  return IPV4.test(s) || IPV6.test(s);
}

function ipv4Hex(s: string): string | undefined {
  let hex = '';
  for (const part of s.split('.')) {
    const n = Number(part);
    if (part.length > 3 || n > 255) return undefined;
    hex += n.toString(16).padStart(2, '0');
  }
  return hex;
}

function ipv6Hex(s: string): string | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h ? h.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let hex = '';
  for (const g of all) {
    if (g.length === 0 || g.length > 4) return undefined;
    hex += g.toLowerCase().padStart(4, '0');
  }
  return hex;
}

/** A CIDR block as the inclusive range of address hex strings (same length as the addresses it holds). */
export interface CidrRange { low: string; high: string }

/** Parses `ip/bits` with event-ruler's checks and reasons (it refuses /32 for IPv4 and /128 for IPv6). */
export function parseCidr(cidr: string): CidrRange {
  const slashed = cidr.split('/');
  // Java's split drops trailing empty parts ("a/b/" is two parts); match it.
  while (slashed.length > 2 && slashed[slashed.length - 1] === '') slashed.pop();
  if (slashed.length !== 2) refuse("Malformed CIDR, one '/' required");
  const [ip, bitsText] = slashed as [string, string];
  if (!/^[+-]?[0-9]+$/.test(bitsText) || !Number.isSafeInteger(Number(bitsText))) refuse('Malformed CIDR, mask bits must be an integer');
  const bits = Number(bitsText);
  if (bits < 0) refuse('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(ip)) refuse(`Nonstandard IP address: ${ip}`);
  const hex = ipHex(ip);
  if (hex === undefined) refuse(`Invalid IP address: ${ip}`);
  const bytes = hexBytes(hex as string);
  if (bytes.length === 4 && bits > 31) refuse('IPv4 mask bits must be < 32');
  if (bytes.length === 16 && bits > 127) refuse('IPv6 mask bits must be < 128');
  const low = bytes.map((b, i) => b & maskByte(bits, i));
  const high = bytes.map((b, i) => (b | ~maskByte(bits, i)) & 0xff);
  return { low: bytesHex(low), high: bytesHex(high) };
}

/** The mask's byte `i` for a prefix of `bits` bits. */
function maskByte(bits: number, i: number): number {
  const fixed = Math.max(0, Math.min(8, bits - i * 8));
  return (0xff << (8 - fixed)) & 0xff;
}

const hexBytes = (hex: string): number[] => Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
const bytesHex = (bytes: number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');

/** True when the string value is an address inside the block (same family: equal hex lengths compare bytewise). */
export function inCidr(range: CidrRange, value: string): boolean {
  const hex = ipHex(value);
  return hex !== undefined && hex.length === range.low.length && hex >= range.low && hex <= range.high;
}
