// Notices that Redis restarted (its run_id changed): what lived only in its memory, such as ACL users, must be made again.
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';

/** The run_id line of INFO server (a new one on every start of the server). */
export function runIdOf(info: string): string | undefined {
  return /^run_id:(\w+)/m.exec(info)?.[1];
}

export class RedisRestartWatch {
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private checking = false;

  constructor(private readonly redis: Redis, private readonly intervalMs: number, private readonly logger: Logger, private readonly onRestart: () => void) {}

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
      const id = runIdOf(await this.redis.info('server'));
      if (id && this.last && id !== this.last) {
        this.logger.warn({ msg: 'Redis restarted: re-making every version\'s agent user', runId: id });
        this.onRestart();
      }
      if (id) this.last = id;
    } catch (err) {
      this.logger.warn({ msg: 'cannot read Redis run_id', error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.checking = false;
    }
  }
}
