// What the object events loss test's functions recorded, read as the file grows, and the verdict per path against what
// klambda accepted.
import { LineTail } from '../loss/tail.js';
import { eventIdentity } from './proxy.js';

export class Deliveries {
  /** Lambda's S3 events: identity -> times recorded. */
  readonly s3 = new Map<string, number>();
  /** EventBridge's Object Created: `ObjectCreated:Put <key> <size>` -> times recorded. */
  readonly bus = new Map<string, number>();
  lines = 0;
  malformed = 0;
  private readonly tail: LineTail;

  constructor(file: string) {
    this.tail = new LineTail(file);
  }

  poll(): void {
    this.tail.poll((line) => {
      const f = line.split(' ');
      const add = (m: Map<string, number>, id: string) => { this.lines += 1; m.set(id, (m.get(id) ?? 0) + 1); };
      if (f[0] === 's3' && f.length === 5) add(this.s3, eventIdentity(f[1]!, f[2]!, f[3]));
      else if (f[0] === 'eb' && f.length === 5) add(this.bus, eventIdentity('ObjectCreated:Put', f[1]!, f[2]));
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
}

export function verdict(accepted: ReadonlySet<string>, recorded: ReadonlyMap<string, number>): PathVerdict {
  const lost = [...accepted].filter((id) => !recorded.has(id));
  let duplicates = 0;
  for (const n of recorded.values()) duplicates += n - 1;
  return {
    accepted: accepted.size, delivered: recorded.size, lost: lost.length, duplicates,
    deliveredNotAccepted: [...recorded.keys()].filter((id) => !accepted.has(id)).length,
    lostSamples: lost.slice(0, 10),
  };
}
