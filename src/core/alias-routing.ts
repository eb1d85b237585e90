// Weighted alias routing: which version serves one invocation of an alias.

export interface AliasRouting {
  functionVersion: string;
  /** At most one extra version, weight 0..1. */
  additionalVersionWeights?: Record<string, number>;
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
