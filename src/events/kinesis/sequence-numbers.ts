// Sequence numbers (pure): a decimal string made reversibly from the shard and the record's Redis stream id, so that
// within a shard they increase as the ids do (equal lengths: string order is number order).
/** Leading digit: never 0, so the number has a fixed length. */
const VERSION = '4';
const SHARD_DIGITS = 6;
const MS_DIGITS = 15;
const SEQ_DIGITS = 20;
export const SEQUENCE_NUMBER_LENGTH = 1 + SHARD_DIGITS + MS_DIGITS + SEQ_DIGITS;

/** A Redis stream id taken apart. */
export interface StreamId { ms: bigint; seq: bigint }

export function parseStreamId(id: string): StreamId {
  const dash = id.indexOf('-');
  return { ms: BigInt(id.slice(0, dash)), seq: BigInt(id.slice(dash + 1)) };
}

export const formatStreamId = (id: StreamId): string => `${id.ms}-${id.seq}`;

/** -1 / 0 / 1 as Redis orders the ids. */
export function compareStreamIds(a: string, b: string): number {
  const x = parseStreamId(a);
  const y = parseStreamId(b);
  if (x.ms !== y.ms) return x.ms < y.ms ? -1 : 1;
  return x.seq === y.seq ? 0 : x.seq < y.seq ? -1 : 1;
}

/** The arrival time (epoch ms) Redis wrote into the id. */
export const arrivalOf = (id: string): number => Number(parseStreamId(id).ms);

export function toSequenceNumber(shardIndex: number, id: string): string {
  const { ms, seq } = parseStreamId(id);
  return VERSION + String(shardIndex).padStart(SHARD_DIGITS, '0') + String(ms).padStart(MS_DIGITS, '0') + String(seq).padStart(SEQ_DIGITS, '0');
}

/** The shard and Redis id a sequence number encodes, or undefined when it is not one of ours. */
export function fromSequenceNumber(sequenceNumber: string): { shardIndex: number; id: string } | undefined {
  if (sequenceNumber.length !== SEQUENCE_NUMBER_LENGTH || !/^\d+$/.test(sequenceNumber) || !sequenceNumber.startsWith(VERSION)) return undefined;
  const shardIndex = Number(sequenceNumber.slice(1, 1 + SHARD_DIGITS));
  const ms = BigInt(sequenceNumber.slice(1 + SHARD_DIGITS, 1 + SHARD_DIGITS + MS_DIGITS));
  const seq = BigInt(sequenceNumber.slice(1 + SHARD_DIGITS + MS_DIGITS));
  if (seq >= 1n << 64n) return undefined;
  return { shardIndex, id: formatStreamId({ ms, seq }) };
}

/** The first sequence number of a shard (before any record): what DescribeStream shows as its StartingSequenceNumber. */
export const startingSequenceNumber = (shardIndex: number): string => toSequenceNumber(shardIndex, '0-0');
