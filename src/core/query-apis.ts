// The AWS query-protocol API on the router's `POST /` (SNS: a form-encoded `Action=…&Version=2010-03-31`), and the IAM
// action and resource AWS authorizes each of its operations as (pure).
import type { ArnContext } from './arn.js';
import { KlambdaError } from './errors.js';
import type { TargetAction } from './json-targets.js';

/** A query-protocol operation's IAM action; `account` is the one named by an ARN in the call, when it names one. */
export interface QueryAction extends TargetAction {
  account?: string;
}

/** The call's parameters, as the form carried them (`TopicArn`, `Attributes.entry.1.key`, …). */
export type QueryParams = ReadonlyMap<string, string>;

export interface QueryApi {
  /** The service of the SigV4 credential scope, and the prefix of the IAM actions. */
  service: string;
  version: string;
  /** The xmlns of every answer and error. */
  xmlNamespace: string;
  /** Every operation the router serves, with its IAM action (the handlers are the router's, under the same names). */
  operations: Readonly<Record<string, (ctx: ArnContext, params: QueryParams) => QueryAction>>;
}

/** `arn:aws:sns:{region}:{account}:{name}` */
export const snsTopicArn = (ctx: ArnContext, name: string): string => `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name}`;

/**
 * The topic an ARN parameter names, as a resource: the ARN itself when it is an SNS ARN (a subscription ARN counts as
 * its topic's), "*" when the parameter is absent; anything else as given, so that only a policy allowing every
 * resource lets it through to the operation's own refusal.
 */
function topicResource(raw: string | undefined): { resource: string; account?: string } {
  if (raw === undefined || raw === '') return { resource: '*' };
  const m = /^arn:aws[a-zA-Z-]*:sns:([^:]*):([^:]*):([^:]+)(?::[^:]*)?$/.exec(raw);
  if (!m) return { resource: raw };
  return { resource: `arn:aws:sns:${m[1]}:${m[2]}:${m[3]}`, account: m[2]! };
}

const onTopic = (action: string, param: string | readonly string[]) => (_ctx: ArnContext, params: QueryParams): QueryAction => {
  const names = typeof param === 'string' ? [param] : param;
  const raw = names.map((n) => params.get(n)).find((v) => v !== undefined && v !== '');
  return { action, ...topicResource(raw) };
};
const onAll = (action: string) => (): QueryAction => ({ action, resource: '*' });

/**
 * SNS's operations and their IAM actions (Service Authorization Reference): the topic ARN where the action has the
 * topic resource type, "*" where it has none (the list calls, the subscription calls); PublishBatch is sns:Publish.
 */
export const SNS: QueryApi = {
  service: 'sns',
  version: '2010-03-31',
  xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
  operations: {
    CreateTopic: (ctx, params) => ({ action: 'sns:CreateTopic', resource: params.get('Name') ? snsTopicArn(ctx, params.get('Name')!) : '*' }),
    DeleteTopic: onTopic('sns:DeleteTopic', 'TopicArn'),
    ListTopics: onAll('sns:ListTopics'),
    GetTopicAttributes: onTopic('sns:GetTopicAttributes', 'TopicArn'),
    SetTopicAttributes: onTopic('sns:SetTopicAttributes', 'TopicArn'),
    Subscribe: onTopic('sns:Subscribe', 'TopicArn'),
    Unsubscribe: onAll('sns:Unsubscribe'),
    ListSubscriptions: onAll('sns:ListSubscriptions'),
    ListSubscriptionsByTopic: onTopic('sns:ListSubscriptionsByTopic', 'TopicArn'),
    GetSubscriptionAttributes: onAll('sns:GetSubscriptionAttributes'),
    SetSubscriptionAttributes: onAll('sns:SetSubscriptionAttributes'),
    Publish: onTopic('sns:Publish', ['TopicArn', 'TargetArn']),
    PublishBatch: onTopic('sns:Publish', 'TopicArn'),
    ListTagsForResource: onTopic('sns:ListTagsForResource', 'ResourceArn'),
    TagResource: onTopic('sns:TagResource', 'ResourceArn'),
    UntagResource: onTopic('sns:UntagResource', 'ResourceArn'),
  },
};

const FORM = /^application\/x-www-form-urlencoded\b/i;

/**
 * Whether a request is a query-protocol call: `POST /` with a form-encoded body and no X-Amz-Target (which would make it
 * a JSON-protocol call), as the SDKs and the CLI send every SNS call.
 */
export function isQueryCall(method: string, path: string, contentType: string | undefined, target: string | undefined): boolean {
  return method === 'POST' && path === '/' && target === undefined && contentType !== undefined && FORM.test(contentType);
}

const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

/** No Action parameter (AWS's query APIs: 400 MissingAction). */
export const missingAction = (): KlambdaError => new KlambdaError(400, 'MissingAction', 'Missing Action');

/** An Action (or Version) the API does not have (AWS's query APIs: 400 InvalidAction, in their words). */
export const invalidAction = (action: string, version: string): KlambdaError =>
  new KlambdaError(400, 'InvalidAction', `Could not find operation ${shown(action)} for version ${shown(version)}`);

/** The operation's IAM action, or the error AWS answers for a missing or unknown Action or another Version. */
export function queryAction(api: QueryApi, params: QueryParams, ctx: ArnContext): QueryAction {
  const action = params.get('Action');
  if (action === undefined || action === '') throw missingAction();
  const version = params.get('Version') ?? api.version;
  if (version !== api.version || !Object.hasOwn(api.operations, action)) throw invalidAction(action, version);
  return api.operations[action]!(ctx, params);
}
