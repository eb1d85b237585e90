// Kubernetes ConfigMap (v1), as far as klambda reads it: `data` holds a function's files for `code.configMap`.
import { Type, type Static } from '@sinclair/typebox';
import { CoreObjectMetaSchema, objectKeyProblem, StringEnum, StringMap, type ObjectMeta } from './common.js';
import { isRecord, type SpecIssue } from './function.js';

export const ConfigMapSchema = Type.Object({
  apiVersion: StringEnum(['v1'] as const),
  kind: StringEnum(['ConfigMap'] as const),
  metadata: CoreObjectMetaSchema,
  data: Type.Optional(StringMap(Type.String())),
  binaryData: Type.Optional(StringMap(Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }))),
  immutable: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

/** Keys must be Kubernetes ConfigMap keys (no '/', not '.' or '..'), not in both data and binaryData. */
export function configMapIssues(obj: unknown): SpecIssue[] {
  if (!isRecord(obj)) return [];
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  for (const field of ['data', 'binaryData'] as const) {
    const map = obj[field];
    if (!isRecord(map)) continue;
    for (const key of Object.keys(map)) {
      const path = `${field}[${JSON.stringify(key)}]`;
      const bad = objectKeyProblem(key);
      if (bad) issues.push({ path, message: bad });
      if (seen.has(key)) issues.push({ path, message: `is in both data and binaryData` });
      seen.add(key);
    }
  }
  return issues;
}

export type ConfigMapInput = Static<typeof ConfigMapSchema>;
