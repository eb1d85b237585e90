// The FunctionVersion kind: an immutable, self-contained snapshot (code digest + configuration) numbered 1, 2, 3…
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, DNS_1123_LABEL, dnsLabelName, kindSchema, type Simplify, type KindObject } from './common.js';
import { FunctionSpecSchema, functionSpecIssues, type FunctionConfig, type SpecIssue } from './function.js';

/** A published version number: a positive integer, as a string. */
export const VERSION_NUMBER = '^[1-9][0-9]*$';
/** Base64 of a SHA-256 digest, like AWS's CodeSha256. */
export const CODE_SHA256 = '^[A-Za-z0-9+/]{43}=$';

export const FunctionVersionSpecSchema = Type.Object({
  functionName: Type.String({ maxLength: 63, pattern: DNS_1123_LABEL }),
  version: Type.String({ maxLength: 10, pattern: VERSION_NUMBER }),
  codeSha256: Type.String({ pattern: CODE_SHA256 }),
  /** Lambda's CodeSize: the zip's bytes (a package), the files' (inline), 0 (an image). */
  codeSize: Type.Optional(Type.Integer({ minimum: 0 })),
  description: Type.Optional(Type.String({ maxLength: 256 })),
  /** The Function spec at publish time, minus `publish`, `tags` and `url` (they belong to the function). */
  function: Type.Omit(FunctionSpecSchema, ['publish', 'tags', 'url'], { additionalProperties: false }),
}, { additionalProperties: false });

/** The snapshot is typed as parsed (defaults filled in). */
export type FunctionVersionSpec = Simplify<Omit<Static<typeof FunctionVersionSpecSchema>, 'function'> & { function: FunctionConfig }>;

export const FunctionVersionSchema = kindSchema(API_VERSION, 'FunctionVersion', FunctionVersionSpecSchema);

export type FunctionVersion = KindObject<'FunctionVersion', FunctionVersionSpec>;

/** Rules beyond the schema, for the snapshot it carries. */
export function functionVersionSpecIssues(spec: unknown): SpecIssue[] {
  if (typeof spec !== 'object' || spec === null) return [];
  const fn = (spec as Record<string, unknown>).function;
  return functionSpecIssues(fn).map((i) => ({ path: `function.${i.path}`, message: i.message }));
}

/** The metadata.name we give a published version: `<function>-v<N>` (kept a DNS label). */
export function functionVersionObjectName(functionName: string, version: string): string {
  return dnsLabelName(`${functionName}-v${version}`);
}
