// What the object events loss test does to the bucket: N objects put, some overwritten (with another size, so the two
// events differ), some deleted one by one and some with DeleteObjects, at a steady rate over a few lanes; each
// operation S3 answered OK is the events it must have made.
import { DeleteObjectCommand, DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { eventIdentity } from './proxy.js';

export const CREATE_SIZE = 32;
export const OVERWRITE_SIZE = 48;

export type Op =
  | { kind: 'put'; key: string; size: number }
  | { kind: 'delete'; key: string }
  | { kind: 'deleteMany'; keys: string[] };

export const keyOf = (i: number) => `uploads/obj-${String(i).padStart(5, '0')}`;

/**
 * The plan: key i is put; 20 puts later, every tenth key (i % 10 == 3) is overwritten; 40 puts later, keys with
 * i % 20 == 7 are deleted alone and, every 100 puts, the keys with i % 20 == 17 of the hundred before in one
 * DeleteObjects. Bounded: N puts, N/10 overwrites, N/10 deletes.
 */
export function plan(n: number): Op[] {
  const ops: Op[] = [];
  let batch: string[] = [];
  for (let i = 0; i < n + 40; i++) {
    if (i < n) ops.push({ kind: 'put', key: keyOf(i), size: CREATE_SIZE });
    const o = i - 20;
    if (o >= 0 && o < n && o % 10 === 3) ops.push({ kind: 'put', key: keyOf(o), size: OVERWRITE_SIZE });
    const d = i - 40;
    if (d >= 0 && d < n && d % 20 === 7) ops.push({ kind: 'delete', key: keyOf(d) });
    if (d >= 0 && d < n && d % 20 === 17) batch.push(keyOf(d));
    if (batch.length === 5 || (i === n + 39 && batch.length > 0)) { ops.push({ kind: 'deleteMany', keys: batch }); batch = []; }
  }
  return ops;
}

/** The events an operation makes (versitygw posts a DeleteObjects as one ObjectRemoved per key). */
export function eventsOf(op: Op): string[] {
  if (op.kind === 'put') return [eventIdentity('ObjectCreated:Put', op.key, op.size)];
  if (op.kind === 'delete') return [eventIdentity('ObjectRemoved:Delete', op.key, undefined)];
  return op.keys.map((k) => eventIdentity('ObjectRemoved:Delete', k, undefined));
}

export interface WriteResult { ops: number; failedOps: number; puts: number; overwrites: number; deletes: number; seconds: number }

export class Writer {
  /** The events of each operation S3 answered OK. */
  readonly expected = new Set<string>();
  done = 0;
  failedOps = 0;
  readonly failures: string[] = [];

  constructor(private readonly s3: S3Client, private readonly bucket: string) {}

  /** Runs the plan, `rate` operations a second (0: as fast as it goes) over `lanes` at once; an operation on a key
   *  waits for the one before it on that key. */
  async run(ops: Op[], rate: number, lanes: number, deadline: number): Promise<WriteResult> {
    const t0 = Date.now();
    const last = new Map<string, Promise<unknown>>();
    let next = 0;
    const lane = async () => {
      for (;;) {
        const i = next++;
        if (i >= ops.length || Date.now() > deadline) return;
        if (rate > 0) {
          const at = t0 + (i * 1000) / rate;
          if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
        }
        const op = ops[i]!;
        const keys = op.kind === 'deleteMany' ? op.keys : [op.key];
        const before = Promise.all(keys.map((k) => last.get(k)));
        const p = before.then(() => this.one(op));
        for (const k of keys) last.set(k, p);
        await p;
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    const count = (f: (o: Op) => boolean) => ops.filter(f).length;
    return {
      ops: this.done, failedOps: this.failedOps,
      puts: count((o) => o.kind === 'put' && o.size === CREATE_SIZE),
      overwrites: count((o) => o.kind === 'put' && o.size === OVERWRITE_SIZE),
      deletes: ops.reduce((n, o) => n + (o.kind === 'delete' ? 1 : o.kind === 'deleteMany' ? o.keys.length : 0), 0),
      seconds: (Date.now() - t0) / 1000,
    };
  }

  private async one(op: Op): Promise<void> {
    try {
      if (op.kind === 'put') {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: op.key, Body: Buffer.alloc(op.size, 'x') }));
      } else if (op.kind === 'delete') {
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: op.key }));
      } else {
        const r = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: op.keys.map((Key) => ({ Key })) } }));
        if ((r.Errors ?? []).length > 0) throw new Error(`DeleteObjects: ${JSON.stringify(r.Errors)}`);
      }
      for (const e of eventsOf(op)) this.expected.add(e);
    } catch (err) {
      this.failedOps += 1;
      if (this.failures.length < 10) this.failures.push(`${op.kind} ${op.kind === 'deleteMany' ? op.keys.join(',') : op.key}: ${String(err)}`);
    } finally {
      this.done += 1;
    }
  }
}
