// The routing table of one function as the controller writes it and the router reads it, and how a call resolves on it (pure).
import { chooseVersion, type AliasRouting } from './alias-routing.js';
import { functionArn, type ArnContext, type FunctionNameRef } from './arn.js';
import { notFound } from './errors.js';
import type { ResolvedTarget } from './registry.js';
import type { AsyncConfig } from '../api/function.js';
import type { UrlConfig } from './function-url.js';

export interface VersionRoute {
  timeoutSeconds: number;
  /** The version's async settings (retries, event age, destinations); absent in tables written before they were routed: AWS's defaults. */
  async?: AsyncConfig;
}

export interface FunctionRoute {
  /** $LATEST. */
  latest: VersionRoute;
  reservedConcurrency?: number;
  /** $LATEST's Function URL, if it has one. */
  url?: UrlConfig;
}

export interface AliasRoute extends AliasRouting {
  provisionedConcurrency: number;
  /** The alias's Function URL, if it has one. */
  url?: UrlConfig;
}

export interface RouteEntry {
  fn?: FunctionRoute;
  versions: Record<string, VersionRoute>;
  aliases: Record<string, AliasRoute>;
}

/** The route of one version ("$LATEST" or a number), if the table has it. */
export function versionRoute(entry: RouteEntry, version: string): VersionRoute | undefined {
  return version === '$LATEST' ? entry.fn?.latest : entry.versions[version];
}

/** What resolving a call needs of one function, wherever it is kept (the routing table, or the manifest folder). */
export interface RouteLookup {
  alias(name: string): AliasRouting | undefined;
  /** "$LATEST" or a number. */
  version(version: string): Pick<VersionRoute, 'timeoutSeconds' | 'async'> | undefined;
  reservedConcurrency?: number;
}

/** Resolves a call: the alias's weighted choice, or the version asked for. Throws 404 like Lambda (`fn` undefined: no such function). */
export function resolveOn(fn: RouteLookup | undefined, namespace: string, ref: FunctionNameRef, random: number, arn: ArnContext): ResolvedTarget {
  const missing = () => notFound(`Function not found: ${functionArn(arn, ref.name, ref.qualifier)}`);
  if (!fn) throw missing();
  const q = ref.qualifier;
  let version = '$LATEST';
  let alias: AliasRouting | undefined;
  if (q !== undefined && q !== '$LATEST') {
    if (/^\d+$/.test(q)) version = q;
    else {
      alias = fn.alias(q);
      if (!alias) throw missing();
      version = chooseVersion(alias, random);
    }
  }
  const route = fn.version(version);
  if (!route) throw missing();
  const target: ResolvedTarget = { namespace, functionName: ref.name, version, timeoutSeconds: route.timeoutSeconds };
  if (q !== undefined) target.qualifier = q;
  // through an alias with its own event invoke config, that config applies (Lambda's defaults for what it leaves
  // out); the dead-letter target stays the version's, part of its function configuration
  if (alias?.async) {
    const deadLetter = route.async?.deadLetter;
    target.async = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600, ...alias.async, ...(deadLetter ? { deadLetter } : {}) };
  } else if (route.async) target.async = route.async;
  if (fn.reservedConcurrency !== undefined) target.reservedConcurrency = fn.reservedConcurrency;
  return target;
}

/** Resolves a call on the routing table. */
export function resolveRoute(entry: RouteEntry | undefined, namespace: string, ref: FunctionNameRef, random: number, arn: ArnContext): ResolvedTarget {
  const fn = entry?.fn;
  const lookup: RouteLookup | undefined = entry && fn
    ? { alias: (name) => entry.aliases[name], version: (v) => versionRoute(entry, v), ...(fn.reservedConcurrency !== undefined ? { reservedConcurrency: fn.reservedConcurrency } : {}) }
    : undefined;
  return resolveOn(lookup, namespace, ref, random, arn);
}

/** Rounds up, ignoring float noise: 10 × (1 − 0.7) is 3, not 4. */
const ceilShare = (x: number): number => Math.ceil(Math.round(x * 1e6) / 1e6);

/** Provisioned concurrency of a version: each alias's share, split by its routing weights (rounded up). */
export function provisionedFor(aliases: Iterable<AliasRoute>, version: string): number {
  let total = 0;
  for (const a of aliases) {
    const pc = a.provisionedConcurrency;
    if (pc <= 0) continue;
    const extra = Object.entries(a.additionalVersionWeights ?? {});
    const extraWeight = extra.reduce((s, [, w]) => s + w, 0);
    if (a.functionVersion === version) total += ceilShare(pc * (1 - extraWeight));
    for (const [v, w] of extra) if (v === version) total += ceilShare(pc * w);
  }
  return total;
}
