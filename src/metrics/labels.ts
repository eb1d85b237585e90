// The label sets of klambda's metrics: one place, so every process labels a function the same way.
import type { QueueRef } from '../core/queue-contract.js';

/** Labels of one function version. */
export const VERSION_LABELS = ['namespace', 'function', 'version'] as const;
export type VersionLabel = (typeof VERSION_LABELS)[number];
export type VersionLabels = Record<VersionLabel, string>;

export const versionLabels = (q: QueueRef): VersionLabels => ({ namespace: q.namespace, function: q.functionName, version: q.version });

/**
 * The alias a call named, or "" for none: a version number or $LATEST is not an alias. Only names the routing table
 * resolved reach here, so the values stay bounded by the objects that exist.
 */
export function aliasOf(qualifier: string | undefined): string {
  if (qualifier === undefined || qualifier === '$LATEST' || /^\d+$/.test(qualifier)) return '';
  return qualifier;
}
