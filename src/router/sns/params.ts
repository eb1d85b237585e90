// Reading an SNS call's parameters: required members, SNS's "Invalid parameter" errors, the caller's context.
import type { ArnContext } from '../../core/arn.js';
import type { QueryParams } from '../../core/query-apis.js';
import type { TopicBackend } from '../../events/contracts.js';
import { snsError } from '../query/errors.js';

/** What every SNS operation runs with: the caller's namespace (its topics), account and region. */
export interface SnsContext {
  backend: TopicBackend;
  arn: ArnContext;
  /** arn:aws:iam::ACCOUNT:user/NAME, for AuthorizationError messages. */
  userArn: string;
  /** Epoch ms (Publish's timestamps). */
  now: () => number;
  /** X-Amzn-Trace-Id of the call, carried into the messages it publishes. */
  traceId?: string;
}

/** SNS's 400 InvalidParameter: `Invalid parameter: <what>`. */
export const invalidParameter = (what: string) => snsError(400, 'InvalidParameter', `Invalid parameter: ${what}`);

/** SNS's 400 ParameterValueInvalid (the SDKs' InvalidParameterValueException): message attributes. */
export const parameterValueInvalid = (message: string) => snsError(400, 'ParameterValueInvalid', message);

export const topicNotFound = () => snsError(404, 'NotFound', 'Topic does not exist');
export const subscriptionNotFound = () => snsError(404, 'NotFound', 'Subscription does not exist');

/** AWS's members are named in lower camel case in validation messages (TopicArn → topicArn). */
const wireName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** A required member that is absent: AWS's front end answers ValidationError before the operation runs. */
export const missingMember = (name: string) =>
  snsError(400, 'ValidationError', `1 validation error detected: Value null at '${wireName(name)}' failed to satisfy constraint: Member must not be null`);

export function required(params: QueryParams, name: string): string {
  const v = params.get(name);
  if (v === undefined) throw missingMember(name);
  return v;
}

/** A value as echoed in a message: hostile input is not reflected at full length. */
export const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

/** `true` / `false` as SNS reads its boolean attributes and parameters (any case). */
export function booleanOf(value: string): boolean | undefined {
  const v = value.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}
