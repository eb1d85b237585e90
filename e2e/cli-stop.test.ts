// How `klambda dev` ends: Ctrl-C stops it cleanly with nothing left running, and a busy port is one clear line. Killed
// with SIGKILL, it leaves its Redis running on the folder's data; the next klambda on the folder stops that one first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Redis } from 'ioredis';
import { jsonLogger } from '../src/core/logger.js';
import { packageRoot } from '../src/core/package-root.js';
import { startRedisServer } from '../src/local/redis-server.js';
import { startSupervisedRedis } from '../src/local/supervised-redis.js';
import { fn, waitFor } from './helpers/local.js';

const cli = join(packageRoot(), 'dist', 'cli', 'main.js');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Both streams, in the order they came. */
  output: () => string;
  /** The exit code, once the process has exited and its output has all been read. */
  done: Promise<number | null>;
}

/**
 * Runs the CLI as the leader of its own process group, as a shell runs a command in a terminal; without REDIS_URL,
 * so that it starts its own Redis (the one that must not outlive it).
 */
function run(args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  let all = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); all += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); all += d.toString(); });
  const done = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, output: () => all, done };
}

interface Proc { pid: number; ppid: number; start: string; state: string; cmdline: string; cwd: string }

/** Every process on the machine, from /proc (one that ends while being read is skipped). */
function processes(): Proc[] {
  const list: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // the fields after "(comm)", which may itself hold spaces and parentheses
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      let cwd = '';
      try { cwd = readlinkSync(`/proc/${name}/cwd`); } catch { /* a zombie has none */ }
      list.push({
        pid: Number(name), state: fields[0]!, ppid: Number(fields[1]), start: fields[19]!,
        cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim(), cwd,
      });
    } catch {
      // it ended meanwhile
    }
  }
  return list;
}

/** A zombie has ended; it only waits for a parent (here, an init that may never reap) to collect its status. */
const running = (p: Proc): boolean => p.state !== 'Z' && p.state !== 'X';

function descendants(root: number, all: Proc[]): Proc[] {
  const found: Proc[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (!parents.has(p.ppid) || parents.has(p.pid)) continue;
      parents.add(p.pid);
      found.push(p);
      grew = true;
    }
  }
  return found;
}

/**
 * Processes still running that belong to a klambda dev of `dir`: one seen in its tree before (same pid and start time,
 * so not a new process that got the pid again), or one working in the folder (klambda's Redis works in
 * `dir/.klambda/redis`, runtimes in `dir/.klambda/code/…`) or naming it on its command line.
 */
function leftovers(dir: string, seen: Proc[] = []): Proc[] {
  const before = new Set(seen.map((p) => `${p.pid}/${p.start}`));
  return processes().filter((p) => running(p)
    && (before.has(`${p.pid}/${p.start}`) || p.cwd === dir || p.cwd.startsWith(dir + sep) || p.cmdline.includes(dir)));
}

function functionFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-cli-stop-'));
  writeFileSync(join(dir, 'hi.yaml'), fn('hi', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (e) => ({ hi: e.name });' }));
  return dir;
}

const describeIfProc = process.platform === 'linux' ? describe : describe.skip;

describeIfProc('klambda dev stopping', () => {
  let dir: string;
  let p: Run | undefined;
  let busy: Server | undefined;
  beforeEach(() => { dir = functionFolder(); });
  afterEach(() => {
    // a failed test must not leave its klambda running: the whole group (its agents have groups of their own and
    // see their parent go)
    if (p && p.child.exitCode === null && p.child.signalCode === null) {
      try { process.kill(-p.child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    p = undefined;
    busy?.close();
    busy = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops on Ctrl-C (SIGINT to its process group) with exit code 0, no error output and no process left', async () => {
    const run1 = run(['dev', dir, '--port', '0']);
    p = run1;
    const url = (await waitFor(() => run1.output().match(/klambda listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], 20_000, 'listening')
      .catch(() => { throw new Error(`not listening:\n${run1.output()}`); }));
    const res = await fetch(`${url}/2015-03-31/functions/hi/invocations`, { method: 'POST', body: '{"name":"you"}', headers: { 'Content-Type': 'application/json' } });
    expect(await res.json()).toEqual({ hi: 'you' });
    await waitFor(() => run1.output().match(/\[hi:\$LATEST\] REPORT RequestId: /) ?? undefined, 20_000, 'the REPORT line');

    // what runs now: klambda's Redis, the version's agent and its runtime
    const tree = descendants(run1.child.pid!, processes()).filter(running);
    expect(tree.filter((q) => q.cwd === join(dir, '.klambda', 'redis'))).toHaveLength(1);
    expect(tree.some((q) => q.cmdline.includes(join('agent', 'main.js')))).toBe(true);
    expect(tree.some((q) => q.cwd.startsWith(join(dir, '.klambda', 'code') + sep))).toBe(true);

    const before = run1.output().length;
    // a terminal's Ctrl-C: SIGINT to every process of the foreground group, not to klambda alone
    process.kill(-run1.child.pid!, 'SIGINT');
    expect(await run1.done).toBe(0);
    const after = run1.output().slice(before);
    expect(after).toContain('klambda stopping (SIGINT)');
    expect(after.split('\n').filter((line) => /error|ECONNREFUSED|Error:/i.test(line))).toEqual([]);
    // klambda waited for each of them to exit before it did
    expect(leftovers(dir, tree).map((q) => `${q.pid} ${q.cmdline}`)).toEqual([]);
  }, 60_000);

  it('stops cleanly on a SIGTERM that comes while it starts (its Redis up, not listening yet): exit 0, nothing left', async () => {
    const run3 = run(['dev', dir, '--port', '0']);
    p = run3;
    // the moment its own Redis runs in the folder, before the API listens
    await waitFor(() => (processes().some((q) => running(q) && q.cwd === join(dir, '.klambda', 'redis')) ? true : undefined), 20_000, 'its Redis running');
    process.kill(run3.child.pid!, 'SIGTERM');
    expect(await run3.done).toBe(0);
    expect(run3.output()).toContain('klambda stopping (SIGTERM)');
    expect(leftovers(dir).map((q) => `${q.pid} ${q.cmdline}`)).toEqual([]);
  }, 40_000);

  it('on a port in use says so in one line on stderr, exits 1 and leaves no redis-server behind', async () => {
    busy = createServer();
    const server = busy;
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    const run2 = run(['dev', dir, '--port', String(port)]);
    p = run2;
    expect(await run2.done).toBe(1);
    const lines = run2.stderr().split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`port ${port}`);
    expect(lines[0]).toContain('--port');
    expect(leftovers(dir).map((q) => `${q.pid} ${q.cmdline}`)).toEqual([]);
  }, 40_000);
});

/** The redis-servers running in `dataDir` (redis works in its --dir, and its command line starts with its name). */
const redisServersIn = (dataDir: string): Proc[] =>
  processes().filter((q) => running(q) && q.cwd === dataDir && q.cmdline.startsWith('redis-server'));

/** Whether the process seen as `p` (same pid and start time) still runs. */
const stillRuns = (p: Proc): boolean => processes().some((q) => running(q) && q.pid === p.pid && q.start === p.start);

const logLines = (): { logger: ReturnType<typeof jsonLogger>; lines: string[] } => {
  const lines: string[] = [];
  return { logger: jsonLogger({ write: (line: string) => lines.push(line) }), lines };
};

describeIfProc('klambda killed with SIGKILL', () => {
  let dir: string;
  let dataDir: string;
  let p: Run | undefined;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = functionFolder();
    dataDir = join(dir, '.klambda', 'redis');
  });
  afterEach(() => {
    if (p && p.child.exitCode === null && p.child.signalCode === null) {
      try { process.kill(-p.child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    p = undefined;
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    // an orphan a failed test left in its folder
    for (const q of leftovers(dir)) {
      try { process.kill(q.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves its Redis running; the next klambda dev on the folder stops that one first, says so, and runs on one', async () => {
    const run1 = run(['dev', dir, '--port', '0']);
    p = run1;
    await waitFor(() => run1.output().match(/klambda listening on /)?.[0], 20_000, 'listening')
      .catch(() => { throw new Error(`not listening:\n${run1.output()}`); });
    const [orphan] = redisServersIn(dataDir);
    expect(orphan).toBeDefined();
    expect(readFileSync(join(dataDir, 'redis.pid'), 'utf8').trim()).toBe(String(orphan!.pid));
    process.kill(run1.child.pid!, 'SIGKILL');
    await run1.done;
    // in a process group of its own, nothing ended it
    expect(redisServersIn(dataDir).map((q) => q.pid)).toEqual([orphan!.pid]);

    const run2 = run(['dev', dir, '--port', '0']);
    p = run2;
    const url = await waitFor(() => run2.output().match(/klambda listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], 20_000, 'listening again')
      .catch(() => { throw new Error(`not listening:\n${run2.output()}`); });
    expect(stillRuns(orphan!)).toBe(false);
    const now = redisServersIn(dataDir);
    expect(now).toHaveLength(1);
    expect(run2.output().split('\n').filter((line) => line.includes('stopped an orphaned redis-server'))).toHaveLength(1);
    expect(run2.output()).not.toContain('keeps its queues in memory only');
    const res = await fetch(`${url}/2015-03-31/functions/hi/invocations`, { method: 'POST', body: '{"name":"again"}', headers: { 'Content-Type': 'application/json' } });
    expect(await res.json()).toEqual({ hi: 'again' });

    process.kill(-run2.child.pid!, 'SIGINT');
    expect(await run2.done).toBe(0);
    expect(leftovers(dir, now).map((q) => `${q.pid} ${q.cmdline}`)).toEqual([]);
    // a clean stop leaves no pid file behind
    expect(existsSync(join(dataDir, 'redis.pid'))).toBe(false);
  }, 60_000);

  it('keeps what was written through the killed one\'s Redis: the next owner stops it, then loads its append-only file', async () => {
    // the owner in a process of its own, so that it can be SIGKILLed
    const owner = spawn(process.execPath, ['--input-type=module', '-e', `
      const { startSupervisedRedis } = await import(${JSON.stringify(join(packageRoot(), 'dist', 'local', 'supervised-redis.js'))});
      const { silentLogger } = await import(${JSON.stringify(join(packageRoot(), 'dist', 'core', 'logger.js'))});
      const r = await startSupervisedRedis({ dataDir: process.argv[1], password: 'first', logger: silentLogger });
      process.stdout.write(JSON.stringify({ url: r.url, pid: r.pid(), persistent: r.persistent }) + '\\n');
      setInterval(() => undefined, 60_000);
    `, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(owner);
    let out = '';
    owner.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const first = await waitFor(() => (out.includes('\n') ? JSON.parse(out.split('\n')[0]!) as { url: string; pid: number; persistent: boolean } : undefined), 20_000, 'the owner\'s Redis');
    expect(first.persistent).toBe(true);
    const client = new Redis(first.url);
    await client.set('accepted', 'before the kill');
    client.disconnect();

    const ownerGone = new Promise((resolve) => owner.once('exit', resolve));
    owner.kill('SIGKILL');
    await ownerGone;
    const [orphan] = redisServersIn(dataDir);
    expect(orphan?.pid).toBe(first.pid);

    const { logger, lines } = logLines();
    const next = await startSupervisedRedis({ dataDir, password: 'second', logger });
    try {
      expect(next.persistent).toBe(true);
      expect(stillRuns(orphan!)).toBe(false);
      expect(redisServersIn(dataDir).map((q) => q.pid)).toEqual([next.pid()]);
      expect(lines.filter((line) => line.includes('stopped an orphaned redis-server') && line.includes(`"pid":${first.pid}`))).toHaveLength(1);
      const again = new Redis(next.url);
      try {
        expect(await again.get('accepted')).toBe('before the kill');
      } finally {
        again.disconnect();
      }
    } finally {
      await next.stop();
    }
    expect(redisServersIn(dataDir)).toEqual([]);
  }, 60_000);

  it('leaves alone a live process that redis.pid names but that is not a redis-server on this folder', async () => {
    mkdirSync(dataDir, { recursive: true });
    // in the folder, but not a redis-server
    const sleeper = spawn('sleep', ['600'], { cwd: dataDir, stdio: 'ignore' });
    children.push(sleeper);
    // a redis-server, on another folder
    const otherDir = join(dir, 'other-redis');
    mkdirSync(otherDir);
    const other = await startRedisServer({ dataDir: otherDir });
    try {
      const sleeperSeen = await waitFor(() => processes().find((q) => q.pid === sleeper.pid && q.cmdline.startsWith('sleep')), 5000, 'sleep running');
      const [otherSeen] = redisServersIn(otherDir);
      expect(otherSeen?.pid).toBe(other.pid);
      for (const named of [sleeperSeen, otherSeen!]) {
        writeFileSync(join(dataDir, 'redis.pid'), String(named.pid));
        const { logger, lines } = logLines();
        const next = await startSupervisedRedis({ dataDir, password: 'x', logger });
        try {
          expect(next.persistent).toBe(true);
          expect(lines.filter((line) => line.includes('orphaned'))).toEqual([]);
          expect(redisServersIn(dataDir).map((q) => q.pid)).toEqual([next.pid()]);
        } finally {
          await next.stop();
        }
        expect(stillRuns(named)).toBe(true);
      }
    } finally {
      await other.stop();
    }
  }, 60_000);
});
