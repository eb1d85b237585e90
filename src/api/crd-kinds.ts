// Per-kind CRD settings: names, printer columns, status schemas and the rules only a CRD can say (CEL, limits).
import { AliasSpecSchema } from './alias.js';
import { BucketNotificationSpecSchema } from './bucket-notification.js';
import { customResourceDefinition, editAt, withRules, type CrdKind, type CrdSchema, type CustomResourceDefinition, type PrinterColumn } from './crd.js';
import { EventRuleSpecSchema } from './event-rule.js';
import { EventSourceMappingSpecSchema } from './event-source-mapping.js';
import { FunctionSpecSchema } from './function.js';
import { FunctionVersionSpecSchema } from './function-version.js';
import { LayerSpecSchema } from './layer.js';
import { TopicSpecSchema } from './topic.js';

export const CATEGORIES = ['klambda'];

/** A metav1.Condition, as the controller writes it. */
export const ConditionSchema: CrdSchema = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string', maxLength: 316 },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024 },
    message: { type: 'string', maxLength: 32768 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
  },
};

/** Status shared by every kind; `extra` adds kind-specific fields. Unknown fields are kept, not pruned. */
export function statusSchema(extra: Record<string, CrdSchema> = {}): CrdSchema {
  return {
    type: 'object',
    properties: {
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      conditions: {
        type: 'array',
        items: ConditionSchema,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      },
      ...extra,
    },
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

const AGE: PrinterColumn = { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const READY: PrinterColumn = { name: 'READY', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' };

export const FUNCTION_CRD: CrdKind = {
  kind: 'Function',
  plural: 'functions',
  singular: 'function',
  shortNames: ['fn'],
  categories: CATEGORIES,
  spec: FunctionSpecSchema,
  status: statusSchema({
    latestVersion: { type: 'string' },
    url: { type: 'string' },
    /** What $LATEST runs: Lambda's CodeSha256 and CodeSize. */
    codeSha256: { type: 'string' },
    codeSize: { type: 'integer' },
    /** Complete once every $LATEST pod runs its current code and configuration (LastUpdateStatus Successful). */
    rollout: { type: 'string', enum: ['Complete', 'Progressing'] },
  }),
  printerColumns: [
    { name: 'RUNTIME', type: 'string', jsonPath: '.spec.runtime' },
    { name: 'LATEST', type: 'string', jsonPath: '.status.latestVersion' },
    READY,
    AGE,
  ],
};

export const FUNCTION_VERSION_CRD: CrdKind = {
  kind: 'FunctionVersion',
  plural: 'functionversions',
  singular: 'functionversion',
  shortNames: ['fnv'],
  categories: CATEGORIES,
  spec: FunctionVersionSpecSchema,
  status: statusSchema(),
  printerColumns: [
    { name: 'FUNCTION', type: 'string', jsonPath: '.spec.functionName' },
    { name: 'VERSION', type: 'string', jsonPath: '.spec.version' },
    AGE,
  ],
  patchSpec: (spec) => ({
    ...spec,
    'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'FunctionVersion spec is immutable' }],
  }),
};

export const ALIAS_CRD: CrdKind = {
  kind: 'Alias',
  plural: 'aliases',
  singular: 'alias',
  shortNames: ['alias'],
  categories: CATEGORIES,
  spec: AliasSpecSchema,
  status: statusSchema(),
  printerColumns: [
    { name: 'FUNCTION', type: 'string', jsonPath: '.spec.functionName' },
    { name: 'VERSION', type: 'string', jsonPath: '.spec.functionVersion' },
    { name: 'PROVISIONED', type: 'integer', jsonPath: '.spec.provisionedConcurrency' },
    AGE,
  ],
  patchSpec: (spec) => {
    // One extra version at most, each weight in 0..1 (also in the TypeBox schema; asserted here so the CRD never loses it).
    const routing = spec.properties?.routingConfig;
    const weights = routing?.properties?.additionalVersionWeights;
    if (!routing || !weights?.additionalProperties) throw new Error('Alias spec: routingConfig.additionalVersionWeights is missing');
    const value = { ...weights.additionalProperties, minimum: 0, maximum: 1 };
    return {
      ...spec,
      properties: {
        ...spec.properties,
        routingConfig: {
          ...routing,
          properties: { ...routing.properties, additionalVersionWeights: { ...weights, maxProperties: 1, additionalProperties: value } },
        },
      },
    };
  },
};

/** A list whose items are keyed by `keys`: the API server refuses duplicates, and server-side apply merges by key. */
const listMap = (keys: string[]) => (node: CrdSchema): CrdSchema => ({ ...node, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
/** CEL: at most / exactly one of `fields` is set. */
const countSet = (fields: readonly string[]) => `[${fields.map((f) => `has(self.${f})`).join(', ')}].filter(x, x).size()`;

export const TOPIC_CRD: CrdKind = {
  kind: 'Topic',
  plural: 'topics',
  singular: 'topic',
  shortNames: [],
  categories: CATEGORIES,
  spec: TopicSpecSchema,
  status: statusSchema({ topicArn: { type: 'string' } }),
  printerColumns: [READY, AGE],
  patchSpec: (spec) => {
    let out = editAt(spec, ['subscriptions'], listMap(['protocol', 'endpoint']));
    out = withRules(out, ['subscriptions', '[]'], [
      { rule: "self.protocol != 'http' || self.endpoint.startsWith('http://')", message: 'an http endpoint must be an http:// URL', fieldPath: '.endpoint' },
      { rule: "self.protocol != 'https' || self.endpoint.startsWith('https://')", message: 'an https endpoint must be an https:// URL', fieldPath: '.endpoint' },
      {
        rule: "self.protocol != 'lambda' || !has(self.rawMessageDelivery) || !self.rawMessageDelivery",
        message: 'rawMessageDelivery is for http, https and queue subscriptions', fieldPath: '.rawMessageDelivery',
      },
    ]);
    return withRules(out, ['deliveryPolicy'], [{
      rule: '!has(self.minDelaySeconds) || !has(self.maxDelaySeconds) || self.minDelaySeconds <= self.maxDelaySeconds',
      message: 'minDelaySeconds must be <= maxDelaySeconds', fieldPath: '.minDelaySeconds',
    }]);
  },
};

export const EVENT_RULE_CRD: CrdKind = {
  kind: 'EventRule',
  plural: 'eventrules',
  singular: 'eventrule',
  shortNames: [],
  categories: CATEGORIES,
  spec: EventRuleSpecSchema,
  status: statusSchema({ ruleArn: { type: 'string' } }),
  printerColumns: [
    { name: 'STATE', type: 'string', jsonPath: '.spec.state' },
    { name: 'SCHEDULE', type: 'string', jsonPath: '.spec.scheduleExpression' },
    READY,
    AGE,
  ],
  patchSpec: (spec) => {
    let out = withRules(spec, [], [
      { rule: 'has(self.eventPattern) || has(self.scheduleExpression)', message: 'a rule needs exactly one of eventPattern or scheduleExpression; none is set' },
      {
        rule: '!has(self.eventPattern) || !has(self.scheduleExpression)',
        message: 'scheduleExpression cannot be combined with eventPattern: a rule has exactly one of them', fieldPath: '.scheduleExpression',
      },
      {
        rule: "!has(self.scheduleExpression) || !has(self.eventBusName) || self.eventBusName == 'default'",
        message: 'a scheduled rule must be on the default event bus', fieldPath: '.eventBusName',
      },
    ]);
    out = editAt(out, ['targets'], listMap(['id']));
    return withRules(out, ['targets', '[]'], [
      { rule: `${countSet(['function', 'topic'])} == 1`, message: 'a target needs exactly one of function or topic' },
      { rule: `${countSet(['input', 'inputPath', 'inputTransformer'])} <= 1`, message: 'a target takes at most one of input, inputPath or inputTransformer' },
    ]);
  },
};

export const EVENT_SOURCE_MAPPING_CRD: CrdKind = {
  kind: 'EventSourceMapping',
  plural: 'eventsourcemappings',
  singular: 'eventsourcemapping',
  shortNames: ['esm'],
  categories: CATEGORIES,
  spec: EventSourceMappingSpecSchema,
  status: statusSchema({ uuid: { type: 'string' }, state: { type: 'string', description: 'The mapping state as AWS names it: Creating, Enabled, Disabled, Updating, Deleting' } }),
  printerColumns: [
    // The one field set under .spec.source (stream or queue).
    { name: 'SOURCE', type: 'string', jsonPath: '.spec.source.*' },
    { name: 'FUNCTION', type: 'string', jsonPath: '.spec.functionName' },
    { name: 'BATCH', type: 'integer', jsonPath: '.spec.batchSize' },
    READY,
    AGE,
  ],
  patchSpec: (spec) => {
    // The source rules apply once the source is one stream or one queue (the `source` rule reports the rest).
    let out = withRules(spec, [], [
      { rule: '!has(self.source.stream) || has(self.source.queue) || has(self.startingPosition)', message: 'startingPosition is required for a stream source (TRIM_HORIZON or LATEST)', fieldPath: '.startingPosition' },
      { rule: '!has(self.source.queue) || has(self.source.stream) || !has(self.startingPosition)', message: 'startingPosition is for stream sources, not queues', fieldPath: '.startingPosition' },
      {
        rule: '!has(self.source.queue) || has(self.source.stream) || !has(self.bisectBatchOnFunctionError) || !self.bisectBatchOnFunctionError',
        message: 'bisectBatchOnFunctionError is for stream sources, not queues', fieldPath: '.bisectBatchOnFunctionError',
      },
    ]);
    out = withRules(out, ['source'], [{ rule: `${countSet(['stream', 'queue'])} == 1`, message: 'the source needs exactly one of stream or queue' }]);
    out = withRules(out, ['maximumRecordAgeSeconds'], [{ rule: 'self == -1 || self >= 60', message: 'must be -1 (no limit) or 60..604800' }]);
    return withRules(out, ['destinationConfig', 'onFailure'], [
      { rule: `${countSet(['function', 'topic', 'queue'])} == 1`, message: 'a destination needs exactly one of function, topic or queue' },
    ]);
  },
};

export const LAYER_CRD: CrdKind = {
  kind: 'Layer',
  plural: 'layers',
  singular: 'layer',
  shortNames: [],
  categories: CATEGORIES,
  spec: LayerSpecSchema,
  status: statusSchema(),
  printerColumns: [
    { name: 'LATEST', type: 'integer', jsonPath: '.spec.versions[-1:].version' },
    AGE,
  ],
  patchSpec: (spec) => {
    const out = editAt(spec, ['versions'], listMap(['version']));
    // a published version is immutable: it may be removed (DeleteLayerVersion), never changed
    const immutable = withRules(out, ['versions', '[]'], [{ rule: 'self == oldSelf', message: 'a published layer version is immutable: publish a new version instead' }]);
    return withRules(immutable, ['versions', '[]', 'code'], [{ rule: `${countSet(['path', 's3'])} == 1`, message: 'a layer version needs exactly one of code.path or code.s3' }]);
  },
};

export const BUCKET_NOTIFICATION_CRD: CrdKind = {
  kind: 'BucketNotification',
  plural: 'bucketnotifications',
  singular: 'bucketnotification',
  shortNames: [],
  categories: CATEGORIES,
  spec: BucketNotificationSpecSchema,
  status: statusSchema(),
  printerColumns: [
    { name: 'BUCKET', type: 'string', jsonPath: '.spec.bucket' },
    { name: 'EVENTBRIDGE', type: 'boolean', jsonPath: '.spec.eventBridge' },
    READY,
    AGE,
  ],
  // the overlap rule is checked in code (the local mode, the controller's status): CEL cannot compare the items
  patchSpec: (spec) => editAt(spec, ['functions'], listMap(['id'])),
};

export const CRD_KINDS: readonly CrdKind[] = [FUNCTION_CRD, FUNCTION_VERSION_CRD, ALIAS_CRD, TOPIC_CRD, EVENT_RULE_CRD, EVENT_SOURCE_MAPPING_CRD, LAYER_CRD, BUCKET_NOTIFICATION_CRD];

/** Every klambda CRD, in a stable order. */
export function klambdaCrds(): CustomResourceDefinition[] {
  return CRD_KINDS.map(customResourceDefinition);
}
