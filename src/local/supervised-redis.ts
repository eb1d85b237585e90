// The local mode's own Redis: its append-only file in the folder's .klambda/redis (so accepted work outlives a crash
// of Redis or of klambda), started again on the same port and password whenever it dies. One klambda per folder
// holds that data folder (a lock file with its pid); a second one gets a Redis without persistence, and says so.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server.js';

export interface SupervisedRedis {
  url: string;
  /** The running redis-server's pid (changes with each restart). */
  pid(): number;
  /** How many times it was started again after dying. */
  restarts(): number;
  /** Whether its data lives in the folder (false: another klambda holds the folder's data). */
  persistent: boolean;
  /** Runs after each restart (e.g. to make the ACL users again: the append-only file has the data, not the users). */
  onRestart(hook: () => Promise<void>): void;
  /**
   * klambda is stopping: a redis-server that dies from now on is not started again (nor reported), so a Redis that
   * went down with the rest does not come back for the few moments left while its clients close.
   */
  stopRestarting(): void;
  stop(): Promise<void>;
}

export interface SupervisedRedisOptions {
  /** The folder for the data (created); its `lock` says which process holds it. */
  dataDir: string;
  password: string;
  logger: Logger;
  /** The first wait before a restart, doubled up to 5 s while it keeps failing (default 100 ms). */
  restartDelayMs?: number;
}

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

/** The lock files this process holds (two local modes in one process, as tests run them, must not share). */
const heldHere = new Set<string>();

/** Takes the folder's lock file, or not when a live process holds it (a stale one is taken over). */
function takeLock(file: string): boolean {
  if (heldHere.has(file)) return false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return false;
      // a stale lock: its process is gone (or this pid's earlier owner)
      rmSync(file, { force: true });
    }
  }
  return false;
}

function releaseLock(file: string): void {
  heldHere.delete(file);
  rmSync(file, { force: true });
}

export async function startSupervisedRedis(opts: SupervisedRedisOptions): Promise<SupervisedRedis> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const lock = join(opts.dataDir, 'lock');
  const persistent = takeLock(lock);
  if (!persistent) {
    opts.logger.warn({ msg: 'another klambda holds this folder\'s Redis data; this one keeps its queues in memory only', dataDir: opts.dataDir });
  }
  const port = await freePort();
  const start = () => startRedisServer({ port, password: opts.password, ...(persistent ? { dataDir: opts.dataDir } : {}) });
  let current: RedisServerHandle;
  try {
    current = await start();
  } catch (e) {
    if (persistent) releaseLock(lock);
    throw e;
  }
  let stopping = false;
  let restarts = 0;
  const hooks: Array<() => Promise<void>> = [];
  const baseDelay = opts.restartDelayMs ?? 100;
  // stop() cuts the wait before a restart short, and waits for a start under way (then stops what it started)
  let wake = (): void => undefined;
  let starting: Promise<unknown> = Promise.resolve();

  const supervise = async (handle: RedisServerHandle): Promise<void> => {
    await handle.exited;
    let delay = baseDelay;
    while (!stopping) {
      opts.logger.error({ msg: 'redis-server exited; starting it again', port, persistent });
      await new Promise<void>((r) => { const t = setTimeout(r, delay); wake = () => { clearTimeout(t); r(); }; });
      if (stopping) return;
      try {
        const next = start();
        starting = next.catch(() => undefined);
        current = await next;
        if (stopping) { await current.stop(); return; }
        restarts += 1;
        opts.logger.info({ msg: 'redis-server is back', port, restarts });
        void supervise(current);
        for (const hook of hooks) await hook().catch((e: unknown) => opts.logger.error({ msg: 'after the Redis restart', error: e instanceof Error ? e.message : String(e) }));
        return;
      } catch (e) {
        opts.logger.error({ msg: 'redis-server did not start again', error: e instanceof Error ? e.message : String(e) });
        delay = Math.min(delay * 2, 5000);
      }
    }
  };
  void supervise(current);

  return {
    url: current.url,
    pid: () => current.pid,
    restarts: () => restarts,
    persistent,
    onRestart: (hook) => { hooks.push(hook); },
    stopRestarting: () => { stopping = true; wake(); },
    stop: async () => {
      stopping = true;
      wake();
      await starting;
      await current.stop();
      if (persistent) releaseLock(lock);
    },
  };
}
