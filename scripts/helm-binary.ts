// Finds helm: $KLAMBDA_HELM_BIN (its folder), else hack/testbin/fetch-helm.sh (which caches it); runs it.
import { spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let cached: string | undefined;

export function helmBinary(): string {
  if (cached) return cached;
  if (process.env.KLAMBDA_HELM_BIN) return (cached = join(process.env.KLAMBDA_HELM_BIN, 'helm'));
  const script = join(repoRoot, 'hack', 'testbin', 'fetch-helm.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`fetching helm failed (bash ${script}, exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  return (cached = join(r.stdout.trim().split('\n').pop()!, 'helm'));
}

export interface HelmResult { status: number | null; stdout: string; stderr: string }

/** Runs helm with `args` from the repository root; never throws on a non-zero exit (tests look at it). */
export function runHelm(args: string[], env: NodeJS.ProcessEnv = {}): HelmResult {
  const r = spawnSync(helmBinary(), args, {
    cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    // helm keeps its cache and config under HOME; tests must not read a user's repositories or contexts
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` of charts/klambda as release `klambda` in `klambda-system` (what config/ is made from). */
export function templateChart(extra: string[] = [], release = 'klambda', namespace = 'klambda-system'): string {
  const r = runHelm(['template', release, 'charts/klambda', '--namespace', namespace, ...extra]);
  if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
