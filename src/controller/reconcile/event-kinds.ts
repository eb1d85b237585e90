// Topic, EventRule, EventSourceMapping and BucketNotification: checked, their functions and topics looked up, status with ARN/uuid written.
// Deliveries are the event worker's (src/events); Ready says whether this object's will be made.
import type { EventRuleSpec } from '../../api/event-rule.js';
import type { EventSourceMappingSpec } from '../../api/event-source-mapping.js';
import type { TopicSpec } from '../../api/topic.js';
import type { BucketNotificationSpec } from '../../api/bucket-notification.js';
import { parseFunctionName, type ArnContext } from '../../core/arn.js';
import { isAwsError } from '../../core/errors.js';
import { splitKey } from '../../kube/objects.js';
import type { ControllerContext } from '../context.js';
import { checkStored, klambdaPath, type Plural, type Stored } from '../kinds.js';
import { writeStatus } from '../object-status.js';
import { RULE_NAME_ANNOTATION } from '../../events/views.js';
import { mappingUuid } from '../../router/lambda/event-source-mappings-backend.js';
import type { ReconcileResult } from '../reconcile-queue.js';

export interface Reference { kind: 'Function' | 'Topic'; name: string }

/** A function named by name or ARN; an ARN of another account or region than the workload's is refused. */
const functionRef = (ref: string, arn: ArnContext): Reference => ({ kind: 'Function', name: parseFunctionName(ref, undefined, arn).name });

export function topicReferences(spec: TopicSpec, arn: ArnContext): Reference[] {
  return spec.subscriptions.filter((s) => s.protocol === 'lambda').map((s) => functionRef(s.endpoint, arn));
}

export function ruleReferences(spec: EventRuleSpec, arn: ArnContext): Reference[] {
  return spec.targets.flatMap((t): Reference[] => (t.function ? [functionRef(t.function, arn)] : t.topic ? [{ kind: 'Topic', name: t.topic }] : []));
}

export function mappingReferences(spec: EventSourceMappingSpec, arn: ArnContext): Reference[] {
  const out = [functionRef(spec.functionName, arn)];
  const onFailure = spec.destinationConfig?.onFailure;
  if (onFailure?.function) out.push(functionRef(onFailure.function, arn));
  if (onFailure?.topic) out.push({ kind: 'Topic', name: onFailure.topic });
  return out;
}

export interface EventKind<S> {
  kind: 'Topic' | 'EventRule' | 'EventSourceMapping' | 'BucketNotification';
  plural: Plural;
  references(spec: S, arn: ArnContext): Reference[];
  /** Kind-specific status fields (ARN, uuid, state). */
  statusFields(obj: Stored<unknown>, spec: S, arn: { region: string; accountId: string }): Record<string, unknown>;
  /** The Ready condition of a valid object whose references exist. */
  ready: { type: 'Ready'; status: 'True' | 'False'; reason: string; message: string };
}

const DELIVERING = { type: 'Ready', status: 'True', reason: 'Delivering', message: 'valid, its targets exist; the leading controller delivers its events' } as const;

export const TOPIC: EventKind<TopicSpec> = {
  kind: 'Topic', plural: 'topics', references: topicReferences, ready: DELIVERING,
  statusFields: (obj, _spec, arn) => ({ topicArn: `arn:aws:sns:${arn.region}:${arn.accountId}:${obj.metadata.name}` }),
};

export const EVENT_RULE: EventKind<EventRuleSpec> = {
  kind: 'EventRule', plural: 'eventrules', references: ruleReferences, ready: DELIVERING,
  statusFields: (obj, spec, arn) => ({
    // a rule whose EventBridge name a Kubernetes name cannot hold keeps it in an annotation
    ruleArn: `arn:aws:events:${arn.region}:${arn.accountId}:rule/${spec.eventBusName === 'default' ? '' : `${spec.eventBusName}/`}${obj.metadata.annotations?.[RULE_NAME_ANNOTATION] ?? obj.metadata.name}`,
  }),
};

export const EVENT_SOURCE_MAPPING: EventKind<EventSourceMappingSpec> = {
  kind: 'EventSourceMapping', plural: 'eventsourcemappings', references: mappingReferences,
  ready: { type: 'Ready', status: 'True', reason: 'Polling', message: 'valid, its function exists; the leading controller polls its source (when enabled)' },
  statusFields: (obj, spec) => ({ uuid: mappingUuid(obj.metadata.namespace, obj.metadata.name), state: spec.enabled ? 'Enabled' : 'Disabled' }),
};

export function bucketNotificationReferences(spec: BucketNotificationSpec, arn: ArnContext): Reference[] {
  return spec.functions.map((c) => functionRef(c.function, arn));
}

export const BUCKET_NOTIFICATION: EventKind<BucketNotificationSpec> = {
  kind: 'BucketNotification', plural: 'bucketnotifications', references: bucketNotificationReferences,
  ready: { type: 'Ready', status: 'True', reason: 'Delivering', message: 'valid, its functions exist; the leading controller delivers the object events the router accepts for its bucket' },
  statusFields: () => ({}),
};

const RETRY_MS = 10_000;

export async function reconcileEventKind<S>(ctx: ControllerContext, def: EventKind<S>, key: string): Promise<ReconcileResult | void> {
  const { namespace, name } = splitKey(key);
  const path = klambdaPath(namespace, def.plural, name);
  const obj = await ctx.client.find<Stored<unknown>>(path);
  if (!obj || obj.metadata.deletionTimestamp) return;
  const checked = checkStored<S>(obj);
  if (!checked.ok) {
    await writeStatus(ctx, path, obj, { type: 'Ready', status: 'False', reason: 'InvalidSpec', message: checked.message });
    return;
  }
  const arn = ctx.arnFor(namespace);
  const fields = def.statusFields(obj, checked.spec, arn);
  let references: Reference[];
  try {
    references = def.references(checked.spec, arn);
  } catch (err) {
    // a malformed name or another account's ARN will not change by retrying: say so in status
    if (!isAwsError(err)) throw err;
    await writeStatus(ctx, path, obj, { type: 'Ready', status: 'False', reason: 'InvalidReference', message: err.message }, fields);
    return;
  }
  const missing: string[] = [];
  for (const ref of references) {
    const cache = ref.kind === 'Function' ? ctx.functions : ctx.topics;
    if (!cache.get(`${namespace}/${ref.name}`)) missing.push(`${ref.kind} ${ref.name}`);
  }
  if (missing.length > 0) {
    await writeStatus(ctx, path, obj, { type: 'Ready', status: 'False', reason: 'ReferenceNotFound', message: `not found: ${[...new Set(missing)].join(', ')}` }, fields);
    return { requeueAfterMs: RETRY_MS };
  }
  await writeStatus(ctx, path, obj, def.ready, fields);
}
