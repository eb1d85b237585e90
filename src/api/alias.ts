// The Alias kind: a name (the qualifier) pointing at a version, with optional weighted routing to a second one.
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, DNS_1123_LABEL, dnsLabelName, kindSchema, StringMap, type WithDefaults, type KindObject } from './common.js';
import { AsyncConfigSchema, DESTINATION_KINDS, exactlyOne, isRecord, UrlConfigSchema, type SpecIssue } from './function.js';
import { VERSION_NUMBER } from './function-version.js';

/** AWS's alias name pattern minus its "not all digits" lookahead, which is checked in code (RE2 has no lookahead). */
export const ALIAS_NAME = '^[a-zA-Z0-9_-]+$';
/** `$LATEST` or a published version number. */
export const FUNCTION_VERSION_REF = '^(\\$LATEST|[1-9][0-9]*)$';

export const RoutingConfigSchema = Type.Object({
  additionalVersionWeights: Type.Optional(StringMap(Type.Number({ minimum: 0, maximum: 1 }), { maxProperties: 1 })),
}, { additionalProperties: false });
export type RoutingConfig = Static<typeof RoutingConfigSchema>;

/**
 * The alias's event invoke config (PutFunctionEventInvokeConfig with the alias as Qualifier): a Function's `async`
 * without `deadLetter`, which is Lambda's DeadLetterConfig, part of the function's (version's) configuration. No default
 * for the object: present means configured; absent, the version's own settings apply.
 */
export const AliasAsyncConfigSchema = Type.Object({
  maximumRetryAttempts: AsyncConfigSchema.properties.maximumRetryAttempts,
  maximumEventAgeSeconds: AsyncConfigSchema.properties.maximumEventAgeSeconds,
  onSuccess: AsyncConfigSchema.properties.onSuccess,
  onFailure: AsyncConfigSchema.properties.onFailure,
}, { additionalProperties: false });
export type AliasAsyncConfig = Static<typeof AliasAsyncConfigSchema>;

export const AliasSpecSchema = Type.Object({
  functionName: Type.String({ maxLength: 63, pattern: DNS_1123_LABEL }),
  /** The qualifier (`hello:live`); defaults to metadata.name. */
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: ALIAS_NAME })),
  functionVersion: Type.String({ maxLength: 1024, pattern: FUNCTION_VERSION_REF }),
  description: Type.Optional(Type.String({ maxLength: 256 })),
  routingConfig: Type.Optional(RoutingConfigSchema),
  provisionedConcurrency: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  async: Type.Optional(AliasAsyncConfigSchema),
  /** The alias's Function URL (CreateFunctionUrlConfig with the alias as Qualifier). */
  url: Type.Optional(UrlConfigSchema),
}, { additionalProperties: false });

export type AliasSpecInput = Static<typeof AliasSpecSchema>;
export type AliasSpec = WithDefaults<AliasSpecInput, 'name' | 'provisionedConcurrency'>;

export const AliasSchema = kindSchema(API_VERSION, 'Alias', AliasSpecSchema);

export type Alias = KindObject<'Alias', AliasSpec>;

/** Fills spec.name from metadata.name. Mutates `obj`. */
export function defaultAlias(obj: unknown): void {
  if (isRecord(obj) && isRecord(obj.spec) && obj.spec.name === undefined && isRecord(obj.metadata) && typeof obj.metadata.name === 'string') {
    obj.spec.name = obj.metadata.name;
  }
}

/** Rules beyond the schema: the name, routing to one other published version, one kind per destination. Tolerates a malformed spec. */
export function aliasSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec)) return [];
  const issues: SpecIssue[] = [];
  if (typeof spec.name === 'string' && /^[0-9]+$/.test(spec.name)) {
    issues.push({ path: 'name', message: `must not be all digits (that would read as a version number), got "${spec.name}"` });
  }
  if (isRecord(spec.async)) {
    for (const key of ['onSuccess', 'onFailure']) {
      const d = spec.async[key];
      if (isRecord(d)) issues.push(...exactlyOne(d, DESTINATION_KINDS, `async.${key}`, 'a destination'));
    }
  }
  const weights = isRecord(spec.routingConfig) ? spec.routingConfig.additionalVersionWeights : undefined;
  if (!isRecord(weights)) return issues;
  for (const version of Object.keys(weights)) {
    const path = `routingConfig.additionalVersionWeights[${JSON.stringify(version)}]`;
    if (!new RegExp(VERSION_NUMBER).test(version)) {
      issues.push({ path, message: `the extra version must be a published version number, got "${version}"` });
    } else if (version === spec.functionVersion) {
      issues.push({ path, message: `the extra version must differ from functionVersion (${version})` });
    }
  }
  if (Object.keys(weights).length > 0 && spec.functionVersion === '$LATEST') {
    issues.push({ path: 'functionVersion', message: 'must be a published version when routingConfig sends traffic to a second version, not $LATEST' });
  }
  return issues;
}

/** The metadata.name we give an alias we create: `<function>-<alias>` (kept a DNS label). */
export function aliasObjectName(functionName: string, aliasName: string): string {
  return dnsLabelName(`${functionName}-${aliasName}`);
}
