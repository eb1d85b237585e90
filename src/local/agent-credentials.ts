// The local mode's agent credentials: one Redis ACL user per function version, with a password kept in memory only.
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import { newPassword, redisUrlFor } from '../queue/acl.js';
import { AgentUsers } from '../queue/agent-users.js';
import type { RedisConnection } from '../queue/connection.js';
import { queueName } from '../queue/keys.js';

export class LocalAgentCredentials {
  private readonly users: AgentUsers;
  private readonly urls = new Map<string, Promise<string>>();
  private readonly made = new Map<string, { ref: QueueRef; password: string }>();
  private unsupported: string | undefined;

  /** `admin` may run ACL SETUSER; `baseUrl` is the server the agents reach (its credentials are not handed on). */
  constructor(admin: RedisConnection, private readonly baseUrl: string, keyPrefix: string, private readonly logger: Logger) {
    this.users = new AgentUsers(admin, keyPrefix);
  }

  /** The URL a version's agents connect with: their own user, created on first use. */
  urlFor(ref: QueueRef): Promise<string> {
    const key = queueName(ref);
    let url = this.urls.get(key);
    if (!url) {
      url = this.create(ref);
      this.urls.set(key, url);
      url.catch(() => this.urls.delete(key));
    }
    return url;
  }

  /** Deletes every user this process created. */
  async removeAll(): Promise<void> {
    const made = [...this.made.values()];
    this.urls.clear();
    this.made.clear();
    await Promise.allSettled(made.map(({ ref }) => this.users.remove(ref)));
  }

  /** Makes every user again with its password (a Redis that restarted has its data, not its ACL users). */
  async restore(): Promise<void> {
    const results = await Promise.allSettled([...this.made.values()].map(({ ref, password }) => this.users.ensure(ref, [password])));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.logger.error({ msg: 'agent users not restored after a Redis restart', failed });
  }

  private async create(ref: QueueRef): Promise<string> {
    if (this.unsupported) return this.baseUrl;
    const password = newPassword();
    try {
      const user = await this.users.ensure(ref, [password]);
      this.made.set(queueName(ref), { ref, password });
      return redisUrlFor(this.baseUrl, user, password);
    } catch (err) {
      // Redis unreachable for a moment (restarting): no URL now, and the next start asks again. Never fall back on
      // klambda's own rights for that: it would unseal the versions until klambda exits.
      if (!aclRefused(err)) throw err;
      // A Redis without ACLs (before 6) or a URL whose user may not run ACL: the agents share klambda's own
      // connection rights. Said loudly, once: functions are then not sealed from each other's queues.
      this.unsupported = err instanceof Error ? err.message : String(err);
      this.logger.warn({ msg: 'cannot create Redis ACL users for the agents; they use klambda\'s own Redis URL, so versions are not isolated in Redis', error: this.unsupported });
      return this.baseUrl;
    }
  }
}

/** Redis refused ACL itself (a server before 6: unknown command; a user without the right: NOPERM), not a passing failure. */
export function aclRefused(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /^ERR unknown command|^ERR unknown subcommand|^NOPERM/i.test(message);
}
