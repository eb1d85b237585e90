// What each Kinesis operation works on: the store, the caller's namespace and ARN context, and the stream a call names
// (by StreamName or StreamARN, as the API accepts either).
import type { Request } from 'express';
import type { ArnContext } from '../../core/arn.js';
import { KlambdaError } from '../../core/errors.js';
import { invalidArgument, streamNotFound } from '../../events/kinesis/errors.js';
import type { KinesisStore, StreamMeta } from '../../events/kinesis/store.js';
import { STREAM_ARN_RULE, STREAM_NAME_RULE, type Members } from './members.js';

export interface KinesisScope {
  store: KinesisStore;
  /** The caller's namespace (its account). */
  namespace: string;
  arn: ArnContext;
}

export type KinesisScopeOf = (req: Request) => KinesisScope;

export interface KinesisCall extends KinesisScope {
  now: number;
}

export { streamArnOf as streamArn } from '../../events/kinesis/stream-arn.js';

const ARN = /^arn:aws[a-zA-Z-]*:kinesis:([a-z0-9-]*):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/;

/** Reads StreamName and StreamARN (call before Members.check()); `resolve` then gives the one stream they name. */
export function streamMembers(m: Members): () => { name: string | undefined; arn: string | undefined } {
  const name = m.string('StreamName', STREAM_NAME_RULE);
  const arn = m.string('StreamARN', STREAM_ARN_RULE);
  return () => ({ name, arn });
}

/**
 * The stream's name from StreamName or StreamARN: one of them is required; an ARN must be of the caller's account
 * (AccessDeniedException otherwise) and region, and agree with a StreamName given beside it.
 */
export function streamNameOf(given: { name: string | undefined; arn: string | undefined }, call: KinesisScope): string {
  if (given.arn === undefined) {
    if (given.name === undefined) throw invalidArgument('Either StreamName or StreamARN should be provided.');
    return given.name;
  }
  const m = ARN.exec(given.arn);
  if (!m) throw invalidArgument(`StreamARN ${given.arn} is not a valid stream ARN.`);
  const [, region, account, name] = m as unknown as [string, string, string, string];
  if (account !== call.arn.accountId) {
    throw new KlambdaError(400, 'AccessDeniedException', `User is not authorized to perform this action on resource: ${given.arn}`);
  }
  if (region !== call.arn.region) throw streamNotFound(name, account);
  if (given.name !== undefined && given.name !== name) throw invalidArgument(`StreamARN ${given.arn} and StreamName ${given.name} name different streams.`);
  return name;
}

/** The stream, or Kinesis's ResourceNotFoundException. */
export async function requireStream(call: KinesisScope, name: string): Promise<StreamMeta> {
  const meta = await call.store.getStream(call.namespace, name);
  if (!meta) throw streamNotFound(name, call.arn.accountId);
  return meta;
}
