// Notices that Redis restarted (its run_id changed): what lived only in its memory, such as ACL users, must be made again.
import type { Logger } from '../core/logger.js';
import { addressOf, serversOf, type RedisConnection } from '../queue/connection.js';

/** The run_id line of INFO server (a new one on every start of the server). */
export function runIdOf(info: string): string | undefined {
  return /^run_id:(\w+)/m.exec(info)?.[1];
}

/**
 * Looks at the run_id of every server behind the connection (each node of a Redis Cluster) and calls back when one
 * it knew has a new one, or, after the first look, when a node it never saw answers (a node that joined, or came
 * back after being left out of the cluster's map).
 */
export class RedisRestartWatch {
  private timer: NodeJS.Timeout | undefined;
  /** address → run_id of every server seen so far. */
  private readonly last = new Map<string, string>();
  private looked = false;
  private checking = false;

  constructor(private readonly redis: RedisConnection, private readonly intervalMs: number, private readonly logger: Logger, private readonly onRestart: () => void) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const servers = await serversOf(this.redis);
      const looks = await Promise.allSettled(servers.map(async (s) => ({ address: addressOf(s), id: runIdOf(await s.info('server')) })));
      const restarted: string[] = [];
      for (const look of looks) {
        if (look.status === 'rejected') {
          this.logger.warn({ msg: 'cannot read Redis run_id', error: look.reason instanceof Error ? look.reason.message : String(look.reason) });
          continue;
        }
        const { address, id } = look.value;
        if (!id) continue;
        if (this.looked && this.last.get(address) !== id) restarted.push(address);
        this.last.set(address, id);
      }
      if (this.last.size > 0) this.looked = true;
      if (restarted.length > 0) {
        this.logger.warn({ msg: 'Redis restarted: re-making every version\'s agent user', nodes: restarted });
        this.onRestart();
      }
    } catch (err) {
      this.logger.warn({ msg: 'cannot read Redis run_id', error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.checking = false;
    }
  }
}
