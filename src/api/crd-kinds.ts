// Per-kind CRD settings: names, printer columns, status schemas and the rules only a CRD can say (CEL, limits).
import { AliasSpecSchema } from './alias.js';
import { customResourceDefinition, type CrdKind, type CrdSchema, type CustomResourceDefinition, type PrinterColumn } from './crd.js';
import { FunctionSpecSchema } from './function.js';
import { FunctionVersionSpecSchema } from './function-version.js';

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
  }),
  printerColumns: [
    { name: 'RUNTIME', type: 'string', jsonPath: '.spec.runtime' },
    { name: 'LATEST', type: 'string', jsonPath: '.status.latestVersion' },
    { name: 'READY', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
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

export const CRD_KINDS: readonly CrdKind[] = [FUNCTION_CRD, FUNCTION_VERSION_CRD, ALIAS_CRD];

/** Every klambda CRD, in a stable order. */
export function klambdaCrds(): CustomResourceDefinition[] {
  return CRD_KINDS.map(customResourceDefinition);
}
