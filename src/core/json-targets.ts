// The AWS JSON-protocol APIs on the router's `POST /`, named by X-Amz-Target: each API's SigV4 service and wire
// version, and the IAM action and resource AWS authorizes each of its operations as (pure).
import type { ArnContext } from './arn.js';
import { KlambdaError } from './errors.js';
import { EVENTBRIDGE } from './json-apis/eventbridge.js';
import { KINESIS } from './json-apis/kinesis.js';
import { SQS } from './json-apis/sqs.js';

export { EVENTBRIDGE, KINESIS, SQS };

/** The wire shapes of errors and answers: `application/x-amz-json-1.0` or `-1.1`, errors as `{"__type","message"}`. */
export type JsonProtocol = 'awsJson1_0' | 'awsJson1_1';

export interface TargetAction {
  /** e.g. events:TestEventPattern */
  action: string;
  /** The resource ARN the call is authorized on, "*" where AWS names no resource type for the action. */
  resource: string;
}

export interface JsonApi {
  /** X-Amz-Target is `<prefix>.<Operation>`: AWSEvents for EventBridge. */
  prefix: string;
  /** The service of the SigV4 credential scope, and the prefix of the IAM actions. */
  service: string;
  protocol: JsonProtocol;
  /** The largest request body a call may have (default MAX_JSON_BODY of router/json-rpc: 1 MiB). */
  maxBodyBytes?: number;
  /** Every operation the router serves, with its IAM action (the handlers are the router's, under the same names). */
  /** `input`: the call's members (its JSON body), where the resource is named (a rule, a queue, a stream). */
  operations: Readonly<Record<string, (ctx: ArnContext, input?: Readonly<Record<string, unknown>>) => TargetAction>>;
}

export const JSON_APIS: readonly JsonApi[] = [EVENTBRIDGE, SQS, KINESIS];

/** A request addressed by X-Amz-Target; `api` is absent when no API of the router has that prefix. */
export interface JsonTarget {
  target: string;
  api?: JsonApi;
  operation: string;
}

/**
 * The JSON-protocol operation a request names, or undefined for anything else (the Lambda REST API). Only `POST /`
 * with an X-Amz-Target is one, as the AWS JSON protocols send every call.
 */
export function jsonTargetOf(method: string, path: string, target: string | undefined): JsonTarget | undefined {
  if (method !== 'POST' || path !== '/' || target === undefined) return undefined;
  const dot = target.indexOf('.');
  const prefix = dot < 0 ? target : target.slice(0, dot);
  const api = JSON_APIS.find((a) => a.prefix === prefix);
  const operation = dot < 0 ? '' : target.slice(dot + 1);
  return api ? { target, api, operation } : { target, operation };
}

/** The operation's IAM action, or undefined when the API has no such operation (a name like `constructor` included). */
export function targetAction(t: JsonTarget, ctx: ArnContext, input?: Readonly<Record<string, unknown>>): TargetAction | undefined {
  if (!t.api || !Object.hasOwn(t.api.operations, t.operation)) return undefined;
  return t.api.operations[t.operation]!(ctx, input);
}

const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

/** An X-Amz-Target no API of the router serves (AWS: 400 UnknownOperationException). */
export const unknownTarget = (target: string): KlambdaError =>
  new KlambdaError(400, 'UnknownOperationException', `Unknown operation: X-Amz-Target '${shown(target)}'`);
