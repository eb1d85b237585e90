// What klambda's output (one log file per start) says: lines that explain stalls, counted; the REPORT lines of a request.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const logTexts = (work: string): string[] =>
  readdirSync(work).filter((f) => /^klambda-\d+\.log$/.test(f)).sort().map((f) => readFileSync(join(work, f), 'utf8'));

/** Lines of klambda's logs (all its starts) that tell why work stalled or failed, counted; `extra` adds signs of its own. */
export function logCounts(work: string, extra: Record<string, RegExp> = {}): Record<string, number> {
  const signs: Record<string, RegExp> = {
    agentWrongpass: /WRONGPASS/g,
    aclUsersNotCreated: /cannot create Redis ACL users/g,
    environmentExited: /"environment exited"/g,
    requestFailed: /"request failed"/g,
    initErrors: /INIT_REPORT .*Status: error/g,
    crashRedeliveries: /runtime crashed during an async invocation; redelivering it/g,
    asyncRetries: /async invocation failed; retrying it later/g,
    deadLettered: /given up to the dead letters/g,
    ...extra,
  };
  const counts: Record<string, number> = Object.fromEntries(Object.keys(signs).map((k) => [k, 0]));
  for (const text of logTexts(work)) for (const [k, re] of Object.entries(signs)) counts[k]! += text.match(re)?.length ?? 0;
  return counts;
}

/** Each run's REPORT line of these request ids (the part after the request id), in log order. */
export function reportsOf(work: string, requestIds: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(requestIds.map((id) => [id, []]));
  if (requestIds.length === 0) return out;
  for (const text of logTexts(work)) {
    for (const m of text.matchAll(/REPORT RequestId: (\S+)\t(.*)/g)) out.get(m[1]!)?.push(m[2]!.replace(/\t/g, ' '));
  }
  return out;
}
