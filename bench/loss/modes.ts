// A loss test's main: each fsync mode in turn, SIGINT/SIGTERM cleaning up what runs, the JSON report and the exit code.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import type { Cleanups } from './rig.js';
import type { Fsync } from './redis-proc.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const text = (err: unknown) => (err instanceof Error ? err.message : String(err));
const stack = (err: unknown) => (err instanceof Error ? err.stack ?? err.message : String(err));

/** A mode that could not run. */
export interface ModeError { mode: string; error: string }

/** Runs `run` for each mode in turn; a mode that throws is a ModeError and the next one runs. */
export async function eachMode<R>(bench: string, modes: Fsync[], run: (mode: Fsync, cleanups: Cleanups) => Promise<R>): Promise<Array<R | ModeError>> {
  const cleanups: Cleanups = [];
  const onSignal = (signal: string) => {
    log(`[${bench}] ${signal}: cleaning up`);
    void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const results: Array<R | ModeError> = [];
  for (const mode of modes) {
    results.push(await run(mode, cleanups).catch((err: unknown): ModeError => {
      log(`[${mode}] failed: ${stack(err)}`);
      return { mode: `appendfsync ${mode}`, error: text(err) };
    }));
  }
  return results;
}

/** The commit of the klambda that runs, and whether its src/ differs from it (others' work in progress), if it is a checkout. */
function revision(root: string): { commit: string | null; srcDirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit, srcDirty: dirty !== '' };
  } catch {
    return { commit: null, srcDirty: null };
  }
}

/** Prints the report to stdout: the bench, the machine, the klambda that ran, `extra`, then the results. */
export function printReport(bench: string, root: string, extra: Record<string, unknown>, results: unknown[]): void {
  process.stdout.write(`${JSON.stringify({
    bench, date: new Date().toISOString(), cpus: cpus().length, node: process.version, klambdaRoot: root,
    klambda: revision(root), ...extra, results,
  }, null, 2)}\n`);
}

/** Exits with what `main` answers, 2 if it throws. */
export function exitWith(bench: string, main: () => Promise<number>): void {
  main().then((code) => process.exit(code), (err: unknown) => {
    log(`${bench}: ${stack(err)}`);
    process.exit(2);
  });
}
