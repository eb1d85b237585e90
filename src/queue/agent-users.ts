// Creates, updates and deletes the Redis ACL users of function versions' agents (the I/O side of acl.ts).
import type { Redis } from 'ioredis';
import type { QueueRef } from '../core/queue-contract.js';
import { agentAclRules, agentUserName } from './acl.js';
import { addressOf, serversOf, type RedisConnection } from './connection.js';
import { DEFAULT_KEY_PREFIX } from './keys.js';

/**
 * Each Redis server keeps its own ACL users: on a Redis Cluster every change goes to every node the client knows,
 * masters and replicas (a replica promoted by a failover must already know the agents). A node that restarts or
 * joins later gets them from `ensure` again (the controller's RedisRestartWatch, the local mode's restore).
 */
export class AgentUsers {
  /** `admin` is a connection whose user may run ACL (the controller's, or the local mode's own Redis). */
  constructor(private readonly admin: RedisConnection, readonly keyPrefix: string = DEFAULT_KEY_PREFIX) {}

  userName(ref: QueueRef): string {
    return agentUserName(ref, this.keyPrefix);
  }

  /** Creates or resets the version's user with exactly these passwords and the agent's rules, on every node. Idempotent. */
  async ensure(ref: QueueRef, passwords: readonly string[]): Promise<string> {
    const name = this.userName(ref);
    await this.onEveryServer('ACL SETUSER', (s) => s.call('ACL', 'SETUSER', name, ...agentAclRules(ref, passwords, this.keyPrefix)));
    return name;
  }

  /** Deletes the user on every node; its open connections are closed by Redis. */
  async remove(ref: QueueRef): Promise<void> {
    await this.onEveryServer('ACL DELUSER', (s) => s.call('ACL', 'DELUSER', this.userName(ref)));
  }

  /** Every agent user under this prefix that any node has (for cleanup). */
  async list(): Promise<string[]> {
    const mine = `${this.keyPrefix}-agent:`;
    const all = new Set<string>();
    await this.onEveryServer('ACL USERS', async (s) => {
      for (const u of (await s.call('ACL', 'USERS')) as string[]) if (u.startsWith(mine)) all.add(u);
    });
    return [...all].sort();
  }

  /** Runs `step` on each server at once; fails naming the nodes that failed (the caller retries the whole step). */
  private async onEveryServer(what: string, step: (server: Redis) => Promise<unknown>): Promise<void> {
    const servers = await serversOf(this.admin);
    const results = await Promise.allSettled(servers.map(step));
    // one server: its own error, as it was
    if (servers.length === 1 && results[0]?.status === 'rejected') throw results[0].reason;
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${addressOf(servers[i]!)}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
    if (failed.length > 0) throw new Error(`${what} failed on ${failed.length} of ${servers.length} Redis nodes: ${failed.join('; ')}`);
  }
}
