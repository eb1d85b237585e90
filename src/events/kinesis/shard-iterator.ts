// Shard iterators (pure): an opaque token naming a position in one shard of one stream, valid for 5 minutes after it
// was handed out, as Kinesis's are.
import { amzUtcString, expiredIterator, invalidArgument } from './errors.js';

/** How long an iterator can be used (Kinesis: 5 minutes). */
export const ITERATOR_LIFETIME_MS = 300_000;

export interface ShardIteratorState {
  namespace: string;
  stream: string;
  /** The stream's epoch: an iterator of a deleted stream does not read its successor. */
  epoch: string;
  shardIndex: number;
  /** A Redis range start: `-` (the oldest record kept), `id` (at it) or `(id` (after it). */
  start: string;
  /** Epoch ms when it was handed out. */
  issuedAt: number;
}

const START = /^(-|\(?\d{1,20}-\d{1,20})$/;

export function encodeShardIterator(s: ShardIteratorState): string {
  return Buffer.from(JSON.stringify([1, s.namespace, s.stream, s.epoch, s.shardIndex, s.start, s.issuedAt]), 'utf8').toString('base64');
}

const invalid = () => invalidArgument('Invalid ShardIterator.');

/** The iterator's state, InvalidArgumentException when it is not one, ExpiredIteratorException past its 5 minutes. */
export function decodeShardIterator(token: string, now: number): ShardIteratorState {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(v) || v.length !== 7 || v[0] !== 1) throw invalid();
  const [, namespace, stream, epoch, shardIndex, start, issuedAt] = v as unknown[];
  if (typeof namespace !== 'string' || typeof stream !== 'string' || typeof epoch !== 'string' || typeof start !== 'string'
    || !Number.isInteger(shardIndex) || (shardIndex as number) < 0 || typeof issuedAt !== 'number' || !START.test(start)) throw invalid();
  if (issuedAt > now + ITERATOR_LIFETIME_MS) throw invalid();
  if (now - issuedAt > ITERATOR_LIFETIME_MS) {
    throw expiredIterator(`Iterator expired. The iterator was created at time ${amzUtcString(issuedAt)} while right now it is ${amzUtcString(now)} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`);
  }
  return { namespace, stream, epoch, shardIndex: shardIndex as number, start, issuedAt };
}
