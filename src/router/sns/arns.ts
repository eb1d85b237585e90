// SNS's names and ARNs as klambda keeps them (pure): topic names that fit both SNS and a Kubernetes object, topic and
// subscription ARNs (a subscription's derived from its protocol and endpoint, so a manifest's is stable), endpoints
// as SNS shows them (function and queue ARNs) and as a Topic stores them.
import { isUrlOf } from '../../api/validate.js';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { snsTopicArn } from '../../core/query-apis.js';
import { subscriptionArn as eventsSubscriptionArn } from '../../events/sns-shapes.js';
import type { Subscription, SubscriptionProtocol } from '../../api/topic.js';
import { snsError } from '../query/errors.js';
import { invalidParameter, missingMember, topicNotFound } from './params.js';

export { snsTopicArn };

/** SNS's rule for a standard topic's name. */
const SNS_TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
/** A Topic object's name: a DNS-1123 label. */
const KUBE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Refuses a name SNS refuses, and one SNS takes but a Topic object cannot be named (uppercase, `_`, over 63). */
export function checkTopicName(name: string): void {
  if (!SNS_TOPIC_NAME.test(name)) throw invalidParameter('Topic Name');
  if (!KUBE_NAME.test(name)) {
    throw invalidParameter('Topic Name Reason: klambda keeps a topic as a Topic object, whose name must be 1 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit');
  }
}

/** Whether `name` can be the name of a stored topic (what an ARN may name). */
export const isTopicName = (name: string): boolean => KUBE_NAME.test(name);

const unauthorized = (userArn: string, action: string, resource: string) =>
  snsError(403, 'AuthorizationError', `User: ${userArn} is not authorized to perform: ${action} on resource: ${resource} because no resource-based policy allows the ${action} action`);

export interface ArnParts { region: string; account: string; resource: string[] }

/**
 * The parts of an SNS ARN given as `param`, or SNS's refusal: fewer than 6 parts, or not an SNS ARN. An ARN of another
 * region is refused as SNS refuses it (InvalidParameter); of another account (another namespace) with AuthorizationError,
 * as SNS answers a topic whose policy does not let the caller in.
 */
export function snsArnParts(raw: string, param: string, ctx: ArnContext, userArn: string, action: string): ArnParts {
  const parts = raw.split(':');
  if (parts.length < 6) throw invalidParameter(`${param} Reason: An ARN must have at least 6 elements, not ${parts.length}`);
  const [arn, partition, service, region, account, ...resource] = parts;
  if (arn !== 'arn' || !/^aws[a-zA-Z-]*$/.test(partition!) || service !== 'sns' || !/^[0-9]{12}$/.test(account!)) throw invalidParameter(param);
  if (region !== ctx.region) throw invalidParameter(param);
  if (account !== ctx.accountId) throw unauthorized(userArn, action, raw);
  return { region: region!, account: account!, resource };
}

/** The topic name a TopicArn (or TargetArn, ResourceArn) names; NotFound for a name no topic can have. */
export function topicNameOf(raw: string | undefined, param: string, ctx: ArnContext, userArn: string, action: string): string {
  if (raw === undefined) throw missingMember(param);
  const { resource } = snsArnParts(raw, param, ctx, userArn, action);
  if (resource.length !== 1) throw invalidParameter(param);
  if (!isTopicName(resource[0]!)) throw topicNotFound();
  return resource[0]!;
}

/** The protocol and endpoint of a subscription as SNS shows them: `sqs` and a queue ARN, function ARNs for `lambda`. */
export function wireEndpoint(ctx: ArnContext, s: Pick<Subscription, 'protocol' | 'endpoint'>): { protocol: string; endpoint: string } {
  switch (s.protocol) {
    case 'queue':
      return { protocol: 'sqs', endpoint: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${s.endpoint}` };
    case 'lambda': {
      if (s.endpoint.startsWith('arn:')) return { protocol: 'lambda', endpoint: s.endpoint };
      const [name, qualifier] = s.endpoint.split(':');
      return { protocol: 'lambda', endpoint: functionArn(ctx, name!, qualifier) };
    }
    default:
      return { protocol: s.protocol, endpoint: s.endpoint };
  }
}

/**
 * `arn:aws:sns:{region}:{account}:{topic}:{uuid}`, the uuid derived from the stored protocol and endpoint (events'
 * sns-shapes, the one derivation the fan-out's EventSubscriptionArn uses too): a manifest's subscription has a stable ARN.
 */
export const subscriptionArn = (ctx: ArnContext, topic: string, s: Pick<Subscription, 'protocol' | 'endpoint'>): string => eventsSubscriptionArn(ctx, topic, s);

/** The protocols a Topic stores, by the name SNS gives them. */
const PROTOCOLS: Readonly<Record<string, SubscriptionProtocol>> = { lambda: 'lambda', http: 'http', https: 'https', sqs: 'queue' };

/** What SNS has that klambda does not deliver to. */
const OTHER_SNS_PROTOCOLS = new Set(['email', 'email-json', 'sms', 'application', 'firehose']);

/**
 * Subscribe's Protocol and Endpoint as a Topic stores them, or SNS's refusal: an SQS queue ARN becomes the queue's
 * name, a function ARN of this account and region the function's name (with its qualifier).
 */
export function storedEndpoint(ctx: ArnContext, protocol: string, endpoint: string | undefined): { protocol: SubscriptionProtocol; endpoint: string } {
  const stored = PROTOCOLS[protocol];
  if (!stored || !Object.hasOwn(PROTOCOLS, protocol)) {
    if (OTHER_SNS_PROTOCOLS.has(protocol)) throw invalidParameter(`Protocol Reason: klambda delivers to lambda, http, https and sqs subscriptions, not ${protocol}`);
    throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol.length > 64 ? `${protocol.slice(0, 64)}...` : protocol}`);
  }
  if (endpoint === undefined || endpoint === '') throw invalidParameter('Endpoint Reason: no value for required parameter');
  switch (stored) {
    case 'http':
    case 'https':
      if (!isUrlOf(endpoint, `${stored}:`)) throw invalidParameter('Endpoint must match the specified protocol');
      return { protocol: stored, endpoint };
    case 'queue': {
      const m = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):([0-9]{12}):([a-zA-Z0-9_-]{1,80})$/.exec(endpoint);
      if (!m) throw invalidParameter('SQS endpoint ARN');
      if (m[1] !== ctx.region || m[2] !== ctx.accountId) throw invalidParameter(`Endpoint Reason: klambda delivers only to queues of this account and region (arn:aws:sqs:${ctx.region}:${ctx.accountId}:NAME)`);
      return { protocol: 'queue', endpoint: m[3]! };
    }
    case 'lambda': {
      const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):([0-9]{12}):function:([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(:(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$/.exec(endpoint);
      if (!m) throw invalidParameter('Lambda endpoint ARN');
      if (m[1] !== ctx.region || m[2] !== ctx.accountId) throw invalidParameter(`Endpoint Reason: klambda delivers only to functions of this account and region (arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:NAME)`);
      // kept as a name (name:qualifier), as a manifest names a function; shown as its ARN again (wireEndpoint)
      return { protocol: 'lambda', endpoint: m[6] === undefined ? m[3]! : `${m[3]!}:${m[6]}` };
    }
  }
}

