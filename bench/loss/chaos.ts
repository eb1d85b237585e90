// The loss test's chaos, chosen by a seeded PRNG: SIGKILLs of runtime agents and runtime processes, klambda dev
// SIGKILLed and started again, Redis SIGKILLed and started again, at random points of the sending (by the share of
// events accepted); then in the drain one more klambda restart and the rest of the kills at random gaps. One action
// at a time; every count bounded.
import type { Prng } from './prng.js';
import type { KlambdaProc } from './klambda-proc.js';
import { killIfSame } from './procs.js';
import type { RedisProc } from './redis-proc.js';

export interface ChaosBudget {
  agentKills: number;
  runtimeKills: number;
  /** klambda restarts while sending; one more comes early in the drain. */
  klambdaRestarts: number;
  redisRestarts: number;
  /** Seconds between two kills of an agent or runtime in the drain: uniform in [min, max). */
  killGapSeconds: [number, number];
}

export interface ChaosCounts {
  agentKills: number;
  runtimeKills: number;
  klambdaRestarts: number;
  redisRestarts: number;
  /** A kill was due but nothing of that kind was running. */
  killsSkipped: number;
}

type Action = { kind: 'redis' | 'klambda' | 'agent' | 'runtime'; at: number; retried?: boolean };

const isRestart = (a: Action): boolean => a.kind === 'redis' || a.kind === 'klambda';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Three quarters of the agent and runtime kills fall in the sending, the rest in the drain. */
const sendingShare = (n: number): number => Math.ceil(n * 0.75);

export class Chaos {
  readonly counts: ChaosCounts = { agentKills: 0, runtimeKills: 0, klambdaRestarts: 0, redisRestarts: 0, killsSkipped: 0 };
  readonly timeline: Array<{ atS: number; what: string }> = [];
  /** Redis or klambda is down or starting again. */
  busy = false;
  private phase: 'sending' | 'draining' | 'done' = 'sending';
  /** What happens while sending, at points of the progress (share of events accepted), in order. */
  private readonly plan: Action[];
  private drainRestartAt = Infinity;
  private readonly t0 = Date.now();
  private loop: Promise<void> | undefined;

  constructor(private readonly o: {
    rng: Prng; redis: RedisProc; klambda: KlambdaProc; budget: ChaosBudget;
    /** Share of the events accepted so far, 0..1. */
    progress(): number;
    log(line: string): void;
  }) {
    const { rng, budget } = o;
    // Redis spread over the sending (one per slice of 10%..90%); klambda and the kills anywhere in it
    const width = 0.8 / Math.max(1, budget.redisRestarts);
    const plan: Action[] = [
      ...Array.from({ length: budget.redisRestarts }, (_, i) => ({ kind: 'redis' as const, at: 0.1 + (i + rng.between(0.1, 0.9)) * width })),
      ...Array.from({ length: budget.klambdaRestarts }, () => ({ kind: 'klambda' as const, at: rng.between(0.05, 0.95) })),
      ...Array.from({ length: sendingShare(budget.agentKills) }, () => ({ kind: 'agent' as const, at: rng.between(0.01, 0.99) })),
      ...Array.from({ length: sendingShare(budget.runtimeKills) }, () => ({ kind: 'runtime' as const, at: rng.between(0.01, 0.99) })),
    ];
    this.plan = plan.sort((x, y) => x.at - y.at);
  }

  /** True once no restart is left to do (drain may then end). */
  get settled(): boolean {
    return this.loop === undefined || (!this.busy && !this.plan.some(isRestart) && this.drainRestartAt === -1);
  }

  start(): void {
    this.loop = this.run();
  }

  /** The sending is over: what is left of its plan runs now, one more klambda restart comes soon, the rest of the kills
   *  at random gaps while the drain lasts. */
  draining(): void {
    this.phase = 'draining';
    this.drainRestartAt = Date.now() + this.o.rng.between(500, 3000);
  }

  async finish(): Promise<void> {
    this.phase = 'done';
    await this.loop;
  }

  private note(what: string): void {
    const atS = Math.round((Date.now() - this.t0) / 100) / 10;
    this.timeline.push({ atS, what });
    this.o.log(`[chaos ${atS}s] ${what}`);
  }

  private async run(): Promise<void> {
    const { rng, budget } = this.o;
    const gap = () => rng.between(budget.killGapSeconds[0], budget.killGapSeconds[1]) * 1000;
    let nextKill = Infinity;
    while (this.phase !== 'done') {
      // a restart that is due goes before kills that are due (a slow /proc scan must not push it past the sending); in
      // the drain the restarts left run at once, the kills left join the drain's own
      const sending = this.phase === 'sending';
      const now = sending ? this.o.progress() : Infinity;
      const due = this.plan.find((a) => a.at <= now && isRestart(a)) ?? (sending && this.plan[0] && this.plan[0].at <= now ? this.plan[0] : undefined);
      if (due) {
        this.plan.splice(this.plan.indexOf(due), 1);
        await this.act(due);
      } else if (this.phase === 'draining' && this.drainRestartAt !== -1 && Date.now() >= this.drainRestartAt) {
        this.drainRestartAt = -1;
        await this.act({ kind: 'klambda', at: 1 });
        nextKill = Date.now() + gap();
      } else if (this.phase === 'draining' && this.drainRestartAt === -1 && Date.now() >= nextKill) {
        nextKill = Date.now() + gap();
        const kinds = [
          ...(this.counts.agentKills < budget.agentKills ? ['agent' as const] : []),
          ...(this.counts.runtimeKills < budget.runtimeKills ? ['runtime' as const] : []),
        ];
        if (kinds.length > 0) await this.act({ kind: rng.pick(kinds), at: 1 });
      }
      await sleep(50);
    }
  }

  private async act(action: Action): Promise<void> {
    const { kind } = action;
    if (kind === 'redis') await this.restartRedis();
    else if (kind === 'klambda') await this.restartKlambda();
    else if (!this.killOne(kind, this.o.rng.next()) && this.phase === 'sending' && !action.retried) {
      // nothing of that kind was running (klambda just started again): once more, a little later
      const at = this.o.progress() + 0.02;
      const i = this.plan.findIndex((a) => a.at > at);
      this.plan.splice(i === -1 ? this.plan.length : i, 0, { kind, at, retried: true });
    }
  }

  private killOne(kind: 'agent' | 'runtime', r: number): boolean {
    const { agents, runtimes } = this.o.klambda.below();
    const list = kind === 'agent' ? agents : runtimes;
    const victim = list[Math.floor(r * list.length)];
    if (!victim || !killIfSame(victim)) {
      this.counts.killsSkipped += 1;
      return false;
    }
    if (kind === 'agent') this.counts.agentKills += 1; else this.counts.runtimeKills += 1;
    this.note(`SIGKILL ${kind} ${victim.pid} (of ${list.length})`);
    return true;
  }

  private async restartRedis(): Promise<void> {
    this.busy = true;
    try {
      const down = this.o.rng.between(500, 3000);
      this.note(`SIGKILL redis-server ${this.o.redis.pid} (down ${Math.round(down)} ms)`);
      await this.o.redis.kill();
      await sleep(down);
      await this.o.redis.start();
      this.counts.redisRestarts += 1;
      this.note(`redis-server back (${this.o.redis.pid})`);
    } finally {
      this.busy = false;
    }
  }

  private async restartKlambda(): Promise<void> {
    this.busy = true;
    try {
      const down = this.o.rng.between(200, 2000);
      this.note(`SIGKILL klambda dev ${this.o.klambda.pid} (down ${Math.round(down)} ms)`);
      await this.o.klambda.kill();
      await sleep(down);
      await this.o.klambda.start();
      this.counts.klambdaRestarts += 1;
      this.note(`klambda dev back (${this.o.klambda.pid})`);
    } finally {
      this.busy = false;
    }
  }
}
