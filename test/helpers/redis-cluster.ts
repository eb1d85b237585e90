// Test helper: a real Redis Cluster — 3 masters and a replica each, redis-server processes on free loopback ports.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** One redis-server of the cluster, as CLUSTER NODES and INFO see it now. */
export interface ClusterNodeInfo {
  port: number;
  role: 'master' | 'replica';
  /** The master's port, for a replica. */
  masterPort?: number;
  /** Hash slots it serves (masters). */
  slots: Array<[number, number]>;
}

export interface RedisClusterHandle {
  /** `redis+cluster://127.0.0.1:P1?addr=127.0.0.1:P2&…`: every node as a seed. */
  url: string;
  ports: number[];
  /** A plain connection to one node (the caller closes it). */
  node(port: number): Redis;
  /** Every node's role and slots, from a node that is up. */
  topology(): Promise<ClusterNodeInfo[]>;
  /** The master serving `slot` now. */
  masterOf(slot: number): Promise<number>;
  /** SIGKILLs a node; resolves once the process is gone. */
  kill(port: number): Promise<void>;
  /** Starts a killed node again with its own nodes.conf: it rejoins (a former master as a replica), with no data of its own. */
  restart(port: number): Promise<void>;
  /** SIGSTOPs a node (it answers nothing, replicates nothing) until resume; resolves once it is stopped. */
  pause(port: number): Promise<void>;
  resume(port: number): void;
  /** Resolves when every running node says cluster_state:ok, knows all 6 nodes and sees all 16384 slots served, and every replica has synced with its master. */
  untilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NODES = 6;

/** A free port whose cluster bus port (+10000) is free too. */
async function freeClusterPort(): Promise<number> {
  const bind = (port: number) => new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
  for (;;) {
    const port = await bind(0);
    if (port + 10000 > 65535) continue;
    try { await bind(port + 10000); return port; } catch { /* its bus port is taken: another */ }
  }
}

function parseNodes(text: string): ClusterNodeInfo[] {
  const lines = text.trim().split('\n').map((l) => l.split(' '));
  const portOf = new Map(lines.map((f) => [f[0]!, Number(/:(\d+)@/.exec(f[1]!)?.[1])]));
  return lines.filter((f) => !f[2]!.includes('fail') && !f[2]!.includes('noaddr')).map((f) => {
    const replica = f[2]!.includes('slave');
    const slots = f.slice(8).filter((s) => /^\d/.test(s)).map((s) => {
      const [a, b] = s.split('-').map(Number);
      return [a!, b ?? a!] as [number, number];
    });
    return {
      port: portOf.get(f[0]!)!, role: replica ? 'replica' : 'master', slots,
      ...(replica ? { masterPort: portOf.get(f[3]!)! } : {}),
    };
  });
}

/** Starts 6 redis-server --cluster-enabled, creates the cluster (3 masters, 1 replica each) and waits until it is healthy. */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-redis-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < NODES; i++) {
    let p = await freeClusterPort();
    while (ports.includes(p)) p = await freeClusterPort();
    ports.push(p);
  }
  const procs = new Map<number, { child: ChildProcess; gone: Promise<void> }>();
  const start = async (port: number): Promise<void> => {
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-node-timeout', '1000',
      '--cluster-config-file', `nodes-${port}.conf`, '--appendonly', 'no', '--save', '', '--dir', dir,
      '--logfile', `redis-${port}.log`, '--repl-diskless-sync-delay', '0',
    ], { stdio: 'ignore' });
    const gone = new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.once('error', () => resolve()); });
    procs.set(port, { child, gone });
    await waitFor(async () => {
      const r = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      r.on('error', () => undefined);
      try { await r.connect(); return (await r.ping()) === 'PONG' || undefined; } catch { return undefined; } finally { r.disconnect(); }
    }, 10_000, `redis-server on port ${port}`);
  };
  const node = (port: number): Redis => {
    const r = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    r.on('error', () => undefined);
    return r;
  };
  const ask = async <T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> => {
    const r = node(port);
    try { return await fn(r); } finally { r.disconnect(); }
  };
  const running = () => ports.filter((p) => procs.get(p)?.child.exitCode === null && procs.get(p)?.child.signalCode === null);
  const topology = async (): Promise<ClusterNodeInfo[]> => {
    for (const p of running()) {
      try { return parseNodes(await ask(p, (r) => r.call('CLUSTER', 'NODES') as Promise<string>)); } catch { /* the next one */ }
    }
    throw new Error('no node of the cluster answers');
  };
  const healthy = async (): Promise<true | undefined> => {
    for (const p of running()) {
      const info = await ask(p, (r) => r.call('CLUSTER', 'INFO') as Promise<string>).catch(() => '');
      if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${NODES}`) || !info.includes('cluster_slots_ok:16384')) return undefined;
      // a replica can take over its master's slots only once it has synced with it
      const replication = await ask(p, (r) => r.info('replication')).catch(() => '');
      if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return undefined;
    }
    return true;
  };
  const killAll = () => {
    for (const { child } of procs.values()) if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); child.kill('SIGCONT'); }
  };
  // a test process that exits without stop() (a failure in beforeAll, a forced exit) leaves no redis-server behind
  process.once('exit', killAll);
  const stop = async () => {
    process.off('exit', killAll);
    killAll();
    await Promise.all([...procs.values()].map((p) => p.gone));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map(start));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes']);
    await waitFor(healthy, 30_000, 'the Redis Cluster to be healthy', 100);
  } catch (err) {
    await stop();
    throw err;
  }
  const [first, ...rest] = ports;
  return {
    url: `redis+cluster://127.0.0.1:${first}?${rest.map((p) => `addr=127.0.0.1:${p}`).join('&')}`,
    ports,
    node,
    topology,
    masterOf: async (slot) => {
      const m = (await topology()).find((n) => n.role === 'master' && n.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!m) throw new Error(`no master serves slot ${slot}`);
      return m.port;
    },
    kill: async (port) => {
      const p = procs.get(port);
      if (!p) throw new Error(`no node on port ${port}`);
      p.child.kill('SIGKILL');
      await p.gone;
    },
    restart: (port) => start(port),
    pause: async (port) => {
      const { child } = procs.get(port)!;
      child.kill('SIGSTOP');
      const state = () => / T /.test(readFileSync(`/proc/${child.pid}/stat`, 'latin1').replace(/^.*\)/, ')'));
      await waitFor(() => state() || undefined, 5000, `redis-server on port ${port} to stop`, 5);
    },
    resume: (port) => { procs.get(port)!.child.kill('SIGCONT'); },
    untilHealthy: (timeoutMs = 30_000) => waitFor(healthy, timeoutMs, 'the Redis Cluster to be healthy', 100).then(() => undefined),
    stop,
  };
}
