// The scheduler: fires each due tick of each enabled scheduled rule once, across any number of schedulers sharing one
// Redis (or Redis Cluster). Each tick is claimed in Redis before it is fired (ScheduleClaims) and marked done after;
// a claim whose scheduler died lapses after its lease and another scheduler fires the tick again: at least once.
//
// Only the latest due tick of a rule is fired. Ticks missed while no scheduler ran are not caught up: a rule whose
// schedulers were all down for an hour fires once when one comes back, not sixty times (EventBridge does not catch
// up either). Ticks at or before the rule's anchor (created or enabled), or before a change of its expression that
// this scheduler saw, never fire.
import { randomUUID } from 'node:crypto';
import type { AsyncClock } from '../../core/async-policy.js';
import type { Logger } from '../../core/logger.js';
import type { RedisConnection } from '../../queue/connection.js';
import { DEFAULT_KEY_PREFIX } from '../../queue/keys.js';
import { Passes } from '../../queue/passes.js';
import { ScheduleClaims } from './claims.js';
import { doneKeepMs, dueTick, updateTrack, type RuleTrack, type ScheduledRule } from './due.js';
import { keyProblem } from './keys.js';

export type { ScheduledRule } from './due.js';

export interface SchedulerOptions {
  redis: RedisConnection;
  keyPrefix?: string;
  /** The scheduled rules now (re-read every pass: a new expression or state takes effect at the next pass). */
  rules: () => ScheduledRule[] | Promise<ScheduledRule[]>;
  /** Puts the tick's event to the rule's targets; resolves once that is durable. Rejecting leaves the tick to be fired again after the lease. */
  fire(rule: ScheduledRule, tickMs: number): Promise<void>;
  /** Real time, or sped up (tests): rate periods are clock.realMs(period); cron stays on the calendar. */
  clock: AsyncClock;
  logger: Logger;
  /** Pause between passes (default 1000 ms). */
  intervalMs?: number;
  /** How long (real ms) a claim holds a tick before another scheduler may fire it again (default 60 s). */
  leaseMs?: number;
  /** This scheduler's name in its claims and logs (default a random id). */
  id?: string;
  redisErrors?: { inc(operation: string): void };
}

/** How long past the next tick a done mark is kept (clock skew between schedulers); then it expires by itself. */
const DONE_MARGIN_MS = 3_600_000;

export class Scheduler {
  private readonly passes: Passes;
  private readonly claims: ScheduleClaims;
  private readonly tracks = new Map<string, RuleTrack>();
  /**
   * Fires in progress, one per rule: the rule's next tick waits for it (or goes to another scheduler), but not beyond
   * the lease, after which its claim has lapsed and the tick is anyone's again.
   */
  private readonly inFlight = new Map<string, { running: Promise<void>; sinceMs: number }>();
  private readonly badKeys = new Set<string>();
  private readonly id: string;
  private readonly leaseMs: number;
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.claims = new ScheduleClaims(opts.redis, opts.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.passes = new Passes(() => this.runOnce(), opts.intervalMs ?? 1000);
    this.id = opts.id ?? randomUUID();
    this.leaseMs = opts.leaseMs ?? 60_000;
  }

  start(): void {
    this.stopped = false;
    this.passes.start();
  }

  /**
   * No pass starts after this. Resolves when the pass in progress has ended and the fires in progress have been marked
   * done, waiting at most one lease for them: a fire still running then is left, its claim lapses and another
   * scheduler fires the tick again. Never rejects.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.passes.stop();
    let timer: NodeJS.Timeout | undefined;
    const lease = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.leaseMs); });
    await Promise.race([Promise.allSettled([...this.inFlight.values()].map((f) => f.running)), lease]);
    clearTimeout(timer);
  }

  /** One pass: for each enabled rule, claim its due tick and fire it. Never rejects (each failure is logged). */
  async runOnce(): Promise<void> {
    let rules: ScheduledRule[];
    try {
      rules = await this.opts.rules();
    } catch (err) {
      this.opts.logger.error({ msg: 'scheduler could not list the scheduled rules; will try again', error: String(err) });
      return;
    }
    const now = this.opts.clock.now();
    const listed = new Set<string>();
    for (const rule of rules) {
      if (this.stopped) return;
      listed.add(rule.key);
      const track = this.follow(rule, now);
      if (!track || this.busy(rule.key)) continue;
      const tick = dueTick(track, rule.anchorMs, now);
      if (tick === undefined) continue;
      if (!(await this.claimAndFire(rule, track, tick))) return; // Redis is away: the next pass tries again
    }
    for (const key of this.tracks.keys()) if (!listed.has(key)) this.tracks.delete(key);
  }

  /** Whether a fire of the rule is in progress here and still within its lease (real time, as Redis counts it). */
  private busy(key: string): boolean {
    const f = this.inFlight.get(key);
    return f !== undefined && Date.now() - f.sinceMs < this.leaseMs;
  }

  /** The rule's track after this pass, or undefined for a rule that cannot be scheduled (logged once). */
  private follow(rule: ScheduledRule, now: number): RuleTrack | undefined {
    const bad = keyProblem('rule key', rule.key);
    if (bad) {
      if (!this.badKeys.has(rule.key)) this.opts.logger.error({ msg: 'scheduled rule skipped: its key cannot name Redis keys', rule: rule.key, reason: bad });
      this.badKeys.add(rule.key);
      return undefined;
    }
    const { track, newProblem } = updateTrack(this.tracks.get(rule.key), rule, now, (ms) => this.opts.clock.realMs(ms));
    this.tracks.set(rule.key, track);
    if (newProblem) this.opts.logger.error({ msg: 'scheduled rule skipped: its schedule expression is not valid', rule: rule.key, expression: rule.expression, reason: newProblem });
    return track;
  }

  /** False when Redis could not be asked. */
  private async claimAndFire(rule: ScheduledRule, track: RuleTrack, tick: number): Promise<boolean> {
    let claimed;
    try {
      claimed = await this.claims.claim(rule.key, tick, this.id, this.leaseMs);
    } catch (err) {
      this.opts.redisErrors?.inc('schedule');
      this.opts.logger.error({ msg: 'scheduler could not claim a tick; will try again', rule: rule.key, tick: isoOf(tick), error: String(err) });
      return false;
    }
    if (claimed === 'done') this.handled(rule.key, track.expression, tick);
    if (claimed === 'claimed') {
      const entry = { running: Promise.resolve(), sinceMs: Date.now() };
      entry.running = this.fire(rule, track, tick).finally(() => {
        if (this.inFlight.get(rule.key) === entry) this.inFlight.delete(rule.key);
      });
      this.inFlight.set(rule.key, entry);
    }
    return true;
  }

  /** Fires the tick, then marks it done. Never rejects: a failure leaves the claim to lapse and the tick to be fired again. */
  private async fire(rule: ScheduledRule, track: RuleTrack, tick: number): Promise<void> {
    const log = { rule: rule.key, tick: isoOf(tick), expression: rule.expression };
    try {
      await this.opts.fire(rule, tick);
    } catch (err) {
      this.opts.logger.error({ msg: 'firing a scheduled rule failed; it is fired again once its claim lapses', ...log, error: String(err) });
      return;
    }
    if (this.opts.redis.status === 'end') return; // its owner stopped us and closed the connection meanwhile: the claim lapses
    try {
      await this.claims.finish(rule.key, tick, track.schedule ? doneKeepMs(track.schedule, tick, rule.anchorMs, DONE_MARGIN_MS) : 0);
    } catch (err) {
      this.opts.redisErrors?.inc('schedule');
      this.opts.logger.error({ msg: 'a scheduled rule fired but could not be marked done; it may fire again once its claim lapses', ...log, error: String(err) });
      return;
    }
    this.handled(rule.key, track.expression, tick);
    this.opts.logger.info({ msg: 'scheduled rule fired', ...log });
  }

  private handled(key: string, expression: string, tick: number): void {
    const current = this.tracks.get(key);
    if (current && current.expression === expression && !(current.handledTick !== undefined && current.handledTick >= tick)) {
      this.tracks.set(key, { ...current, handledTick: tick });
    }
  }
}

const isoOf = (ms: number): string => new Date(ms).toISOString();
