// /proc/net/tcp and /proc/net/tcp6 (pure): socket entries, and the peer's socket of one loopback connection.

/** One end of a TCP socket: IPv4 dotted (IPv4-mapped IPv6 too), else IPv6 as eight lowercase groups, uncompressed. */
export interface TcpEndpoint {
  address: string;
  port: number;
}

/** One line of /proc/net/tcp{,6}. */
export interface TcpSocketEntry {
  local: TcpEndpoint;
  remote: TcpEndpoint;
  /** The kernel's TCP state: 1 established, 10 listening. */
  state: number;
  /** The uid that created the socket. */
  uid: number;
  /** The socket's inode (0 for sockets no process holds any more, e.g. in TIME_WAIT). */
  inode: number;
}

/**
 * The kernel prints each 32-bit word of an address as the CPU holds it (so 127.0.0.1 is 0100007F on a little-endian
 * machine) and the port in host order (%04X).
 */
export type ByteOrder = 'LE' | 'BE';

const hex2 = (b: number) => b.toString(16).padStart(2, '0').toUpperCase();

/** Bytes in network order → /proc's hex: every 4-byte word reversed on a little-endian machine. */
function wordsToHex(bytes: readonly number[], order: ByteOrder): string {
  let out = '';
  for (let w = 0; w < bytes.length; w += 4) {
    const word = bytes.slice(w, w + 4);
    out += (order === 'LE' ? word.reverse() : word).map(hex2).join('');
  }
  return out;
}

function hexToBytes(hex: string, order: ByteOrder): number[] | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(order === 'LE' ? word.reverse() : word));
  }
  return bytes;
}

const isMapped = (b: readonly number[]) => b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;

/** Network-order bytes → the address as TcpEndpoint spells it. */
function formatAddress(b: readonly number[]): string {
  if (b.length === 4) return b.join('.');
  if (isMapped(b)) return b.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16));
  return groups.join(':');
}

/** An address as Node gives it (`127.0.0.1`, `::ffff:127.0.0.1`, `::1`) → network-order bytes (4 for IPv4 and mapped). */
export function addressBytes(address: string): number[] | undefined {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(address);
  if (v4) {
    const b = v4.slice(1).map(Number);
    return b.every((x) => x <= 255) ? b : undefined;
  }
  const halves = address.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s ? s.split(':') : []);
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
}

function parseEndpoint(text: string | undefined, order: ByteOrder): TcpEndpoint | undefined {
  const colon = text?.indexOf(':') ?? -1;
  if (!text || colon === -1) return undefined;
  const bytes = hexToBytes(text.slice(0, colon), order);
  const port = parseInt(text.slice(colon + 1), 16);
  return bytes && Number.isInteger(port) ? { address: formatAddress(bytes), port } : undefined;
}

/** One line of /proc/net/tcp{,6}; undefined for the header or anything else. */
export function parseProcNetTcpLine(line: string, order: ByteOrder): TcpSocketEntry | undefined {
  // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
  const f = line.trim().split(/\s+/);
  if (!/^[0-9]+:$/.test(f[0] ?? '')) return undefined;
  const local = parseEndpoint(f[1], order);
  const remote = parseEndpoint(f[2], order);
  const state = parseInt(f[3] ?? '', 16);
  const uid = Number(f[7]);
  const inode = Number(f[9]);
  if (!local || !remote || !Number.isInteger(state) || !Number.isInteger(uid) || !Number.isInteger(inode)) return undefined;
  return { local, remote, state, uid, inode };
}

/** Every socket of a /proc/net/tcp{,6} text. */
export function parseProcNetTcp(text: string, order: ByteOrder): TcpSocketEntry[] {
  return text.split('\n').flatMap((line) => parseProcNetTcpLine(line, order) ?? []);
}

/** An endpoint as /proc/net/tcp (4) or tcp6 (6) prints it; an IPv4 address in tcp6 is IPv4-mapped. Undefined if it cannot appear there. */
export function procNetEndpoint(e: TcpEndpoint, family: 4 | 6, order: ByteOrder): string | undefined {
  let bytes = addressBytes(e.address);
  if (!bytes || !Number.isInteger(e.port) || e.port < 0 || e.port > 65535) return undefined;
  if (family === 4 && bytes.length !== 4) return undefined;
  if (family === 6 && bytes.length === 4) bytes = [...Array<number>(10).fill(0), 0xff, 0xff, ...bytes];
  return `${wordsToHex(bytes, order)}:${e.port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The inode of the peer's socket of a connection we accepted: the line whose local end is the peer and whose remote
 * end is us. Only that line is parsed (the table holds every socket of the network namespace). Undefined if absent
 * or held by no process (inode 0).
 */
export function peerSocketInode(text: string, family: 4 | 6, peer: TcpEndpoint, us: TcpEndpoint, order: ByteOrder): number | undefined {
  const local = procNetEndpoint(peer, family, order);
  const remote = procNetEndpoint(us, family, order);
  if (!local || !remote) return undefined;
  const needle = ` ${local} ${remote} `;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    const entry = parseProcNetTcpLine(text.slice(start, end === -1 ? undefined : end), order);
    if (entry && entry.inode > 0) return entry.inode;
  }
  return undefined;
}

/** peerSocketInode over a table read a chunk at a time: a line cut between two chunks is looked at once it is whole. */
export class PeerSocketSearch {
  private partial = '';

  constructor(private readonly family: 4 | 6, private readonly peer: TcpEndpoint, private readonly us: TcpEndpoint, private readonly order: ByteOrder) {}

  /** The peer's socket inode, once its line has come whole. */
  feed(chunk: string): number | undefined {
    const text = this.partial + chunk;
    const end = text.lastIndexOf('\n') + 1;
    this.partial = text.slice(end);
    return end === 0 ? undefined : peerSocketInode(text.slice(0, end), this.family, this.peer, this.us, this.order);
  }
}

/** What readlink(/proc/<pid>/fd/<n>) gives for a descriptor of the socket `inode`. */
export const socketLink = (inode: number): string => `socket:[${inode}]`;

