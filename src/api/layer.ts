// The Layer kind: a Lambda layer (metadata.name) and its published versions, each an immutable zip unpacked under /opt.
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, kindSchema, StringEnum, type KindObject } from './common.js';
import { exactlyOne, isRecord, type SpecIssue } from './function.js';
import { CODE_SHA256 } from './function-version.js';

export { LAYER_VERSION_REF } from './common.js';

/** Lambda's architectures. */
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;

export const LAYER_CODE_SOURCES = ['path', 's3'] as const;
/** Where a version's zip is: a folder or zip beside the manifest (the local mode), or an S3 object (a cluster). */
export const LayerCodeSchema = Type.Object({
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  s3: Type.Optional(Type.Object({
    bucket: Type.String({ minLength: 3, maxLength: 63, pattern: '^[0-9A-Za-z\\.\\-_]+$' }),
    key: Type.String({ minLength: 1, maxLength: 1024 }),
    objectVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type LayerCode = Static<typeof LayerCodeSchema>;

export const LayerVersionSpecSchema = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  description: Type.Optional(Type.String({ maxLength: 256 })),
  compatibleRuntimes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 15 })),
  compatibleArchitectures: Type.Optional(Type.Array(StringEnum(ARCHITECTURES), { maxItems: 2 })),
  licenseInfo: Type.Optional(Type.String({ maxLength: 512 })),
  code: LayerCodeSchema,
  /** Base64 SHA-256 of the zip when it was published: a zip that no longer has it is refused (versions are immutable). */
  codeSha256: Type.Optional(Type.String({ pattern: CODE_SHA256 })),
  /** ISO time of publication (default: the manifest file's modification time). */
  createdDate: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });
export type LayerVersionSpec = Static<typeof LayerVersionSpecSchema>;

/** Versions one Layer lists at once (a bound a CRD's rules need; delete old versions to publish past it). */
export const MAX_LISTED_VERSIONS = 1000;

export const LayerSpecSchema = Type.Object({
  /** Append-only: published versions, each immutable; DeleteLayerVersion removes one. Numbers are never used twice. */
  versions: Type.Array(LayerVersionSpecSchema, { maxItems: MAX_LISTED_VERSIONS }),
}, { additionalProperties: false });
export type LayerSpec = Static<typeof LayerSpecSchema>;

export const LayerSchema = kindSchema(API_VERSION, 'Layer', LayerSpecSchema);

export type Layer = KindObject<'Layer', LayerSpec>;

/** The highest version number a layer ever had (kept when that version is deleted, so it is not published twice). */
export const LAST_VERSION_ANNOTATION = 'klambda.dev/last-layer-version';

/** Rules beyond the schema: one code source per version, each number once. Tolerates a malformed spec. */
export function layerSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec) || !Array.isArray(spec.versions)) return [];
  const issues: SpecIssue[] = [];
  const seen = new Map<unknown, number>();
  spec.versions.forEach((v: unknown, i) => {
    if (!isRecord(v)) return;
    if (isRecord(v.code)) issues.push(...exactlyOne(v.code, LAYER_CODE_SOURCES, `versions[${i}].code`, 'a layer version'));
    if (isRecord(v.code) && typeof v.code.path === 'string' && v.code.path.includes('\0')) {
      issues.push({ path: `versions[${i}].code.path`, message: 'must not hold NUL' });
    }
    if (typeof v.createdDate === 'string' && Number.isNaN(Date.parse(v.createdDate))) {
      issues.push({ path: `versions[${i}].createdDate`, message: `must be an ISO 8601 time (e.g. 2024-05-01T12:00:00.000Z), got ${JSON.stringify(v.createdDate)}` });
    }
    const first = seen.get(v.version);
    if (first !== undefined) issues.push({ path: `versions[${i}].version`, message: `version ${String(v.version)} is listed twice (also versions[${first}])` });
    else seen.set(v.version, i);
  });
  return issues;
}

/** The highest version number `layer` has had: its versions and the annotation a deletion leaves. */
export function lastLayerVersion(layer: Pick<Layer, 'metadata' | 'spec'>): number {
  const noted = Number(layer.metadata.annotations?.[LAST_VERSION_ANNOTATION] ?? 0);
  return Math.max(Number.isSafeInteger(noted) ? noted : 0, ...layer.spec.versions.map((v) => v.version));
}
