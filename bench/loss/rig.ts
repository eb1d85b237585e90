// One mode of a loss test: its work folder, its own Redis (append-only, `fsync`) and `klambda dev` on it as child
// processes, a monitoring connection, and a cleanup that runs once, whether the mode ends, fails or is interrupted.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/local/redis-server.js';
import { KlambdaProc } from './klambda-proc.js';
import { RedisProc, type Fsync } from './redis-proc.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The cleanups of the modes under way, for SIGINT and SIGTERM to run. */
export type Cleanups = Array<() => Promise<void>>;

/**
 * klambda's environment: this one, without a REDIS_URL, and with the async clock sped up where the code has one, so a
 * retry (1 min, then 2 min on Lambda) comes within the run. Not too fast: the clock also shortens the maximum event age
 * (21600 s), and an event waiting in the backlog longer than 21600 s / scale would be dropped as too old; 10 gives
 * retries after 6 s and 12 s and an event age of 36 min, longer than any run.
 */
export function klambdaEnv(root: string, scale: number): { env: NodeJS.ProcessEnv; asyncTimeScale?: number } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.REDIS_URL;
  delete env.KLAMBDA_ASYNC_TIME_SCALE;
  if (!existsSync(join(root, 'dist', 'core', 'async-policy.js'))) return { env };
  env.KLAMBDA_ASYNC_TIME_SCALE = String(scale);
  return { env, asyncTimeScale: scale };
}

export interface RigOptions {
  /** Names the temp folder: klambda-<bench>-<fsync>-… */
  bench: string;
  fsync: Fsync;
  /** The package whose klambda runs. */
  root: string;
  maxEnvironments: number;
  asyncTimeScale: number;
  /** Keep the work folder (klambda's logs, the records, Redis's AOF) after cleanup. */
  keep: boolean;
  /** Writes the manifests into `folder`; the function records into `outDir`. */
  writeFolder(folder: string, outDir: string): void;
}

export class Rig {
  /** fn/ the manifests, out/ the records (writable by the runtime's user), redis/ Redis's files, klambda-<n>.log. */
  readonly work: string;
  readonly folder: string;
  readonly outDir: string;
  readonly redis: RedisProc;
  readonly klambda: KlambdaProc;
  /** The async clock's scale, if this klambda has one. */
  readonly asyncTimeScale: number | undefined;
  private monitor: Redis | undefined;
  private readonly before: Array<() => Promise<void> | void> = [];
  private cleaned: Promise<void> | undefined;

  private constructor(private readonly o: RigOptions, port: number) {
    this.work = mkdtempSync(join(tmpdir(), `klambda-${o.bench}-${o.fsync}-`));
    this.outDir = join(this.work, 'out');
    mkdirSync(this.outDir);
    chmodSync(this.outDir, 0o1777); // the runtime runs as another user
    mkdirSync(join(this.work, 'redis'));
    this.folder = join(this.work, 'fn');
    o.writeFolder(this.folder, this.outDir);
    const { env, asyncTimeScale } = klambdaEnv(o.root, o.asyncTimeScale);
    this.asyncTimeScale = asyncTimeScale;
    this.redis = new RedisProc(port, join(this.work, 'redis'), o.fsync, randomBytes(12).toString('hex'));
    this.klambda = new KlambdaProc({ root: o.root, folder: this.folder, redisUrl: this.redis.url, logDir: this.work, maxEnvironments: o.maxEnvironments, env });
  }

  /**
   * Makes the rig, runs `run` on it and cleans up after it; the cleanup is in `cleanups` meanwhile. `run` names with
   * beforeCleanup what of its own to stop first (the chaos, the clients).
   */
  static async run<R>(o: RigOptions, cleanups: Cleanups, run: (rig: Rig) => Promise<R>): Promise<R> {
    const rig = new Rig(o, await freePort());
    const cleanup = () => rig.cleanup();
    cleanups.push(cleanup);
    try {
      return await run(rig);
    } finally {
      cleanups.splice(cleanups.indexOf(cleanup), 1);
      await cleanup();
    }
  }

  /** Starts Redis, then klambda; answers a connection to Redis for watching it that rides out its restarts. */
  async start(): Promise<Redis> {
    await this.redis.start();
    await this.klambda.start();
    const monitor = new Redis(this.redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    monitor.on('error', () => undefined);
    this.monitor = monitor;
    return monitor;
  }

  /** `step` runs at cleanup, before klambda and Redis are stopped, in the order given. */
  beforeCleanup(step: () => Promise<void> | void): void {
    this.before.push(step);
  }

  /** Stops everything once, SIGKILLs any agent or runtime left over, and removes the work folder unless kept. */
  cleanup(): Promise<void> {
    return (this.cleaned ??= (async () => {
      for (const step of this.before) await Promise.resolve().then(step).catch(() => undefined);
      await this.klambda.stop().catch(() => undefined);
      const leftovers = this.klambda.killLeftovers();
      if (leftovers > 0) log(`[cleanup] ${leftovers} orphaned agent or runtime processes SIGKILLed`);
      this.monitor?.disconnect();
      await this.redis.stop().catch(() => undefined);
      if (this.o.keep) log(`[cleanup] kept ${this.work}`); else rmSync(this.work, { recursive: true, force: true });
    })());
  }
}
