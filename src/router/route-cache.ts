// The router's in-memory copy of the routing table: loaded from Redis, kept current through pub/sub and a periodic reload.
import type { ArnContext, FunctionNameRef } from '../core/arn.js';
import type { Logger } from '../core/logger.js';
import type { FunctionRegistry, ResolvedTarget } from '../core/registry.js';
import { resolveRoute, type RouteEntry } from '../core/routes.js';
import type { RedisConnection } from '../queue/connection.js';
import { DEFAULT_KEY_PREFIX, routeChannel } from '../queue/keys.js';
import { routeName, RoutingTable } from '../queue/routing-table.js';

export interface RouteCacheOptions {
  /** Reads and the periodic reload. */
  commands: RedisConnection;
  /** A connection of its own, put in subscriber mode. */
  subscriber: RedisConnection;
  keyPrefix?: string;
  namespace: string;
  arn: ArnContext;
  logger: Logger;
  /** A full reload this often, in case a change message was missed (default 30 s). */
  reloadMs?: number;
}

export class RouteCache implements FunctionRegistry {
  private entries = new Map<string, RouteEntry>();
  private readonly table: RoutingTable;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly opts: RouteCacheOptions) {
    this.table = new RoutingTable(opts.commands, opts.keyPrefix ?? DEFAULT_KEY_PREFIX);
  }

  static async start(opts: RouteCacheOptions): Promise<RouteCache> {
    const cache = new RouteCache(opts);
    // subscribe before the first load so that no change falls between the two
    opts.subscriber.on('message', (_channel: string, name: string) => { void cache.refresh(name); });
    await opts.subscriber.subscribe(routeChannel(opts.keyPrefix ?? DEFAULT_KEY_PREFIX));
    await cache.reload();
    cache.timer = setInterval(() => { void cache.reload().catch((e: unknown) => opts.logger.warn({ msg: 'routing table reload failed', error: String(e) })); }, opts.reloadMs ?? 30_000);
    cache.timer.unref();
    return cache;
  }

  resolve(ref: FunctionNameRef, random: number): ResolvedTarget {
    return resolveRoute(this.entries.get(routeName(this.opts.namespace, ref.name)), this.opts.namespace, ref, random, this.opts.arn);
  }

  /** The functions of one namespace, as a caller of that namespace's account resolves them (one router serves all). */
  registryFor(namespace: string, arn: ArnContext): FunctionRegistry {
    return { resolve: (ref, random) => resolveRoute(this.entries.get(routeName(namespace, ref.name)), namespace, ref, random, arn) };
  }

  entry(namespace: string, functionName: string): RouteEntry | undefined {
    return this.entries.get(routeName(namespace, functionName));
  }

  all(): ReadonlyMap<string, RouteEntry> { return this.entries; }

  async reload(): Promise<void> {
    this.entries = await this.table.readAll();
  }

  private async refresh(name: string): Promise<void> {
    const slash = name.indexOf('/');
    try {
      const entry = await this.table.read(name.slice(0, slash), name.slice(slash + 1));
      if (entry) this.entries.set(name, entry); else this.entries.delete(name);
    } catch (e) {
      this.opts.logger.warn({ msg: 'routing table entry not refreshed', function: name, error: String(e) });
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.opts.subscriber.disconnect();
  }
}
