// On a cluster, an HTTP(S) subscription is a request the controller makes for a tenant: it must not reach into the
// cluster (Redis, the API server, another tenant's Service) or the node (loopback, the cloud metadata address). This
// guard refuses what the endpoint names, before any request: loopback, link-local, unspecified and private-use
// literals, `localhost`, single-label names (a Service in the same namespace) and cluster names (`*.svc`,
// `*.cluster.local`, `*.internal`, `*.local`). A name that resolves to such an address is not caught here; the
// NetworkPolicy of the controller is the second wall (docs/events.md).
import { isIP } from 'node:net';

const BLOCKED_V4: Array<[number, number]> = [
  [0x00000000, 8], [0x0a000000, 8], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10],
];

function v4(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

function blockedV4(ip: string): boolean {
  const n = v4(ip);
  return BLOCKED_V4.some(([base, bits]) => (n >>> (32 - bits)) === (base >>> (32 - bits)));
}

function blockedV6(ip: string): boolean {
  const lower = ip.toLowerCase();
  if (lower === '::' || lower === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return blockedV4(mapped[1]!);
  // the URL parser writes a mapped IPv4 address in hex: ::ffff:7f00:1
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const n = (parseInt(hex[1]!, 16) << 16) + parseInt(hex[2]!, 16);
    return blockedV4([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
  }
  // link-local fe80::/10, unique-local fc00::/7
  return /^fe[89ab]/.test(lower) || /^f[cd]/.test(lower);
}

/** Why a cluster refuses to call this URL, or undefined. */
export function clusterUrlRefusal(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  const family = isIP(host);
  if (family === 4 && blockedV4(host)) return `${host} is a loopback, link-local or private address`;
  if (family === 6 && blockedV6(host)) return `${host} is a loopback, link-local or private address`;
  if (family !== 0) return undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is the node itself`;
  if (!host.includes('.')) return `${host} is a single-label name (a Service of the cluster)`;
  if (/\.(svc|cluster\.local|internal|local)$/.test(host) || host.endsWith('.svc.cluster.local')) return `${host} is a name inside the cluster`;
  return undefined;
}
