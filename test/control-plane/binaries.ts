// Finds the control-plane binaries: $KLAMBDA_K8S_BIN, or builds/reuses them via hack/testbin/build-control-plane.sh.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

export function controlPlaneBinaries(): string {
  if (process.env.KLAMBDA_K8S_BIN) return process.env.KLAMBDA_K8S_BIN;
  const script = join(packageRoot(), 'hack', 'testbin', 'build-control-plane.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`building the control plane failed (bash ${script}, exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  const lines = r.stdout.trim().split('\n');
  return lines[lines.length - 1]!;
}
