// A loop of passes: one now, then one a pause after each ends (never two at once), stopped cleanly. The reaper's and
// the dispatcher's rhythm.

export class Passes {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  /** `pass` must not reject (each pass logs its own failures). */
  constructor(private readonly pass: () => Promise<unknown>, private readonly pauseMs: number) {}

  get active(): boolean {
    return !this.stopped;
  }

  /** Runs a pass now, then one `pauseMs` after each pass ends. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop();
  }

  /** No pass starts after this; resolves when the one in progress (if any) has finished. Never rejects. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private loop(): void {
    if (this.stopped) return;
    const running = this.pass();
    this.running = running;
    void running.finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.loop(), this.pauseMs);
      this.timer.unref();
    });
  }
}
