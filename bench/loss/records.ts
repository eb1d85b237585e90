// What the loss test's function recorded (one "<seq> <requestId>" line per run it finished writing), read as it grows,
// and the verdict against what was accepted: delivered, lost, duplicates (redeliveries vs. resends).
import { LineTail } from './tail.js';

export class Records {
  /** seq -> the request id of each run that recorded it, in order. */
  readonly runs = new Map<number, string[]>();
  lines = 0;
  private readonly tail: LineTail;

  constructor(file: string) {
    this.tail = new LineTail(file);
  }

  /** Reads what was appended since the last call; returns the number of distinct seqs recorded. */
  poll(): number {
    this.tail.poll((line) => this.add(line));
    return this.runs.size;
  }

  private add(line: string): void {
    const [seqText, requestId] = line.split(' ');
    const seq = Number(seqText);
    if (!Number.isInteger(seq) || requestId === undefined) return;
    this.lines += 1;
    const list = this.runs.get(seq);
    if (list) list.push(requestId); else this.runs.set(seq, [requestId]);
  }
}

export interface Verdict {
  delivered: number;
  lost: number[];
  /** Records beyond the first per seq. */
  duplicates: number;
  /** …of which a second run of the same request id (at-least-once redelivery after a kill). */
  redeliveries: number;
  /** …of which another request id for the same seq: the client sent it again after an unclear failure, and both got in. */
  resends: number;
  /** Seqs recorded more than once, the first few, with their request ids. */
  duplicateSamples: Array<{ seq: number; requestIds: string[] }>;
  /** Recorded seqs that were never answered 202 (sent, unclear failure, got in anyway). */
  recordedNotAccepted: number;
  /** Accepted seqs recorded, but never under the request id of their 202 (an earlier, unclear attempt ran instead). */
  otherRequestId: number;
}

export function verdict(accepted: ReadonlyMap<number, string>, records: Records): Verdict {
  let duplicates = 0;
  let redeliveries = 0;
  let resends = 0;
  const duplicateSamples: Verdict['duplicateSamples'] = [];
  for (const [seq, ids] of records.runs) {
    if (ids.length < 2) continue;
    duplicates += ids.length - 1;
    const distinct = new Set(ids).size;
    resends += distinct - 1;
    redeliveries += ids.length - distinct;
    if (duplicateSamples.length < 5) duplicateSamples.push({ seq, requestIds: ids });
  }
  const lost = [...accepted.keys()].filter((seq) => !records.runs.has(seq)).sort((a, b) => a - b);
  const recordedNotAccepted = [...records.runs.keys()].filter((seq) => !accepted.has(seq)).length;
  const otherRequestId = [...accepted].filter(([seq, id]) => records.runs.get(seq)?.includes(id) === false).length;
  return {
    delivered: [...accepted.keys()].filter((seq) => records.runs.has(seq)).length,
    lost, duplicates, redeliveries, resends, duplicateSamples, recordedNotAccepted, otherRequestId,
  };
}
