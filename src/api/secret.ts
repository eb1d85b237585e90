// Kubernetes Secret (v1), as far as the local mode reads it: the values of a Function's spec.secretEnvironment.
import { Type, type Static } from '@sinclair/typebox';
import { CoreObjectMetaSchema, objectKeyProblem, StringMap, StringEnum, type ObjectMeta } from './common.js';
import { isRecord, type SpecIssue } from './function.js';

export const SecretSchema = Type.Object({
  apiVersion: StringEnum(['v1'] as const),
  kind: StringEnum(['Secret'] as const),
  metadata: CoreObjectMetaSchema,
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  /** Base64 values, as Kubernetes keeps them. */
  data: Type.Optional(StringMap(Type.String())),
  /** Plain values, written over `data` (as the API server does). */
  stringData: Type.Optional(StringMap(Type.String())),
  immutable: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  immutable?: boolean;
}

export type SecretInput = Static<typeof SecretSchema>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Keys as Kubernetes' Secret keys, `data` values base64. No message shows a value. */
export function secretIssues(obj: unknown): SpecIssue[] {
  if (!isRecord(obj)) return [];
  const issues: SpecIssue[] = [];
  for (const field of ['data', 'stringData'] as const) {
    const map = obj[field];
    if (!isRecord(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      const path = `${field}[${JSON.stringify(key)}]`;
      const bad = objectKeyProblem(key);
      if (bad) {
        issues.push({ path, message: bad });
      } else if (field === 'data' && typeof value === 'string' && (!BASE64.test(value.replace(/\s+/g, '')) || value.replace(/\s+/g, '').length % 4 !== 0)) {
        issues.push({ path, message: 'must be base64 (put a plain value under stringData instead); the value is not shown' });
      }
    }
  }
  return issues;
}

/** A Secret's value of `key` (stringData over data, as the API server merges them), or undefined. */
export function secretValue(secret: Secret, key: string): string | undefined {
  if (secret.stringData && Object.hasOwn(secret.stringData, key)) return secret.stringData[key];
  if (secret.data && Object.hasOwn(secret.data, key)) return Buffer.from(secret.data[key]!.replace(/\s+/g, ''), 'base64').toString('utf8');
  return undefined;
}
