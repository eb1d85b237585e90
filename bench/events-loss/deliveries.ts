// What the events loss test's function recorded, read as the file grows, and the verdict against what was accepted.
//
// Order per partition key under at-least-once: a record may come again after later ones (a batch retried after a
// crash, a checkpoint not written before a kill), so the order of all deliveries is no test. What must hold is that
// each key's records are delivered for the FIRST time in seq order without a gap: when seq s of a key is delivered for
// the first time, every lower seq of that key has been delivered at least once before. A first delivery that finds a
// lower seq not yet delivered is an order violation (a gap skipped and filled later, or two records swapped).
import { LineTail } from '../loss/tail.js';

interface KeyTrack {
  /** seq -> how many times it was recorded. */
  times: Map<number, number>;
  /** The lowest seq not yet delivered. */
  next: number;
  violations: number;
}

export interface OrderViolation { key: string; seq: number; missing: number; line: number }

export class Deliveries {
  /** Topic: seq -> how many times it was recorded. */
  readonly topic = new Map<number, number>();
  /** Stream: partition key -> its deliveries. */
  readonly stream = new Map<string, KeyTrack>();
  /** Every order violation (the first 100,000), in the order found. */
  readonly violations: OrderViolation[] = [];
  lines = 0;
  malformed = 0;
  private readonly tail: LineTail;

  constructor(file: string) {
    this.tail = new LineTail(file);
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    this.tail.poll((line) => this.add(line));
  }

  /** Distinct topic seqs and stream records recorded. */
  get distinct(): { topic: number; stream: number } {
    let stream = 0;
    for (const t of this.stream.values()) stream += t.times.size;
    return { topic: this.topic.size, stream };
  }

  streamTimes(key: string, seq: number): number {
    return this.stream.get(key)?.times.get(seq) ?? 0;
  }

  private add(line: string): void {
    const f = line.split(' ');
    if (f[0] === 't' && f.length === 4 && /^\d+$/.test(f[1]!)) {
      this.lines += 1;
      const seq = Number(f[1]);
      this.topic.set(seq, (this.topic.get(seq) ?? 0) + 1);
    } else if (f[0] === 's' && f.length === 5 && /^\d+$/.test(f[2]!)) {
      this.lines += 1;
      this.delivered(f[1]!, Number(f[2]));
    } else {
      this.malformed += 1;
    }
  }

  private delivered(key: string, seq: number): void {
    let t = this.stream.get(key);
    if (!t) this.stream.set(key, t = { times: new Map(), next: 0, violations: 0 });
    const before = t.times.get(seq) ?? 0;
    t.times.set(seq, before + 1);
    if (before > 0) return;
    if (seq !== t.next) {
      t.violations += 1;
      if (this.violations.length < 100_000) this.violations.push({ key, seq, missing: t.next, line: this.lines });
    }
    while (t.times.has(t.next)) t.next += 1;
  }
}

export interface TopicVerdict {
  delivered: number;
  lost: number[];
  /** Records beyond the first per seq. */
  duplicates: number;
  /** Seqs recorded that were never answered OK (an unclear failure that got in). */
  recordedNotAccepted: number;
}

export function topicVerdict(accepted: ReadonlyMap<number, string>, d: Deliveries): TopicVerdict {
  let duplicates = 0;
  for (const n of d.topic.values()) duplicates += n - 1;
  const lost = [...accepted.keys()].filter((seq) => !d.topic.has(seq)).sort((a, b) => a - b);
  return {
    delivered: accepted.size - lost.length, lost, duplicates,
    recordedNotAccepted: [...d.topic.keys()].filter((seq) => !accepted.has(seq)).length,
  };
}

export interface StreamVerdict {
  delivered: number;
  /** "key seq" of each accepted record never recorded. */
  lost: string[];
  duplicates: number;
  recordedNotAccepted: number;
  orderViolations: number;
  /** …of which the missing lower seq came later (a gap skipped and filled), and of which it never came (it was lost). */
  orderViolationsFilledLater: number;
  orderViolationsNeverFilled: number;
  /** Order violations per key (only keys that have some). */
  orderViolationsByKey: Record<string, number>;
  orderViolationSamples: OrderViolation[];
}

export function streamVerdict(accepted: ReadonlyMap<string, string>, d: Deliveries): StreamVerdict {
  let duplicates = 0;
  let recordedNotAccepted = 0;
  let orderViolations = 0;
  const byKey: Record<string, number> = {};
  for (const [key, t] of d.stream) {
    for (const [seq, n] of t.times) {
      duplicates += n - 1;
      if (!accepted.has(`${key} ${seq}`)) recordedNotAccepted += 1;
    }
    orderViolations += t.violations;
    if (t.violations > 0) byKey[key] = t.violations;
  }
  const lost = [...accepted.keys()].filter((ks) => {
    const [key, seq] = ks.split(' ');
    return d.streamTimes(key!, Number(seq)) === 0;
  });
  const filled = d.violations.filter((v) => d.streamTimes(v.key, v.missing) > 0).length;
  return {
    delivered: accepted.size - lost.length, lost, duplicates, recordedNotAccepted,
    orderViolations, orderViolationsFilledLater: filled, orderViolationsNeverFilled: d.violations.length - filled,
    orderViolationsByKey: byKey, orderViolationSamples: d.violations.slice(0, 10),
  };
}
