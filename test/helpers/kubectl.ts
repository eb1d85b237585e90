// The real kubectl (built with the control plane, same Kubernetes version), run as a user runs it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { controlPlaneBinaries } from '../control-plane/binaries.js';

export interface CommandResult { status: number | null; stdout: string; stderr: string }

export const kubectlBinary = (): string => join(controlPlaneBinaries(), 'kubectl');

/** kubectl with `args` from the repository root against `kubeconfig` (none: commands that need no cluster). */
export function kubectl(args: string[], kubeconfig?: string, input?: string): CommandResult {
  const r = spawnSync(kubectlBinary(), args, {
    cwd: packageRoot(), encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** kubectl that must succeed: its stdout, else an error with its stderr. */
export function kubectlOk(args: string[], kubeconfig?: string, input?: string): string {
  const r = kubectl(args, kubeconfig, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
