// What every klambda kind shares: apiVersion, metadata, and TypeBox helpers that keep schemas OpenAPI-friendly.
import { createHash } from 'node:crypto';
import { Kind, Type, TypeRegistry, type ObjectOptions, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

export const GROUP = 'klambda.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;
export const DEFAULT_NAMESPACE = 'default';

/** Kubernetes DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit. */
export const DNS_1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Kubernetes DNS-1123 subdomain: dot-separated labels (ConfigMap names). */
/** Kubernetes' ConfigMap and Secret key pattern. */
export const OBJECT_KEY_PATTERN = '^[-._a-zA-Z0-9]+$';

/** Why a key cannot be a ConfigMap's or Secret's (no '/', not '.' or '..', at most 253), or undefined. */
export function objectKeyProblem(key: string): string | undefined {
  return !new RegExp(OBJECT_KEY_PATTERN).test(key) || key === '.' || key === '..' || key.length > 253
    ? "keys must be letters, digits, '-', '_' and '.' (not '.' or '..'), at most 253" : undefined;
}

export const DNS_1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** A reference to a function: its name (a DNS label), optionally `:qualifier` ($LATEST, a version or an alias). */
export const FUNCTION_REF = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(:(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?$';
/** A queue's name, as SQS spells one (no '.fifo': our queues are not FIFO). */
export const QUEUE_NAME = '^[a-zA-Z0-9_-]{1,80}$';
/** A stream's name, as Kinesis spells one. */
export const STREAM_NAME = '^[a-zA-Z0-9_.-]{1,128}$';
/** A layer version a function uses: `name:version`, or its ARN (`arn:aws:lambda:{region}:{account}:layer:{name}:{version}`). */
export const LAYER_VERSION_REF = '^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?:[1-9][0-9]{0,9}$';

/** What a pattern means, for error messages (keyed by the pattern's source). */
export const PATTERN_HINTS: Record<string, string> = {
  [DNS_1123_LABEL]: "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
  [DNS_1123_SUBDOMAIN]: "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
  [FUNCTION_REF]: 'must be a function name or name:qualifier (e.g. billing or billing:live)',
  [QUEUE_NAME]: "must be a queue name: 1 to 80 letters, digits, '-' and '_'",
  [STREAM_NAME]: "must be a stream name: 1 to 128 letters, digits, '-', '_' and '.'",
  [LAYER_VERSION_REF]: 'must be a layer version: name:version (e.g. shared:3) or its ARN (arn:aws:lambda:us-east-1:000000000000:layer:shared:3)',
};

/** Registers what `pattern` means for error messages, and returns it (for a kind's own patterns). */
export function hintedPattern(pattern: string, hint: string): string {
  PATTERN_HINTS[pattern] = hint;
  return pattern;
}

/** A type with the fields K always present: they have schema defaults, which parsing fills in. */
export type WithDefaults<T, K extends keyof T> = Simplify<Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> }>;
export type Simplify<T> = { [P in keyof T]: T[P] } & {};

interface StringEnumSchema extends TSchema { enum: readonly string[] }
TypeRegistry.Set<StringEnumSchema>('StringEnum', (schema, value) => typeof value === 'string' && schema.enum.includes(value));

/** A string enum as OpenAPI spells it (`type: string, enum: [...]`), not TypeBox's anyOf of literals. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: 'StringEnum', type: 'string', enum: [...values] });
}

/** A map with string keys (OpenAPI `additionalProperties: <value>`). */
export function StringMap<T extends TSchema>(value: T, options: ObjectOptions = {}): TUnsafe<Record<string, Static<T>>> {
  // `properties: {}` is what TypeBox's checker needs; the CRD generator drops it.
  return Type.Unsafe<Record<string, Static<T>>>(Type.Object({}, { ...options, additionalProperties: value }));
}

/**
 * A free-form JSON object (event patterns, filter policies): any fields, checked in code.
 * The CRD generator turns `additionalProperties: true` into `x-kubernetes-preserve-unknown-fields`.
 */
export function JsonObject(options: ObjectOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>(Type.Object({}, { ...options, additionalProperties: true }));
}

export const ObjectMetaSchema = Type.Object({
  name: Type.String({ maxLength: 63, pattern: DNS_1123_LABEL }),
  namespace: Type.Optional(Type.String({ maxLength: 63, pattern: DNS_1123_LABEL, default: DEFAULT_NAMESPACE })),
  labels: Type.Optional(StringMap(Type.String())),
  annotations: Type.Optional(StringMap(Type.String())),
}, { additionalProperties: false });

/** Metadata after parsing: the namespace is always set. */
export type ObjectMeta = WithDefaults<Static<typeof ObjectMetaSchema>, 'namespace'>;

/** An object of one of our kinds, as parsed: kind `K` with spec `S`. */
export interface KindObject<K extends string, S> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
}

/** The whole-object schema of a kind: apiVersion, kind, metadata, spec; nothing else. */
export function kindSchema<const K extends string, const A extends string, S extends TSchema>(apiVersion: A, kind: K, spec: S, metadata: TSchema = ObjectMetaSchema) {
  return Type.Object({
    apiVersion: StringEnum([apiVersion] as const),
    kind: StringEnum([kind] as const),
    metadata,
    spec,
  }, { additionalProperties: false });
}

/** `text` as a DNS-1123 label: lowercased, other characters as '-', and a short hash when it had to change or be cut. */
export function dnsLabelName(text: string): string {
  const clean = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  if (clean === text && clean.length <= 63) return clean;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${clean.slice(0, 54).replace(/-+$/, '')}-${hash}`.replace(/^-/, '');
}

/** The metadata of a core v1 object a manifest folder may hold (ConfigMap, Secret): a name, a namespace, labels, annotations. */
export const CoreObjectMetaSchema = Type.Object({
  name: Type.String({ maxLength: 253, pattern: DNS_1123_SUBDOMAIN }),
  namespace: Type.Optional(Type.String({ maxLength: 63, pattern: DNS_1123_LABEL, default: DEFAULT_NAMESPACE })),
  labels: Type.Optional(StringMap(Type.String())),
  annotations: Type.Optional(StringMap(Type.String())),
}, { additionalProperties: false });
