// The Redis keys of the schedules, built only here. Both keys of one rule share its hash tag `{namespace/name}`, so
// the claim scripts run on a Redis Cluster.

const BRACES = /[{}]/;
/** Glob characters of Redis ACL key patterns, and whitespace (as queue/keys.ts refuses them). */
const GLOB_OR_SPACE = /[*?[\]\\\s]/;

export interface ScheduleKeys {
  /** string: the latest tick (epoch ms) of the rule fired and done */
  done: string;
  /** string owner id, with the lease as its expiry: the tick is being fired */
  claim(tickMs: number): string;
}

/** Why a rule key or prefix cannot name keys, or undefined. */
export function keyProblem(what: string, value: string): string | undefined {
  if (value === '') return `${what} must not be empty`;
  if (BRACES.test(value)) return `${what} "${value}" must not contain { or }: they delimit the hash tag`;
  if (GLOB_OR_SPACE.test(value)) return `${what} "${value}" must not contain *, ?, [, ], \\ or spaces`;
  return undefined;
}

/** The keys of one rule (`ruleKey`: "namespace/name"); throws a RangeError for a key keyProblem refuses. */
export function scheduleKeys(prefix: string, ruleKey: string): ScheduleKeys {
  const problem = keyProblem('key prefix', prefix) ?? keyProblem('rule key', ruleKey);
  if (problem) throw new RangeError(problem);
  const base = `${prefix}:schedule:{${ruleKey}}`;
  return { done: `${base}:done`, claim: (tickMs) => `${base}:claim:${tickMs}` };
}
