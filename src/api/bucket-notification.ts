// The BucketNotification kind: S3's notification configuration of one bucket of an S3-compatible server (versitygw,
// Ceph RGW, MinIO): which object events go to which functions, filtered by key prefix/suffix, and whether they also go
// to the default event bus as EventBridge's `Object Created` / `Object Deleted` events.
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, FUNCTION_REF, kindSchema, StringEnum, type KindObject, type Simplify, type WithDefaults } from './common.js';
import { isRecord, type SpecIssue } from './function.js';
import { show } from './validate.js';

/** S3's event names a configuration may list (`s3:` prefix, `*` for a whole family), as PutBucketNotificationConfiguration takes them. */
export const S3_EVENT_NAMES = [
  's3:ObjectCreated:*', 's3:ObjectCreated:Put', 's3:ObjectCreated:Post', 's3:ObjectCreated:Copy', 's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*', 's3:ObjectRemoved:Delete', 's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectTagging:*', 's3:ObjectTagging:Put', 's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
  's3:ObjectRestore:*', 's3:ObjectRestore:Post', 's3:ObjectRestore:Completed', 's3:ObjectRestore:Delete',
] as const;
/** S3's limit of configurations of one bucket is 1000 in all; one object should stay small. */
export const MAX_FUNCTION_CONFIGURATIONS = 100;
/** An S3 bucket name (3 to 63 lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit). */
export const BUCKET_NAME = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';

export const KeyFilterSchema = Type.Object({
  /** Only keys that start with this (S3's `prefix` filter rule). */
  prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  /** Only keys that end with this (S3's `suffix` filter rule). */
  suffix: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
}, { additionalProperties: false });
export type KeyFilter = Static<typeof KeyFilterSchema>;

export const FunctionConfigurationSchema = Type.Object({
  /** S3's configuration id, carried in the event as `s3.configurationId`; unique within the object. */
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9._-]+$' }),
  /** A function reference: name, or name:qualifier. */
  function: Type.String({ maxLength: 192, pattern: FUNCTION_REF }),
  events: Type.Array(StringEnum(S3_EVENT_NAMES), { minItems: 1, maxItems: S3_EVENT_NAMES.length }),
  filter: Type.Optional(KeyFilterSchema),
}, { additionalProperties: false });
export type FunctionConfiguration = Static<typeof FunctionConfigurationSchema>;

export const BucketNotificationSpecSchema = Type.Object({
  /** The bucket's name on the S3 server that sends the events. */
  bucket: Type.String({ pattern: BUCKET_NAME }),
  /** Also put every object event of the bucket on the default event bus (S3's EventBridgeConfiguration). */
  eventBridge: Type.Optional(Type.Boolean({ default: false })),
  functions: Type.Optional(Type.Array(FunctionConfigurationSchema, { maxItems: MAX_FUNCTION_CONFIGURATIONS, default: [] })),
}, { additionalProperties: false });

type SpecInput = Static<typeof BucketNotificationSpecSchema>;
export type BucketNotificationSpec = Simplify<WithDefaults<SpecInput, 'eventBridge' | 'functions'>>;
export const BucketNotificationSchema = kindSchema(API_VERSION, 'BucketNotification', BucketNotificationSpecSchema);
export type BucketNotification = KindObject<'BucketNotification', BucketNotificationSpec>;

/** The family (`ObjectCreated`) and type (`Put`, or `*`) of an event name, with or without `s3:`. */
export function eventParts(name: string): { family: string; type: string } {
  const [family = '', type = ''] = name.replace(/^s3:/, '').split(':');
  return { family, type };
}

/** Whether two configurations' event lists share an event (`s3:ObjectCreated:*` covers `s3:ObjectCreated:Put`). */
function eventsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.some((y) => {
    const p = eventParts(x);
    const q = eventParts(y);
    return p.family === q.family && (p.type === '*' || q.type === '*' || p.type === q.type);
  }));
}

/** S3's rule: two filters overlap unless their prefixes or their suffixes exclude each other. */
function filtersOverlap(a: KeyFilter | undefined, b: KeyFilter | undefined): boolean {
  const disjoint = (x: string | undefined, y: string | undefined, starts: boolean) =>
    x !== undefined && y !== undefined && !(starts ? x.startsWith(y) || y.startsWith(x) : x.endsWith(y) || y.endsWith(x));
  return !disjoint(a?.prefix, b?.prefix, true) && !disjoint(a?.suffix, b?.suffix, false);
}

/** Rules beyond the schema: unique ids, no repeated event, and S3's overlap rule (one object event goes to one configuration). */
export function bucketNotificationSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec) || !Array.isArray(spec.functions)) return [];
  const issues: SpecIssue[] = [];
  const configs = spec.functions.filter(isRecord);
  const ids = new Map<string, number>();
  configs.forEach((c, i) => {
    const path = `functions[${i}]`;
    if (typeof c.id === 'string') {
      const first = ids.get(c.id);
      if (first === undefined) ids.set(c.id, i);
      else issues.push({ path: `${path}.id`, message: `repeats functions[${first}].id ${show(c.id)}` });
    }
    const events = Array.isArray(c.events) ? c.events.filter((e): e is string => typeof e === 'string') : [];
    for (let j = 0; j < i; j++) {
      const other = configs[j]!;
      const otherEvents = Array.isArray(other.events) ? other.events.filter((e): e is string => typeof e === 'string') : [];
      const f = isRecord(c.filter) ? c.filter as KeyFilter : undefined;
      const g = isRecord(other.filter) ? other.filter as KeyFilter : undefined;
      if (eventsOverlap(events, otherEvents) && filtersOverlap(f, g)) {
        issues.push({ path, message: `overlaps functions[${j}]: the same event and key could match both (S3 refuses overlapping prefixes and suffixes for the same event type)` });
        break;
      }
    }
  });
  return issues;
}
