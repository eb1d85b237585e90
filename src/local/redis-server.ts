// Starts a private redis-server child process on a free loopback port (local mode and tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerHandle {
  url: string;
  port: number;
  pid: number;
  /** Resolves when the process has exited, whyever. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export class RedisServerMissingError extends Error {
  constructor() {
    super(
      'klambda needs Redis: set REDIS_URL=redis://host:port, or install redis-server ' +
        '(Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) so klambda can start its own.',
    );
    this.name = 'RedisServerMissingError';
  }
}

/**
 * The redis-servers this process started and that still run. Each is in its own process group (see spawn below), so
 * nothing else ends it when this process does: on exit (a start that failed after Redis was up, an uncaught error,
 * process.exit anywhere) they are sent SIGTERM, which lets Redis flush its append-only file. Only SIGKILL skips this.
 */
const running = new Set<ChildProcess>();
let exitHookSet = false;

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  if (exitHookSet) return;
  exitHookSet = true;
  process.on('exit', () => {
    for (const c of running) {
      try { c.kill('SIGTERM'); } catch { /* gone already */ }
    }
  });
}

/** How long a redis-server may take to exit after SIGTERM (it flushes its append-only file) before SIGKILL. */
export const STOP_GRACE_MS = 5000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

export interface RedisServerOptions {
  binary?: string;
  /**
   * The default user's password (requirepass). It goes to redis-server on its stdin, never on its command line,
   * which any local process can read in /proc.
   */
  password?: string;
  /** A fixed port (default: a free one). */
  port?: number;
  /**
   * A folder of its own that outlives it, with the append-only file there (fsync every second); default: no
   * persistence, in a temporary folder removed when it stops.
   */
  dataDir?: string;
  /** A file where redis-server writes its pid as it starts (before it loads its data) and that it removes on a clean shutdown. */
  pidFile?: string;
}

/** Starts redis-server (see RedisServerOptions.dataDir for persistence); rejects with RedisServerMissingError if absent. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = opts.port ?? await freePort();
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'klambda-redis-'));
  const removeDir = () => { if (!opts.dataDir) rmSync(dir, { recursive: true, force: true }); };
  const persistence = opts.dataDir ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
  const child: ChildProcess = spawn(
    opts.binary ?? 'redis-server',
    // "-" reads more configuration from stdin
    ['-', '--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir,
      ...(opts.pidFile ? ['--pidfile', opts.pidFile] : [])],
    // Its own process group: a terminal's Ctrl-C signals the whole foreground group, and a Redis that died with it
    // would leave klambda stopping its agents and connections against a dead server (ioredis reconnect errors, agents
    // that wait out their retries). klambda stops it itself, last.
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  track(child);
  const gone = new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.once('error', () => resolve()); });
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(opts.password ? `requirepass "${opts.password}"\n` : '');
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new RedisServerMissingError() : err));
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited early with code ${code}`)));
  });
  const ready = (async () => {
    for (let i = 0; i < 200; i++) {
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not listen on port ${port} within 5 s`);
  })();
  try {
    await Promise.race([ready, spawnError, exited]);
  } catch (err) {
    child.kill('SIGKILL');
    await gone;
    removeDir();
    throw err;
  }
  exited.catch(() => undefined);
  return {
    url: opts.password ? `redis://:${encodeURIComponent(opts.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    exited: gone,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // a server stuck in its shutdown must not hold klambda's exit: what it had written by then is in the file
        const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await gone;
        clearTimeout(kill);
      }
      await gone;
      removeDir();
    },
  };
}
