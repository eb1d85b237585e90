// Turns a Redis URL into an ioredis connection: a Redis for redis:// and rediss://, a Cluster for redis+cluster://.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { keySlot } from './key-slot.js';

/**
 * A command connection to one Redis server or to a Redis Cluster. Both speak every command klambda sends (ioredis's
 * RedisCommander), scripts (defineCommand), MULTI and pipelines whose keys share one hash slot, blocking pops and
 * pub/sub (a connection of its own). What differs — duplicating, the nodes behind it — goes through this module.
 */
export type RedisConnection = Redis | Cluster;

/** A Redis URL, or a function that reads the current one (a mounted Secret that the controller rotates). */
export type RedisUrlSource = string | (() => string);

export interface RedisAddress { host: string; port: number }

/** A `redis+cluster://` URL taken apart. */
export interface ClusterUrl {
  /** Seed nodes: the URL's host, then each `addr` parameter. One reachable seed is enough: the client learns the rest. */
  nodes: RedisAddress[];
  username?: string;
  password?: string;
  tls: boolean;
}

/** URL schemes of a Redis Cluster; the value says whether it is TLS. */
const CLUSTER_SCHEMES: Readonly<Record<string, boolean>> = { 'redis+cluster:': false, 'rediss+cluster:': true };

/**
 * How a Cluster client rides out a failover. A master's death is noticed after cluster-node-timeout (15 s by default)
 * and its replica is elected within a second or two; meanwhile commands meet closed connections and CLUSTERDOWN.
 * ioredis retries each such command after a delay and a refresh of the slot map, at most maxRedirections times:
 * 128 × 250 ms ≈ 32 s, twice the default detection time.
 */
export const CLUSTER_FAILOVER_OPTIONS = {
  maxRedirections: 128,
  retryDelayOnFailover: 250,
  retryDelayOnClusterDown: 250,
  retryDelayOnTryAgain: 100,
  clusterRetryStrategy: (times: number): number => Math.min(100 * times, 2000),
} as const satisfies ClusterOptions;

/**
 * How often a cluster client reads the slot map again besides after a redirection or error: it finds promoted nodes
 * and replicas that Redis lists once they have data (replicasOf). Not ioredis's slotsRefreshInterval, whose loop
 * goes on after disconnect() when a refresh was in flight, keeping the process alive.
 */
export const SLOT_MAP_REFRESH_MS = 5000;

function refreshSlotMap(conn: Cluster): void {
  const timer = setInterval(() => { if (conn.status === 'ready') conn.refreshSlotsCache(); }, SLOT_MAP_REFRESH_MS);
  timer.unref();
  conn.once('end', () => clearInterval(timer));
}

const protocolOf = (url: string): string => /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase() ?? '';

export const isClusterUrl = (url: string): boolean => protocolOf(url) in CLUSTER_SCHEMES;

function address(text: string, what: string): RedisAddress {
  const colon = text.lastIndexOf(':');
  const host = (colon < 0 ? text : text.slice(0, colon)).replace(/^\[(.*)\]$/, '$1');
  const port = colon < 0 ? 6379 : Number(text.slice(colon + 1));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`${what} "${text}" is not host:port`);
  return { host, port };
}

/** Parses `redis+cluster://[user:password@]host:port[?addr=host:port&addr=…]` (`rediss+cluster://` for TLS); pure. */
export function parseClusterUrl(url: string): ClusterUrl {
  const tls = CLUSTER_SCHEMES[protocolOf(url)];
  if (tls === undefined) throw new RangeError('a Redis Cluster URL starts with redis+cluster:// or rediss+cluster://');
  const u = new URL(url);
  for (const name of new Set(u.searchParams.keys())) {
    if (name !== 'addr') throw new RangeError(`unknown parameter "${name}" in a Redis Cluster URL (only addr=host:port)`);
  }
  if (u.pathname && u.pathname !== '/') throw new RangeError('a Redis Cluster URL has no database path: a cluster has only database 0');
  const nodes = [
    ...(u.host ? [address(u.host, 'host')] : []),
    ...u.searchParams.getAll('addr').flatMap((a) => a.split(',')).filter(Boolean).map((a) => address(a, 'addr')),
  ];
  if (nodes.length === 0) throw new RangeError('a Redis Cluster URL names no node');
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  return { nodes, tls, ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/** The credentials of the current URL; those of the last readable one while the file is being rewritten. */
function credentialsReader(source: () => string): () => { username?: string; password?: string } {
  let last: { username?: string; password?: string } = {};
  return () => {
    try {
      const u = new URL(source());
      last = { username: decodeURIComponent(u.username) || undefined, password: decodeURIComponent(u.password) || undefined } as typeof last;
    } catch {
      // keep the credentials we had: the file may be in the middle of an update
    }
    return last;
  };
}

/**
 * Opens a connection for a URL: a Cluster for `redis+cluster://`, otherwise a Redis. `options` are a single server's
 * ioredis options; on a cluster they apply to each node's connection, and `enableReadyCheck`, `lazyConnect` and
 * `enableOfflineQueue` to the cluster client too. With a function as the source, the credentials of the current URL
 * are used on every (re)connect: a rotated password is picked up without a restart.
 */
export function connectRedis(source: RedisUrlSource, options: RedisOptions = {}): RedisConnection {
  const url = typeof source === 'string' ? source : source();
  if (!isClusterUrl(url)) {
    const conn = new Redis(url, options);
    if (typeof source !== 'string') {
      const read = credentialsReader(source);
      conn.on('reconnecting', () => {
        const { username, password } = read();
        conn.options.username = username;
        conn.options.password = password;
      });
    }
    return conn;
  }
  const target = parseClusterUrl(url);
  const redisOptions: RedisOptions = { ...options, ...(target.tls ? { tls: {} } : {}) };
  if (typeof source === 'string') {
    if (target.username) redisOptions.username = target.username;
    if (target.password) redisOptions.password = target.password;
  } else {
    // each node connection is made from redisOptions when the client (re)discovers the node: read the file then
    const read = credentialsReader(source);
    Object.defineProperty(redisOptions, 'username', { enumerable: true, get: () => read().username });
    Object.defineProperty(redisOptions, 'password', { enumerable: true, get: () => read().password });
  }
  const cluster = new Cluster(target.nodes, {
    ...CLUSTER_FAILOVER_OPTIONS,
    redisOptions,
    // CLUSTER INFO: an agent's user may not run it (nor INFO)
    enableReadyCheck: options.enableReadyCheck ?? true,
    lazyConnect: options.lazyConnect ?? false,
    enableOfflineQueue: options.enableOfflineQueue ?? true,
  });
  refreshSlotMap(cluster);
  return cluster;
}

/** A new connection to the same server or cluster, with the same credentials and these options on top. */
export function duplicateConnection(conn: RedisConnection, options: RedisOptions = {}): RedisConnection {
  if (conn instanceof Cluster) {
    const copy = conn.duplicate([], { redisOptions: { ...conn.options.redisOptions, ...options } });
    refreshSlotMap(copy);
    return copy;
  }
  return conn.duplicate(options);
}

export const isCluster = (conn: RedisConnection): conn is Cluster => conn instanceof Cluster;

/** Resolves once a cluster client has its slot map (at once for a single server); rejects after `timeoutMs`. */
export async function untilReady(conn: RedisConnection, timeoutMs = 10_000): Promise<void> {
  if (!(conn instanceof Cluster) || conn.status === 'ready') return;
  if (conn.status === 'wait') conn.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      conn.off('ready', onReady);
      conn.off('end', onEnd);
      if (err) reject(err); else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('the Redis Cluster connection was closed'));
    const timer = setTimeout(() => done(new Error(`the Redis Cluster was not ready within ${timeoutMs} ms`)), timeoutMs);
    conn.on('ready', onReady);
    conn.on('end', onEnd);
  });
}

/** One line of CLUSTER NODES, as far as klambda needs it. */
export interface ClusterNodeLine {
  host: string;
  port: number;
  master: boolean;
  /** Marked failing (`fail`), not yet part of the cluster (`handshake`) or without an address (`noaddr`). */
  unusable: boolean;
}

/** Parses CLUSTER NODES (pure). */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).flatMap((line) => {
    const [, address = '', flagText = ''] = line.split(' ');
    const m = /^(.*):(\d+)@\d+/.exec(address.split(',')[0] ?? '');
    const flags = flagText.split(',');
    const unusable = !m?.[1] || flags.some((f) => f === 'fail' || f === 'handshake' || f === 'noaddr');
    return [{ host: m?.[1] ?? '', port: Number(m?.[2] ?? 0), master: flags.includes('master'), unusable }];
  });
}

/** Connections of our own to cluster nodes the client does not keep one to (replicas it does not read from). */
const extraServers = new WeakMap<Cluster, Map<string, Redis>>();

function extraServer(conn: Cluster, host: string, port: number): Redis {
  let extras = extraServers.get(conn);
  if (!extras) {
    const made = new Map<string, Redis>();
    extras = made;
    extraServers.set(conn, made);
    // they go with the client (made again on the next call if it reconnects)
    const drop = () => { for (const r of made.values()) r.disconnect(); made.clear(); };
    conn.on('close', drop);
    conn.on('end', drop);
  }
  const address = `${host}:${port}`;
  let server = extras.get(address);
  // no reconnecting of its own: a connection that ended is made again by the next call that needs the node
  if (!server || server.status === 'end') {
    server = new Redis({ ...conn.options.redisOptions, host, port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    server.on('error', () => undefined); // a node that is down fails the call made on it
    extras.set(address, server);
  }
  return server;
}

/**
 * The servers behind a connection: itself, or every node of the cluster that CLUSTER NODES lists and does not mark
 * failing — masters and replicas (`master`: masters only). Per-node state (ACL users, INFO, KEYS, SCAN) goes through
 * this. The client's slot map is not enough: it leaves out a replica until the replica has replicated some data.
 */
export async function serversOf(conn: RedisConnection, role: 'all' | 'master' = 'all'): Promise<Redis[]> {
  if (!(conn instanceof Cluster)) return [conn];
  await untilReady(conn);
  const listed = parseClusterNodes((await conn.cluster('NODES')) as string).filter((n) => !n.unusable);
  const pool = new Map(conn.nodes('all').map((n) => [addressOf(n), n]));
  const extras = extraServers.get(conn);
  // forget nodes that left the cluster
  for (const [address, r] of extras ?? []) {
    if (!listed.some((n) => `${n.host}:${n.port}` === address)) { r.disconnect(); extras?.delete(address); }
  }
  return listed.filter((n) => role === 'all' || n.master)
    .map((n) => pool.get(`${n.host}:${n.port}`) ?? extraServer(conn, n.host, n.port));
}

/** How many replicas serve the slot of `key`, as the cluster client last saw it (0 on a single server). */
export function replicasOf(conn: RedisConnection, key: string): number {
  if (!(conn instanceof Cluster)) return 0;
  const nodes = conn.slots[keySlot(key)];
  return nodes ? Math.max(0, nodes.length - 1) : 0;
}

/**
 * WAIT for `replicas` replicas to have this connection's writes so far to the server of `key`'s slot, for up to
 * `timeoutMs`; resolves with how many did. On a cluster the WAIT goes in a pipeline behind a read of `key`, so the
 * client sends it over its connection to that slot's master: the one the writes went through (WAIT counts the writes
 * of the connection it is sent on).
 */
export async function waitForReplicas(conn: RedisConnection, key: string, replicas: number, timeoutMs: number): Promise<number> {
  if (!(conn instanceof Cluster)) return conn.wait(replicas, timeoutMs);
  const replies = await conn.pipeline().exists(key).wait(replicas, timeoutMs).exec();
  const [error, count] = replies?.[1] ?? [new Error('WAIT: no reply'), 0];
  if (error) throw error;
  return Number(count);
}

/** `host:port` of a server connection (a cluster node's name in logs). */
export const addressOf = (server: Redis): string => `${server.options.host ?? 'localhost'}:${server.options.port ?? 6379}`;

/**
 * False while a connection has lost its server and is trying again (reconnecting, closed, ended): a command now would
 * wait in ioredis's offline queue for the reconnect, so a caller is better told at once. A Cluster counts as up while
 * its client is (one master's failover is ridden out by the client itself).
 */
export const connectionDown = (conn: RedisConnection): boolean => ['reconnecting', 'close', 'end'].includes(conn.status);
