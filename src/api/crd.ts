// TypeBox schema → apiextensions.k8s.io/v1 CustomResourceDefinition (pure; the kinds' settings are in crd-kinds.ts).
import type { TSchema } from '@sinclair/typebox';
import { GROUP, VERSION } from './common.js';

/** An OpenAPI v3 schema node as a structural CRD schema allows it. */
export interface CrdSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, CrdSchema>;
  required?: string[];
  items?: CrdSchema;
  additionalProperties?: CrdSchema;
  format?: string;
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-validations'?: ValidationRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
}

/** A CEL rule; `fieldPath` (relative to the node, e.g. `.startingPosition`) is the field an error names. */
export interface ValidationRule {
  rule: string;
  message?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CrdKind {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories?: string[];
  /** The spec's TypeBox schema (the single source of truth). */
  spec: TSchema;
  status: CrdSchema;
  printerColumns: PrinterColumn[];
  /** Kind-specific edits to the converted spec schema (CEL rules, extra limits). Must not mutate its input's shared parts. */
  patchSpec?: (spec: CrdSchema) => CrdSchema;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories?: string[] };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: true;
      storage: true;
      schema: { openAPIV3Schema: CrdSchema };
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

/** Keys copied as they are (values are plain JSON). */
const PLAIN_KEYS = [
  'description', 'format', 'enum', 'default', 'pattern', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'nullable',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
] as const;
/** TypeBox/JSON-Schema keys with no place in a CRD schema: dropped. */
const DROPPED_KEYS = new Set(['$id', '$schema', 'kind', 'Kind', 'title', 'examples', '$comment']);
/** Keys handled structurally below. */
const STRUCTURAL_KEYS = new Set(['type', 'properties', 'required', 'items', 'additionalProperties', 'const', 'anyOf', 'exclusiveMinimum', 'exclusiveMaximum']);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** Converts a TypeBox schema to a structural CRD schema; throws on anything a structural schema cannot say. */
export function toCrdSchema(schema: TSchema | Record<string, unknown>, path = '$'): CrdSchema {
  // JSON round trip: drops TypeBox's symbol keys (Kind, Optional, Hint…) and undefined values, and unshares nodes.
  const node = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return convert(node, path);
}

function convert(node: Record<string, unknown>, path: string): CrdSchema {
  const unknown = Object.keys(node).filter((k) => !DROPPED_KEYS.has(k) && !STRUCTURAL_KEYS.has(k) && !(PLAIN_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`${path}: cannot express ${unknown.join(', ')} in a CRD schema`);

  if (node.anyOf !== undefined) return literalUnion(node, path);

  const out: CrdSchema = {};
  const type = node.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    if (node['x-kubernetes-preserve-unknown-fields'] !== true) throw new Error(`${path}: every node needs a type (got ${JSON.stringify(type)})`);
  } else {
    out.type = type as CrdSchema['type'];
  }
  for (const key of PLAIN_KEYS) if (node[key] !== undefined) (out as Record<string, unknown>)[key] = node[key];
  if (node.const !== undefined) out.enum = [node.const];
  // Draft-6+ numeric exclusive bounds → OpenAPI v3's boolean form.
  for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    const v = node[ex];
    if (typeof v === 'number') { out[bound] = v; out[ex] = true; } else if (typeof v === 'boolean') out[ex] = v;
  }

  const ap = node.additionalProperties;
  // `additionalProperties: true` (a free-form object): the API server keeps whatever fields it gets.
  if (ap === true) out['x-kubernetes-preserve-unknown-fields'] = true;
  if (isObject(ap)) {
    // A map: `properties` (TypeBox's `{}`) and `additionalProperties` are mutually exclusive in a CRD.
    const props = node.properties;
    if (isObject(props) && Object.keys(props).length > 0) throw new Error(`${path}: a CRD object has either properties or additionalProperties, not both`);
    out.additionalProperties = convert(ap, `${path}.*`);
  } else if (isObject(node.properties) && !(ap === true && Object.keys(node.properties).length === 0)) {
    // `additionalProperties: false` is forbidden in a CRD; unknown fields are pruned instead.
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => {
      if (!isObject(v)) throw new Error(`${path}.${k}: not a schema`);
      return [k, convert(v, `${path}.${k}`)];
    }));
    if (Array.isArray(node.required) && node.required.length > 0) out.required = [...node.required] as string[];
  }
  if (isObject(node.items)) out.items = convert(node.items, `${path}[]`);
  else if (type === 'array') throw new Error(`${path}: an array needs one items schema`);
  return sortKeys(out);
}

/** `anyOf` of literals of one type (TypeBox's Union of Literals) → `type` + `enum`; any other anyOf is refused. */
function literalUnion(node: Record<string, unknown>, path: string): CrdSchema {
  const branches = node.anyOf as unknown[];
  const values = branches.map((b) => (isObject(b) ? b.const : undefined));
  const types = new Set(branches.map((b) => (isObject(b) ? b.type : undefined)));
  const [type] = types;
  if (values.some((v) => v === undefined) || types.size !== 1 || typeof type !== 'string' || !TYPES.has(type)) {
    throw new Error(`${path}: anyOf is only allowed as a union of literals of one type in a CRD schema`);
  }
  const { anyOf: _drop, ...rest } = node;
  return convert({ ...rest, type, enum: values }, path);
}

/**
 * A copy of `schema` with `edit` applied to the node at `path` (field names; '[]' for a list's items, '*' for a map's
 * values). Only the nodes on the path are copied. Throws when the path is missing, so a rule is never silently lost.
 */
export function editAt(schema: CrdSchema, path: readonly string[], edit: (node: CrdSchema) => CrdSchema, where = 'spec'): CrdSchema {
  if (path.length === 0) return edit(schema);
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '[]') {
    if (!schema.items) throw new Error(`${where}: not a list`);
    return { ...schema, items: editAt(schema.items, rest, edit, `${where}[]`) };
  }
  if (head === '*') {
    if (!schema.additionalProperties) throw new Error(`${where}: not a map`);
    return { ...schema, additionalProperties: editAt(schema.additionalProperties, rest, edit, `${where}.*`) };
  }
  const child = schema.properties?.[head];
  if (!child) throw new Error(`${where}.${head}: no such field`);
  return { ...schema, properties: { ...schema.properties, [head]: editAt(child, rest, edit, `${where}.${head}`) } };
}

/** `schema` with CEL rules added to the node at `path` (see editAt). */
export function withRules(schema: CrdSchema, path: readonly string[], rules: readonly ValidationRule[]): CrdSchema {
  return editAt(schema, path, (node) => ({ ...node, 'x-kubernetes-validations': [...(node['x-kubernetes-validations'] ?? []), ...rules] }));
}

const KEY_ORDER = ['type', 'description', 'required', 'properties', 'additionalProperties', 'items'];
/** A stable key order, so the YAML reads top-down and diffs stay small. */
function sortKeys(s: CrdSchema): CrdSchema {
  const rank = (k: string) => (KEY_ORDER.includes(k) ? KEY_ORDER.indexOf(k) : KEY_ORDER.length);
  return Object.fromEntries(Object.entries(s).sort(([a], [b]) => rank(a) - rank(b) || (rank(a) === KEY_ORDER.length ? a.localeCompare(b) : 0))) as CrdSchema;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The CustomResourceDefinition of one kind. */
export function customResourceDefinition(k: CrdKind): CustomResourceDefinition {
  let spec = toCrdSchema(k.spec, 'spec');
  if (k.patchSpec) spec = k.patchSpec(spec);
  const names: CustomResourceDefinition['spec']['names'] = {
    kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.singular, shortNames: [...k.shortNames],
  };
  if (k.categories) names.categories = [...k.categories];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names,
      scope: 'Namespaced',
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec,
              status: k.status,
            },
          },
        },
        subresources: { status: {} },
        additionalPrinterColumns: k.printerColumns.map((c) => ({ ...c })),
      }],
    },
  };
}
