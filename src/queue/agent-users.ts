// Creates, updates and deletes the Redis ACL users of function versions' agents (the I/O side of acl.ts).
import type { Redis } from 'ioredis';
import type { QueueRef } from '../core/queue-contract.js';
import { agentAclRules, agentUserName } from './acl.js';
import { DEFAULT_KEY_PREFIX } from './keys.js';

export class AgentUsers {
  /** `admin` is a connection whose user may run ACL (the controller's, or the local mode's own Redis). */
  constructor(private readonly admin: Redis, readonly keyPrefix: string = DEFAULT_KEY_PREFIX) {}

  userName(ref: QueueRef): string {
    return agentUserName(ref, this.keyPrefix);
  }

  /** Creates or resets the version's user with exactly these passwords and the agent's rules. Idempotent. */
  async ensure(ref: QueueRef, passwords: readonly string[]): Promise<string> {
    const name = this.userName(ref);
    await this.admin.call('ACL', 'SETUSER', name, ...agentAclRules(ref, passwords, this.keyPrefix));
    return name;
  }

  /** Deletes the user; its open connections are closed by Redis. */
  async remove(ref: QueueRef): Promise<void> {
    await this.admin.call('ACL', 'DELUSER', this.userName(ref));
  }

  /** Every agent user under this prefix (for cleanup). */
  async list(): Promise<string[]> {
    const users = (await this.admin.call('ACL', 'USERS')) as string[];
    const mine = `${this.keyPrefix}-agent:`;
    return users.filter((u) => u.startsWith(mine));
  }
}
