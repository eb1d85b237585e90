// The local mode's own Redis: its append-only file in the folder's .klambda/redis (so accepted work outlives a crash
// of Redis or of klambda), started again on the same port and password whenever it dies. One klambda per folder
// holds that data folder (a lock file with its pid); a second one gets a Redis without persistence, and says so.
// The folder's redis-server writes its pid in `redis.pid`: a klambda killed with SIGKILL leaves its Redis running, and
// the next one on the folder stops that orphan before it starts its own, so that one file never has two writers.
import { closeSync, mkdirSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { freePort, startRedisServer, STOP_GRACE_MS, type RedisServerHandle } from './redis-server.js';

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

const readOrEmpty = (file: string): string => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };

/** Whether the process has ended: no /proc entry, or a zombie waiting for a parent (an init that may never reap). */
function ended(pid: number): boolean {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  if (stat === '') return true;
  // the state is the field after "(comm)", which may itself hold spaces and parentheses
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/**
 * Whether `pid` runs a redis-server on `dataDir`, read from /proc (Linux): `redis-server` first on its command line
 * (redis rewrites that to "redis-server 127.0.0.1:PORT", which drops the `--dir` argument but keeps the name), and the
 * folder as its working folder (redis changes into its `--dir`). Anything else — a pid reused by another program or
 * by another folder's Redis, or no /proc to tell — is not one to signal.
 */
export function isRedisServerOn(pid: number, dataDir: string): boolean {
  if (ended(pid)) return false;
  const program = readOrEmpty(`/proc/${pid}/cmdline`).split('\0')[0]!.split(' ')[0]!;
  if (basename(program) !== 'redis-server') return false;
  try { return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dataDir); } catch { return false; }
}

/** Waits until the process has ended, at most `ms`; whether it has. */
async function endedWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!ended(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

const signal = (pid: number, sig: NodeJS.Signals): void => {
  try { process.kill(pid, sig); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; }
};

/**
 * Stops the redis-server that `redis.pid` names if it still runs on this folder: the Redis of a klambda that was
 * killed (SIGKILL, a crash) without stopping it, and that would otherwise append to the same append-only file as the
 * new one. SIGTERM first (Redis writes out its append-only file as it shuts down), SIGKILL after a grace.
 */
async function stopOrphan(dataDir: string, pidFile: string, logger: Logger): Promise<void> {
  const pid = Number(readOrEmpty(pidFile).trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isRedisServerOn(pid, dataDir)) return;
  signal(pid, 'SIGTERM');
  if (!await endedWithin(pid, STOP_GRACE_MS)) {
    signal(pid, 'SIGKILL');
    if (!await endedWithin(pid, STOP_GRACE_MS)) {
      throw new Error(`an orphaned redis-server (pid ${pid}) still runs on ${dataDir} after SIGKILL; stop it, then start klambda again`);
    }
  }
  logger.warn({ msg: 'stopped an orphaned redis-server of a previous klambda on this folder; its append-only file is loaded again', pid, dataDir });
}

export async function startSupervisedRedis(opts: SupervisedRedisOptions): Promise<SupervisedRedis> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const lock = join(opts.dataDir, 'lock');
  const persistent = takeLock(lock);
  if (!persistent) {
    opts.logger.warn({ msg: 'another klambda holds this folder\'s Redis data; this one keeps its queues in memory only', dataDir: opts.dataDir });
  }
  const pidFile = join(opts.dataDir, 'redis.pid');
  const port = await freePort();
  const start = () => startRedisServer({ port, password: opts.password, ...(persistent ? { dataDir: opts.dataDir, pidFile } : {}) });
  let current: RedisServerHandle;
  try {
    if (persistent) await stopOrphan(opts.dataDir, pidFile, opts.logger);
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
      if (persistent) {
        // redis removes it on a clean shutdown; not when it had to be killed
        rmSync(pidFile, { force: true });
        releaseLock(lock);
      }
    },
  };
}
