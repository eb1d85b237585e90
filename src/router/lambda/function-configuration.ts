// Builds AWS's FunctionConfiguration, AliasConfiguration and FunctionEventInvokeConfig shapes from our specs (pure).
import { createHash } from 'node:crypto';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { destinationArn } from '../../core/destination-arn.js';
import type { EventInvokeSettings } from '../../core/event-invoke-config.js';
import type { FunctionSpec } from '../../api/function.js';
import { RUNTIME_FACTS } from '../../core/runtimes.js';
import type { AliasConfiguration, FunctionConfiguration, FunctionEventInvokeConfig } from './catalog.js';

export interface VersionFacts {
  version: string;
  codeSha256: string;
  codeSize: number;
  /** ISO time of the last change. */
  lastModified: string;
  /** Overrides the spec's description (a version's own description). */
  description?: string;
  /** The layers the spec names, as ARNs with their zips' sizes. */
  layers?: { Arn: string; CodeSize: number }[];
}

/** A stable revision id: changes whenever the content changes, like AWS's RevisionId. */
export function revisionId(value: unknown): string {
  const h = createHash('sha256').update(JSON.stringify(value)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** AWS's timestamp format for LastModified: 2024-01-01T00:00:00.000+0000. */
export const awsTimestamp = (iso: string): string => iso.replace(/Z$/, '+0000');

export function functionConfiguration(ctx: ArnContext, namespace: string, name: string, spec: FunctionSpec, facts: VersionFacts): FunctionConfiguration {
  const config: FunctionConfiguration = {
    FunctionName: name,
    FunctionArn: functionArn(ctx, name, facts.version === '$LATEST' ? undefined : facts.version),
    Runtime: RUNTIME_FACTS[spec.runtime].lambdaName,
    Role: `arn:aws:iam::${ctx.accountId}:role/${spec.serviceAccountName ?? `${namespace}-default`}`,
    Handler: spec.handler ?? 'bootstrap',
    CodeSize: facts.codeSize,
    Description: facts.description ?? spec.description ?? '',
    Timeout: spec.timeoutSeconds,
    MemorySize: spec.memoryMB,
    LastModified: awsTimestamp(facts.lastModified),
    CodeSha256: facts.codeSha256,
    Version: facts.version,
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: revisionId([spec, facts]),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: spec.code.image !== undefined ? 'Image' : 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: spec.ephemeralStorageMB },
  };
  if (spec.environment && Object.keys(spec.environment).length > 0) config.Environment = { Variables: { ...spec.environment } };
  if (facts.layers && facts.layers.length > 0) config.Layers = facts.layers.map((l) => ({ ...l }));
  return config;
}

export interface AliasFacts {
  name: string;
  functionVersion: string;
  description?: string;
  additionalVersionWeights?: Record<string, number>;
}

export function aliasConfiguration(ctx: ArnContext, functionName: string, alias: AliasFacts): AliasConfiguration {
  const out: AliasConfiguration = {
    AliasArn: functionArn(ctx, functionName, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description ?? '',
    RevisionId: revisionId(alias),
  };
  if (alias.additionalVersionWeights && Object.keys(alias.additionalVersionWeights).length > 0) {
    out.RoutingConfig = { AdditionalVersionWeights: { ...alias.additionalVersionWeights } };
  }
  return out;
}

/** A FunctionEventInvokeConfig: `qualifier` is `$LATEST`, a version or an alias; an unset destination is `{}`, as AWS answers. */
export function eventInvokeConfiguration(ctx: ArnContext, functionName: string, qualifier: string, settings: EventInvokeSettings, lastModifiedMs: number): FunctionEventInvokeConfig {
  const side = (d: EventInvokeSettings['onSuccess']) => (d ? { Destination: destinationArn(ctx, d) } : {});
  return {
    LastModified: lastModifiedMs / 1000,
    FunctionArn: functionArn(ctx, functionName, qualifier),
    MaximumRetryAttempts: settings.maximumRetryAttempts,
    MaximumEventAgeInSeconds: settings.maximumEventAgeSeconds,
    DestinationConfig: { OnSuccess: side(settings.onSuccess), OnFailure: side(settings.onFailure) },
  };
}
