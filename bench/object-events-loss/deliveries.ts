// What the object events loss test's functions recorded, read as the file grows, and the verdict per path against what
// klambda accepted.
import { LineTail } from '../loss/tail.js';
import { eventIdentity } from './proxy.js';

export class Deliveries {
  /** Lambda's S3 events: identity -> times recorded. */
  readonly s3 = new Map<string, number>();
  /** EventBridge's Object Created: `ObjectCreated:Put <key> <size>` -> times recorded. */
  readonly bus = new Map<string, number>();
  /** `s3 <identity>` / `eb <identity>` -> when this process first read it in the file (ms since the epoch). */
  readonly firstSeen = new Map<string, number>();
  lines = 0;
  malformed = 0;
  private readonly tail: LineTail;

  constructor(file: string) {
    this.tail = new LineTail(file);
  }

  poll(): void {
    this.tail.poll((line) => {
      const f = line.split(' ');
      const add = (path: 's3' | 'eb', m: Map<string, number>, id: string) => {
        this.lines += 1;
        m.set(id, (m.get(id) ?? 0) + 1);
        if (!this.firstSeen.has(`${path} ${id}`)) this.firstSeen.set(`${path} ${id}`, Date.now());
      };
      if (f[0] === 's3' && f.length === 5) add('s3', this.s3, eventIdentity(f[1]!, f[2]!, f[3]));
      else if (f[0] === 'eb' && f.length === 5) add('eb', this.bus, eventIdentity('ObjectCreated:Put', f[1]!, f[2]));
      else if (line !== '') this.malformed += 1;
    });
  }
}

export interface PathVerdict {
  /** Accepted by klambda (this path's share of them). */
  accepted: number;
  /** Distinct events recorded. */
  delivered: number;
  /** Accepted and never recorded. */
  lost: number;
  /** Recordings beyond the first, summed. */
  duplicates: number;
  /** Recorded, though no post of it was answered 2xx (klambda took it before the connection broke). */
  deliveredNotAccepted: number;
  lostSamples: string[];
  /** From klambda's 2xx to the record read in the file (polled every 250 ms): median, 99th percentile, slowest. */
  latencySeconds: { p50: number; p99: number; max: number; slowest: string } | null;
}

/** `path`: 's3' or 'eb'; `acceptedAt` and `firstSeen` as kept by the proxy and by Deliveries. */
export function verdict(accepted: ReadonlySet<string>, recorded: ReadonlyMap<string, number>, latency?: {
  path: 's3' | 'eb'; acceptedAt: ReadonlyMap<string, number>; firstSeen: ReadonlyMap<string, number>;
}): PathVerdict {
  const lost = [...accepted].filter((id) => !recorded.has(id));
  let duplicates = 0;
  for (const n of recorded.values()) duplicates += n - 1;
  return {
    accepted: accepted.size, delivered: recorded.size, lost: lost.length, duplicates,
    deliveredNotAccepted: [...recorded.keys()].filter((id) => !accepted.has(id)).length,
    lostSamples: lost.slice(0, 10),
    latencySeconds: latency ? latencies(accepted, latency) : null,
  };
}

function latencies(accepted: ReadonlySet<string>, o: { path: string; acceptedAt: ReadonlyMap<string, number>; firstSeen: ReadonlyMap<string, number> }): PathVerdict['latencySeconds'] {
  const l: Array<[number, string]> = [];
  for (const id of accepted) {
    const seen = o.firstSeen.get(`${o.path} ${id}`);
    const at = o.acceptedAt.get(id);
    if (seen !== undefined && at !== undefined) l.push([Math.max(0, seen - at) / 1000, id]);
  }
  if (l.length === 0) return null;
  l.sort((a, b) => a[0] - b[0]);
  const q = (p: number) => l[Math.min(l.length - 1, Math.floor(p * l.length))]![0];
  return { p50: q(0.5), p99: q(0.99), max: l.at(-1)![0], slowest: l.at(-1)![1] };
}
