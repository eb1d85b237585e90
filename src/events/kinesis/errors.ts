// Kinesis's errors, with its codes and messages (all 400 on the wire, as Kinesis answers them).
import { KlambdaError } from '../../core/errors.js';

export const resourceNotFound = (message: string): KlambdaError => new KlambdaError(400, 'ResourceNotFoundException', message);
export const resourceInUse = (message: string): KlambdaError => new KlambdaError(400, 'ResourceInUseException', message);
export const invalidArgument = (message: string): KlambdaError => new KlambdaError(400, 'InvalidArgumentException', message);
export const limitExceeded = (message: string): KlambdaError => new KlambdaError(400, 'LimitExceededException', message);
export const expiredIterator = (message: string): KlambdaError => new KlambdaError(400, 'ExpiredIteratorException', message);
export const expiredNextToken = (message: string): KlambdaError => new KlambdaError(400, 'ExpiredNextTokenException', message);

export const streamNotFound = (stream: string, accountId: string): KlambdaError =>
  resourceNotFound(`Stream ${stream} under account ${accountId} not found.`);

export const shardNotFound = (shardId: string, stream: string, accountId: string): KlambdaError =>
  resourceNotFound(`Shard ${shardId} in stream ${stream} under account ${accountId} does not exist`);

/** `Thu Jan 22 01:22:02 UTC 2015`: how Kinesis writes times in its messages. */
export function amzUtcString(ms: number): string {
  const m = /^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(new Date(ms).toUTCString());
  if (!m) return new Date(ms).toISOString();
  return `${m[1]} ${m[3]} ${m[2]} ${m[5]} UTC ${m[4]}`;
}
