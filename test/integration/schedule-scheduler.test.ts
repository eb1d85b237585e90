// Schedulers sharing a real Redis on a sped-up clock: every tick fired exactly once, disabled rules silent, a tick
// claimed by a scheduler that stopped before it was done fired by another after the lease, no backlog of missed ticks.
import { asyncClock } from '../../src/core/async-policy.js';
import { jsonLogger, silentLogger } from '../../src/core/logger.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { Scheduler, type ScheduledRule, type SchedulerOptions } from '../../src/events/schedule/index.js';
import { deleteKeys, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

// 120×: one minute of schedule time is 500 ms, far more than a pass (20 ms) takes
const clock = asyncClock(120);
const MINUTE = clock.realMs(60_000);

let server: TestRedis;
let admin: RedisConnection;
let prefix: string;
const connections: RedisConnection[] = [];
const schedulers: Scheduler[] = [];

beforeAll(async () => { server = await useRedis(); admin = connectRedis(server.url); });
afterAll(async () => { admin.disconnect(); await server.stop(); });
beforeEach(() => { prefix = randomPrefix(); });
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  for (const c of connections.splice(0)) c.disconnect();
  await deleteKeys(admin, `${prefix}:*`);
});

/** Every fire of every scheduler: rule key → tick → how many times. */
class Fires {
  readonly byRule = new Map<string, Map<number, number>>();

  record(rule: ScheduledRule, tick: number): void {
    const ticks = this.byRule.get(rule.key) ?? new Map<number, number>();
    ticks.set(tick, (ticks.get(tick) ?? 0) + 1);
    this.byRule.set(rule.key, ticks);
  }

  ticks(key: string): number[] {
    return [...(this.byRule.get(key)?.keys() ?? [])].sort((a, b) => a - b);
  }

  counts(key: string): number[] {
    return this.ticks(key).map((t) => this.byRule.get(key)!.get(t)!);
  }
}

/** A scheduler with a connection of its own, as each klambda process has. */
function scheduler(rules: () => ScheduledRule[], fire: SchedulerOptions['fire'], extra: Partial<SchedulerOptions> = {}): Scheduler {
  const redis = connectRedis(server.url);
  connections.push(redis);
  const s = new Scheduler({ redis, keyPrefix: prefix, rules, fire, clock, logger: silentLogger, intervalMs: 20, leaseMs: 200, ...extra });
  schedulers.push(s);
  return s;
}

const rule = (key: string, expression: string, anchorMs: number, enabled = true): ScheduledRule => ({ key, expression, enabled, anchorMs });

it('fires each tick of rate(1 minute) exactly once with two schedulers on one Redis: 20 ticks, none missing, none doubled', async () => {
  const anchor = Date.now();
  const rules = () => [rule('default/every-minute', 'rate(1 minute)', anchor)];
  const fires = new Fires();
  const fire = async (r: ScheduledRule, tick: number) => { fires.record(r, tick); };
  scheduler(rules, fire, { id: 'a' }).start();
  scheduler(rules, fire, { id: 'b' }).start();

  await waitFor(() => (fires.ticks('default/every-minute').length >= 20 ? true : undefined), 30_000, '20 ticks');
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));

  const ticks = fires.ticks('default/every-minute');
  expect(ticks.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => anchor + (i + 1) * MINUTE));
  expect(fires.counts('default/every-minute')).toEqual(ticks.map(() => 1));
}, 40_000);

it('fires nothing for a DISABLED rule', async () => {
  const anchor = Date.now() - 10 * MINUTE;
  const rules = () => [rule('default/on', 'rate(1 minute)', anchor), rule('default/off', 'rate(1 minute)', anchor, false), rule('default/off-cron', 'cron(* * * * ? *)', anchor, false)];
  const fires = new Fires();
  const fire = async (r: ScheduledRule, tick: number) => { fires.record(r, tick); };
  scheduler(rules, fire).start();
  scheduler(rules, fire).start();

  await waitFor(() => (fires.ticks('default/on').length >= 3 ? true : undefined), 15_000, 'the enabled rule to fire 3 ticks');
  expect(fires.ticks('default/off')).toEqual([]);
  expect(fires.ticks('default/off-cron')).toEqual([]);
});

it('fires a tick claimed by a scheduler stopped before it was done from another scheduler, once its lease lapses', async () => {
  // rate(5 minutes) is 2.5 s here: the first tick is due at once, the next long after the 200 ms lease
  const period = 5 * MINUTE;
  const anchor = Date.now() - period - 50;
  const firstTick = anchor + period;
  const rules = () => [rule('default/report', 'rate(5 minutes)', anchor)];
  const stuck: number[] = [];
  const fires = new Fires();
  const dying = scheduler(rules, async (_r, tick) => { stuck.push(tick); return new Promise<void>(() => undefined); }, { id: 'dying' });
  dying.start();
  await waitFor(() => (stuck.length > 0 ? true : undefined), 10_000, 'the first scheduler to claim and start firing');
  const other = scheduler(rules, async (r, tick) => { fires.record(r, tick); }, { id: 'other' });
  other.start();
  await dying.stop();

  await waitFor(() => (fires.ticks('default/report').length > 0 ? true : undefined), 10_000, 'the other scheduler to fire the tick');
  expect(stuck).toEqual([firstTick]);
  expect(fires.ticks('default/report')).toEqual([firstTick]);
  expect(fires.counts('default/report')).toEqual([1]);
});

it('fires only the latest tick missed while no scheduler ran, then goes on from it', async () => {
  const anchor = Date.now() - 10 * MINUTE - MINUTE / 2;
  const rules = () => [rule('default/missed', 'rate(1 minute)', anchor)];
  const fires = new Fires();
  scheduler(rules, async (r, tick) => { fires.record(r, tick); }).start();

  await waitFor(() => (fires.ticks('default/missed').length >= 2 ? true : undefined), 10_000, 'two fires');
  expect(fires.ticks('default/missed').slice(0, 2)).toEqual([anchor + 10 * MINUTE, anchor + 11 * MINUTE]);
});

it('does not fire a tick again from a scheduler started after the one that fired it', async () => {
  // rate(1 hour) is 30 s here: its first tick was 15 s ago, the next is 15 s away
  const anchor = Date.now() - 90 * MINUTE;
  const rules = () => [rule('default/hourly', 'rate(1 hour)', anchor)];
  const fires = new Fires();
  const first = scheduler(rules, async (r, tick) => { fires.record(r, tick); });
  await first.runOnce();
  await first.stop();
  expect(fires.ticks('default/hourly')).toEqual([anchor + 60 * MINUTE]);

  const second = scheduler(rules, async (r, tick) => { fires.record(r, tick); });
  await second.runOnce();
  await second.runOnce();
  await second.stop();
  expect(fires.counts('default/hourly')).toEqual([1]);
});

it('logs an expression that does not parse once, goes on with the other rules, and takes a fixed one at the next pass', async () => {
  const lines: string[] = [];
  const logger = jsonLogger({ write: (l: string) => lines.push(l) });
  const anchor = Date.now() - 10 * MINUTE;
  let expression = 'cron(0 12 * * * *)';
  const rules = () => [rule('default/good', 'rate(1 minute)', anchor), rule('default/bad', expression, anchor)];
  const fires = new Fires();
  scheduler(rules, async (r, tick) => { fires.record(r, tick); }, { logger }).start();

  await waitFor(() => (fires.ticks('default/good').length >= 3 ? true : undefined), 15_000, 'the good rule to fire 3 ticks');
  const refusals = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.rule === 'default/bad');
  expect(refusals).toEqual([expect.objectContaining({
    level: 'error', msg: 'scheduled rule skipped: its schedule expression is not valid', expression: 'cron(0 12 * * * *)',
    reason: 'needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(0 12 * * * *)"',
  })]);

  expression = 'rate(1 minute)';
  const fixedAt = Date.now();
  await waitFor(() => (fires.ticks('default/bad').length > 0 ? true : undefined), 10_000, 'the fixed rule to fire');
  // a changed schedule starts from the change: no tick before it fires
  expect(fires.ticks('default/bad')[0]).toBeGreaterThan(fixedAt);
});
