// SNS's topic operations over a TopicBackend: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes and the tag calls.
import type { DeliveryPolicy } from '../../api/topic.js';
import type { QueryParams } from '../../core/query-apis.js';
import type { TopicView } from '../../events/contracts.js';
import { snsError } from '../query/errors.js';
import { stringMap } from '../query/form.js';
import { XmlMap, type XmlValue } from '../query/xml.js';
import { checkTopicName, snsTopicArn, topicNameOf } from './arns.js';
import { page } from './paging.js';
import { invalidParameter, required, topicNotFound, type SnsContext } from './params.js';
import { checkDisplayName, parseDeliveryPolicy, topicAttributes } from './topic-attributes.js';
import { tagKeysParam, tagList, tagsHeld, tagsParam, withoutTags, withTags } from './tags.js';

/** The topic attributes klambda keeps; SNS's others are refused by name rather than silently dropped. */
const SETTABLE = new Set(['DisplayName', 'DeliveryPolicy']);
const UNSUPPORTED = new Set([
  'Policy', 'KmsMasterKeyId', 'FifoTopic', 'ContentBasedDeduplication', 'SignatureVersion', 'TracingConfig', 'DataProtectionPolicy',
  'ArchivePolicy', 'FifoThroughputScope',
]);

function attributeRefusal(name: string, lead: string): Error {
  if (UNSUPPORTED.has(name) || /(FeedbackRoleArn|FeedbackSampleRate)$/.test(name)) return invalidParameter(`${lead}klambda does not support the topic attribute ${name}`);
  return invalidParameter(`${lead}AttributeName`);
}

interface TopicSettings { displayName?: string; deliveryPolicy?: DeliveryPolicy }

function createAttributes(params: QueryParams): TopicSettings {
  const lead = 'Attributes Reason: ';
  const out: TopicSettings = {};
  for (const [name, value] of stringMap(params, 'Attributes') ?? new Map<string, string>()) {
    if (name === 'DisplayName') out.displayName = checkDisplayName(value, lead);
    else if (name === 'DeliveryPolicy') out.deliveryPolicy = parseDeliveryPolicy(value, lead);
    else if (name === 'FifoTopic' && value.toLowerCase() === 'false') continue; // SNS keeps no explicit "not FIFO"
    else throw attributeRefusal(name, lead);
  }
  return out;
}

const samePolicy = (a: DeliveryPolicy, b: DeliveryPolicy) => a.numRetries === b.numRetries && a.minDelaySeconds === b.minDelaySeconds && a.maxDelaySeconds === b.maxDelaySeconds;

/** The topic, or SNS's NotFound. */
export async function existingTopic(ctx: SnsContext, name: string): Promise<TopicView> {
  const t = await ctx.backend.getTopic(name);
  if (!t) throw topicNotFound();
  return t;
}

/**
 * Idempotent as SNS: the same name again returns the topic's ARN, unless the attributes or tags given differ from the
 * topic's (InvalidParameter, SNS's words).
 */
export async function createTopic(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const name = required(params, 'Name');
  checkTopicName(name);
  const settings = createAttributes(params);
  const tags = tagsParam(params);
  const current = await ctx.backend.getTopic(name);
  if (current) {
    sameAsAsked(current, settings, tags);
    return { TopicArn: snsTopicArn(ctx.arn, name) };
  }
  const created = await ctx.backend.createTopic(name, {
    ...(settings.displayName !== undefined ? { displayName: settings.displayName } : {}),
    ...(settings.deliveryPolicy ? { deliveryPolicy: settings.deliveryPolicy } : {}),
    ...(tags ? { tags: Object.fromEntries(tags) } : {}),
  });
  // another call may have created it first (the backend then answers that topic): the same checks
  sameAsAsked(created, settings, tags);
  return { TopicArn: snsTopicArn(ctx.arn, created.name) };
}

/** CreateTopic on a topic that exists: SNS's refusal when what was asked differs from what it has. */
function sameAsAsked(t: TopicView, settings: TopicSettings, tags: ReadonlyMap<string, string> | undefined): void {
  if ((settings.displayName !== undefined && settings.displayName !== (t.displayName ?? ''))
    || (settings.deliveryPolicy !== undefined && !samePolicy(settings.deliveryPolicy, t.deliveryPolicy))) {
    throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
  }
  if (tags && !tagsHeld(t.tags, tags)) throw invalidParameter('Tags Reason: Topic already exists with different tags');
}

/** Deleting a topic that does not exist succeeds, as at SNS. */
export async function deleteTopic(params: QueryParams, ctx: SnsContext): Promise<undefined> {
  const name = topicNameOf(params.get('TopicArn'), 'TopicArn', ctx.arn, ctx.userArn, 'SNS:DeleteTopic');
  if (await ctx.backend.getTopic(name)) await ctx.backend.deleteTopic(name);
  return undefined;
}

export async function listTopics(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const arns = (await ctx.backend.listTopics()).map((t) => snsTopicArn(ctx.arn, t.name));
  const p = page(arns, (a) => a, params.get('NextToken'));
  return { Topics: p.items.map((TopicArn) => ({ TopicArn })), NextToken: p.nextToken };
}

export async function getTopicAttributes(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const name = topicNameOf(params.get('TopicArn'), 'TopicArn', ctx.arn, ctx.userArn, 'SNS:GetTopicAttributes');
  return { Attributes: new XmlMap(topicAttributes(ctx.arn, await existingTopic(ctx, name))) };
}

export async function setTopicAttributes(params: QueryParams, ctx: SnsContext): Promise<undefined> {
  const name = topicNameOf(params.get('TopicArn'), 'TopicArn', ctx.arn, ctx.userArn, 'SNS:SetTopicAttributes');
  const attribute = required(params, 'AttributeName');
  const value = params.get('AttributeValue') ?? '';
  if (!SETTABLE.has(attribute)) throw attributeRefusal(attribute, '');
  const change: TopicSettings = attribute === 'DisplayName' ? { displayName: checkDisplayName(value) } : { deliveryPolicy: parseDeliveryPolicy(value) };
  await existingTopic(ctx, name);
  await ctx.backend.updateTopic(name, (t) => {
    const next: TopicView = { ...t, ...(change.deliveryPolicy ? { deliveryPolicy: change.deliveryPolicy } : {}) };
    if (change.displayName !== undefined) {
      if (change.displayName === '') delete next.displayName;
      else next.displayName = change.displayName;
    }
    return next;
  });
  return undefined;
}

/** SNS's answer to a tag call on a topic that does not exist. */
const resourceNotFound = () => snsError(404, 'ResourceNotFound', 'Resource does not exist');

async function taggedTopic(params: QueryParams, ctx: SnsContext, action: string): Promise<string> {
  const name = topicNameOf(params.get('ResourceArn'), 'ResourceArn', ctx.arn, ctx.userArn, action);
  if (!(await ctx.backend.getTopic(name))) throw resourceNotFound();
  return name;
}

export async function listTagsForResource(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const name = await taggedTopic(params, ctx, 'SNS:ListTagsForResource');
  return { Tags: tagList((await existingTopic(ctx, name)).tags) };
}

export async function tagResource(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const tags = tagsParam(params);
  if (!tags) throw invalidParameter('Tags Reason: no value for required parameter');
  const name = await taggedTopic(params, ctx, 'SNS:TagResource');
  await ctx.backend.updateTopic(name, (t) => ({ ...t, tags: withTags(t.tags, tags) }));
  return {};
}

export async function untagResource(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const keys = tagKeysParam(params);
  const name = await taggedTopic(params, ctx, 'SNS:UntagResource');
  await ctx.backend.updateTopic(name, (t) => ({ ...t, tags: withoutTags(t.tags, keys) }));
  return {};
}
