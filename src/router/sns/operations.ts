// SNS's operations the router serves, by their Action name: each one's parameters in, its Result members out.
import type { QueryParams } from '../../core/query-apis.js';
import type { XmlValue } from '../query/xml.js';
import type { SnsContext } from './params.js';
import { publish, publishBatch } from './publish.js';
import {
  getSubscriptionAttributes, listSubscriptions, listSubscriptionsByTopic, setSubscriptionAttributes, subscribe, unsubscribe,
} from './subscriptions.js';
import {
  createTopic, deleteTopic, getTopicAttributes, listTagsForResource, listTopics, setTopicAttributes, tagResource, untagResource,
} from './topics.js';

/** The Result element's members, or undefined for an operation whose answer has none. */
export type SnsOperation = (params: QueryParams, ctx: SnsContext) => Promise<XmlValue | undefined>;

/** Each name is also an operation of core's SNS (query-apis.ts), where its IAM action is. */
export const SNS_OPERATIONS: Readonly<Record<string, SnsOperation>> = {
  CreateTopic: createTopic,
  DeleteTopic: deleteTopic,
  ListTopics: listTopics,
  GetTopicAttributes: getTopicAttributes,
  SetTopicAttributes: setTopicAttributes,
  Subscribe: subscribe,
  Unsubscribe: unsubscribe,
  ListSubscriptions: listSubscriptions,
  ListSubscriptionsByTopic: listSubscriptionsByTopic,
  GetSubscriptionAttributes: getSubscriptionAttributes,
  SetSubscriptionAttributes: setSubscriptionAttributes,
  Publish: publish,
  PublishBatch: publishBatch,
  ListTagsForResource: listTagsForResource,
  TagResource: tagResource,
  UntagResource: untagResource,
};
