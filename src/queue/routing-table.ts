// The routing table in Redis: written by the controller, read (and followed through pub/sub) by every router.
import type { RedisConnection } from './connection.js';
import type { AliasRoute, FunctionRoute, RouteEntry, VersionRoute } from '../core/routes.js';
import { DEFAULT_KEY_PREFIX, routeChannel, routeIndexKey, routeKey } from './keys.js';
import { runScript } from './scripts.js';

const FN = 'fn';
const versionField = (v: string): string => `v:${v}`;
const aliasField = (a: string): string => `a:${a}`;

/** Parses one function's hash (pure). */
export function parseRouteHash(hash: Record<string, string>): RouteEntry {
  const entry: RouteEntry = { versions: {}, aliases: {} };
  for (const [field, value] of Object.entries(hash)) {
    const parsed = JSON.parse(value) as unknown;
    if (field === FN) entry.fn = parsed as FunctionRoute;
    else if (field.startsWith('v:')) entry.versions[field.slice(2)] = parsed as VersionRoute;
    else if (field.startsWith('a:')) entry.aliases[field.slice(2)] = parsed as AliasRoute;
  }
  return entry;
}

/** What a write did: changed the field, found it as it was, or found no route of the function to write under. */
export type SetResult = 'changed' | 'unchanged' | 'no-function';


export const routeName = (namespace: string, functionName: string): string => `${namespace}/${functionName}`;

/**
 * One hash per function, under the function's hash tag, and an index set of the functions that have one. On a Redis
 * Cluster the index is in another slot than the hashes, so no step writes both: a writer adds the function to the
 * index after writing its hash, and removeFunction takes it out of the index before deleting the hash. In every
 * interleaving a hash that exists is then in the index; the index may name a function whose hash is gone, which
 * readAll skips. The guarantee that matters is kept in one step on the hash alone: a version or alias route is
 * written only where its function's route exists (commands/setRoute-1.lua).
 */
export class RoutingTable {
  constructor(private readonly redis: RedisConnection, private readonly prefix: string = DEFAULT_KEY_PREFIX) {}

  setFunction(ns: string, fn: string, route: FunctionRoute): Promise<SetResult> { return this.set(ns, fn, FN, route, false); }
  /** Only under the function's route: a version reconciled after its function was deleted never brings it back. */
  setVersion(ns: string, fn: string, version: string, route: VersionRoute): Promise<SetResult> { return this.set(ns, fn, versionField(version), route, true); }
  /** Only under the function's route, as setVersion. */
  setAlias(ns: string, fn: string, alias: string, route: AliasRoute): Promise<SetResult> { return this.set(ns, fn, aliasField(alias), route, true); }
  removeVersion(ns: string, fn: string, version: string): Promise<boolean> { return this.remove(ns, fn, versionField(version)); }
  removeAlias(ns: string, fn: string, alias: string): Promise<boolean> { return this.remove(ns, fn, aliasField(alias)); }

  /** The function and everything routed under it: out of the index first, then its hash (see the class). */
  async removeFunction(ns: string, fn: string): Promise<void> {
    await this.redis.srem(routeIndexKey(this.prefix), routeName(ns, fn));
    await this.redis.multi()
      .del(routeKey(ns, fn, this.prefix))
      .publish(routeChannel(this.prefix), routeName(ns, fn))
      .exec();
  }

  async read(ns: string, fn: string): Promise<RouteEntry | undefined> {
    const hash = await this.redis.hgetall(routeKey(ns, fn, this.prefix));
    return Object.keys(hash).length === 0 ? undefined : parseRouteHash(hash);
  }

  /** Every function's table, by "ns/fn". The reads are sent together; on a cluster each goes to its hash's node. */
  async readAll(): Promise<Map<string, RouteEntry>> {
    const names = await this.redis.smembers(routeIndexKey(this.prefix));
    const hashes = await Promise.all(names.map((name) => {
      const slash = name.indexOf('/');
      return this.redis.hgetall(routeKey(name.slice(0, slash), name.slice(slash + 1), this.prefix));
    }));
    const out = new Map<string, RouteEntry>();
    names.forEach((name, i) => {
      const hash = hashes[i];
      if (hash && Object.keys(hash).length > 0) out.set(name, parseRouteHash(hash));
    });
    return out;
  }

  /**
   * Writes a field when it changed, in one step with the check that the function's route is there (`underFunction`;
   * commands/setRoute-1.lua); routers hear of it on the channel. Then the function goes in the index, also when
   * nothing changed: a write that stopped between the two steps is completed by the next one.
   */
  private async set(ns: string, fn: string, field: string, value: unknown, underFunction: boolean): Promise<SetResult> {
    const result = await runScript(this.redis, 'setRoute', [routeKey(ns, fn, this.prefix)],
      [field, JSON.stringify(value), routeChannel(this.prefix), routeName(ns, fn), underFunction ? '1' : '0']);
    if (result === -1) return 'no-function';
    await this.redis.sadd(routeIndexKey(this.prefix), routeName(ns, fn));
    return result === 1 ? 'changed' : 'unchanged';
  }

  private async remove(ns: string, fn: string, field: string): Promise<boolean> {
    const key = routeKey(ns, fn, this.prefix);
    const [[, removed] = []] = (await this.redis.multi().hdel(key, field).publish(routeChannel(this.prefix), routeName(ns, fn)).exec()) ?? [];
    return removed === 1;
  }
}
