// The EventBridge operations the router serves, by their X-Amz-Target name (AWSEvents.<name>), each over the caller's
// rules and buses (an EventBusBackend per request) and ARNs.
import type { Request } from 'express';
import { DEFAULT_NAMESPACE } from '../../api/common.js';
import type { ArnContext } from '../../core/arn.js';
import { EVENTBRIDGE } from '../../core/json-targets.js';
import type { EventBusBackend } from '../../events/contracts.js';
import type { JsonApiRoutes, TargetContext } from '../json-rpc/dispatch.js';
import { describeEventBus, listEventBuses } from './buses.js';
import { defaultClock, defaultIds, type BusListing, type EventBridgeContext } from './context.js';
import { putEvents } from './put-events.js';
import { listRuleNamesByTarget, listTargetsByRule, putTargets, removeTargets } from './rule-targets.js';
import { deleteRule, describeRule, disableRule, enableRule, listRules, putRule } from './rules.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';
import { testEventPattern } from './test-event-pattern.js';
import { carriedTraceHeader } from '../../tracing/request-spans.js';

const traceOf = (req: Request): { traceId?: string } => {
  const traceId = carriedTraceHeader(req);
  return traceId ? { traceId } : {};
};

export interface EventBridgeOptions {
  /** The clock of events' default time (tests pass their own). */
  now?: () => Date;
  /** Event ids (default: random UUIDs). */
  newId?: () => string;
}

type Operation = (input: Record<string, unknown>, ctx: EventBridgeContext) => unknown;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  PutEvents: putEvents,
  PutRule: putRule, DescribeRule: describeRule, ListRules: listRules, DeleteRule: deleteRule, EnableRule: enableRule, DisableRule: disableRule,
  PutTargets: putTargets, RemoveTargets: removeTargets, ListTargetsByRule: listTargetsByRule, ListRuleNamesByTarget: listRuleNamesByTarget,
  ListEventBuses: listEventBuses, DescribeEventBus: describeEventBus,
  TagResource: tagResource, UntagResource: untagResource, ListTagsForResource: listTagsForResource,
};

/**
 * Each name is also an operation of core's EVENTBRIDGE, where its IAM action is. `backendFor` gives the caller's
 * namespace of rules and buses (ListEventBuses lists more than `default` when it also has `listBuses`), `arnFor` its
 * region and account.
 */
export function eventBridgeApi(
  backendFor: (req: Request) => EventBusBackend & Partial<BusListing>,
  arnFor: (req: Request) => ArnContext,
  opts: EventBridgeOptions = {},
): JsonApiRoutes {
  const context = (t: TargetContext): EventBridgeContext => ({
    backend: backendFor(t.req),
    arn: arnFor(t.req),
    ...(t.principal ? { principal: t.principal } : {}),
    namespace: t.principal?.namespace ?? DEFAULT_NAMESPACE,
    now: opts.now ?? defaultClock,
    newId: opts.newId ?? defaultIds,
    ...traceOf(t.req),
  });
  const targets: Record<string, (input: Record<string, unknown>, t: TargetContext) => unknown> = {
    TestEventPattern: (input) => testEventPattern(input),
  };
  for (const [name, op] of Object.entries(OPERATIONS)) targets[name] = (input, t) => op(input, context(t));
  return { api: EVENTBRIDGE, targets };
}
