// Whether publishing makes a new version: only when the code digest or the configuration changed since the last one (pure).
import { sameJson } from './code.js';
import type { FunctionConfig } from './function.js';

export interface PublishedVersion { version: string; codeSha256: string; function: FunctionConfig }

export type PublishPlan = { create: false; version: string } | { create: true; version: string };

/**
 * `latest` is the highest published version, if any. Nothing is published twice for the same digest and config. The
 * code is compared by its digest alone: a version keeps its package under a name of its own.
 */
export function planPublish(latest: PublishedVersion | undefined, codeSha256: string, config: FunctionConfig): PublishPlan {
  const withoutCode = (c: FunctionConfig) => ({ ...c, code: undefined });
  if (latest && latest.codeSha256 === codeSha256 && sameJson(withoutCode(latest.function), withoutCode(config))) return { create: false, version: latest.version };
  return { create: true, version: String(Number(latest?.version ?? 0) + 1) };
}

/** The highest-numbered of some versions. */
export function latestOf<T extends { version: string }>(versions: Iterable<T>): T | undefined {
  let best: T | undefined;
  for (const v of versions) if (!best || Number(v.version) > Number(best.version)) best = v;
  return best;
}
