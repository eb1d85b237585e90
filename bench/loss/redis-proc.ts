// The loss test's own redis-server: append-only (always | everysec) in a folder of its own, SIGKILLed and started
// again on the same port, folder and password.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export type Fsync = 'always' | 'everysec';

export class RedisProc {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  starts = 0;

  constructor(readonly port: number, readonly dir: string, readonly fsync: Fsync, readonly password: string) {}

  get url(): string {
    return `redis://:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it and waits until it answers PING (after loading its append-only file). */
  async start(): Promise<void> {
    const log = openSync(join(this.dir, 'redis.log'), 'a');
    // "-": the password comes on stdin, never on a command line
    const child = spawn('redis-server', [
      '-', '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir,
      '--appendonly', 'yes', '--appendfsync', this.fsync,
    ], { stdio: ['pipe', log, log], detached: true });
    closeSync(log);
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(`requirepass "${this.password}"\n`);
    this.child = child;
    this.exited = new Promise((resolve) => { child.once('exit', () => resolve()); child.once('error', () => resolve()); });
    this.starts += 1;
    const until = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} (see ${this.dir}/redis.log)`);
      if (await this.pong()) return;
      if (Date.now() > until) throw new Error(`redis-server on ${this.port} did not answer PING in 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private async pong(): Promise<boolean> {
    const r = new Redis({ port: this.port, host: '127.0.0.1', password: this.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG'; // LOADING while it reads its file: an error, so not yet
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  }
}
