// Weighted alias routing: which version serves one invocation of an alias.
import type { AsyncConfig } from '../api/function.js';

export interface AliasRouting {
  functionVersion: string;
  /** At most one extra version, weight 0..1. */
  additionalVersionWeights?: Record<string, number>;
  /** The alias's own event invoke config: it replaces the version's for invocations through the alias (not its deadLetter). */
  async?: Partial<Omit<AsyncConfig, 'deadLetter'>>;
}

/** Pure: `random` is a number in [0, 1) supplied by the caller. */
export function chooseVersion(alias: AliasRouting, random: number): string {
  const extra = Object.entries(alias.additionalVersionWeights ?? {});
  let acc = 0;
  for (const [version, weight] of extra) {
    acc += weight;
    if (random < acc) return version;
  }
  return alias.functionVersion;
}
