// What a scheduler decides each pass (pure): which tick is due, after the anchor and after changes it saw, only the
// latest one; the keys of a rule in one hash slot; the Scheduled Event of a tick.
import { dueTick, scheduledEvent, scheduledEventId, type ScheduledRule } from '../../src/events/schedule/index.js';
import { doneKeepMs, updateTrack, type RuleTrack } from '../../src/events/schedule/due.js';
import { scheduleKeys } from '../../src/events/schedule/keys.js';
import { parseSchedule } from '../../src/events/schedule/schedule.js';
import { keySlot } from '../../src/queue/key-slot.js';

const MIN = 60_000;
const realTime = (ms: number) => ms;
const at = (iso: string) => Date.parse(iso);
const rule = (expression: string, anchorMs: number, enabled = true): ScheduledRule => ({ key: 'default/r', expression, enabled, anchorMs });

function track(r: ScheduledRule, now: number, previous?: RuleTrack): RuleTrack {
  return updateTrack(previous, r, now, realTime).track;
}

describe('dueTick', () => {
  const anchor = at('2026-12-11T10:00:30Z');

  it('is the latest tick at or before now, never one at or before the anchor', () => {
    const r = rule('cron(0/15 * * * ? *)', anchor);
    expect(dueTick(track(r, anchor), anchor, at('2026-12-11T10:14:59Z'))).toBeUndefined();
    expect(dueTick(track(r, anchor), anchor, at('2026-12-11T10:15:00Z'))).toBe(at('2026-12-11T10:15:00Z'));
    // an hour without a pass: only 11:00 is due, not 10:15 … 10:45
    expect(dueTick(track(r, anchor), anchor, at('2026-12-11T11:05:00Z'))).toBe(at('2026-12-11T11:00:00Z'));
  });

  it('counts a rate from the anchor', () => {
    const r = rule('rate(5 minutes)', anchor);
    expect(dueTick(track(r, anchor), anchor, anchor + 5 * MIN - 1)).toBeUndefined();
    expect(dueTick(track(r, anchor), anchor, anchor + 12 * MIN)).toBe(anchor + 10 * MIN);
  });

  it('is nothing for a disabled rule, and after it is enabled again only ticks after that', () => {
    const off = track(rule('rate(1 minute)', anchor, false), anchor);
    expect(dueTick(off, anchor, anchor + 10 * MIN)).toBeUndefined();
    const on = track(rule('rate(1 minute)', anchor), anchor + 10 * MIN + 30_000, off);
    expect(dueTick(on, anchor, anchor + 10 * MIN + 30_000)).toBeUndefined();
    expect(dueTick(on, anchor, anchor + 11 * MIN)).toBe(anchor + 11 * MIN);
  });

  it('is nothing once the tick is handled, until the next one', () => {
    const t = { ...track(rule('rate(1 minute)', anchor), anchor), handledTick: anchor + 3 * MIN };
    expect(dueTick(t, anchor, anchor + 3 * MIN + 59_000)).toBeUndefined();
    expect(dueTick(t, anchor, anchor + 4 * MIN)).toBe(anchor + 4 * MIN);
  });

  it('starts a changed expression from the change', () => {
    const before = { ...track(rule('cron(0 * * * ? *)', anchor), anchor), handledTick: at('2026-12-11T11:00:00Z') };
    const after = track(rule('cron(30 * * * ? *)', anchor), at('2026-12-11T11:45:00Z'), before);
    expect(after.handledTick).toBeUndefined();
    expect(dueTick(after, anchor, at('2026-12-11T11:45:00Z'))).toBeUndefined(); // 11:30 was before the change
    expect(dueTick(after, anchor, at('2026-12-11T12:30:00Z'))).toBe(at('2026-12-11T12:30:00Z'));
  });

  it('shortens a rate on a sped-up clock, and leaves cron on the calendar', () => {
    const fast = updateTrack(undefined, rule('rate(1 minute)', anchor), anchor, (ms) => ms / 600).track;
    expect(dueTick(fast, anchor, anchor + 250)).toBe(anchor + 200);
    const cron = updateTrack(undefined, rule('cron(0 * * * ? *)', anchor), anchor, (ms) => ms / 600).track;
    expect(dueTick(cron, anchor, at('2026-12-11T11:00:00Z'))).toBe(at('2026-12-11T11:00:00Z'));
  });
});

describe('updateTrack', () => {
  it('reports a bad expression once per change, and never a due tick for it', () => {
    const first = updateTrack(undefined, rule('cron(0 12 * * * *)', 0), 1000, realTime);
    expect(first.newProblem).toBe('needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(0 12 * * * *)"');
    expect(dueTick(first.track, 0, Date.now())).toBeUndefined();
    const again = updateTrack(first.track, rule('cron(0 12 * * * *)', 0), 2000, realTime);
    expect(again.newProblem).toBeUndefined();
    const changed = updateTrack(again.track, rule('cron(0 12 * * ? * 1)', 0), 3000, realTime);
    expect(changed.newProblem).toMatch(/^cron\(…\) takes 6 fields/);
  });
});

describe('doneKeepMs', () => {
  it('keeps a done mark until the next tick plus the margin, and for good after the last one', () => {
    expect(doneKeepMs(parseSchedule('rate(5 minutes)'), 5 * MIN, 0, 1000)).toBe(5 * MIN + 1000);
    expect(doneKeepMs(parseSchedule('cron(0 0 1 1 ? 2030)'), at('2030-01-01T00:00:00Z'), 0, 1000)).toBe(0);
  });
});

describe('schedule keys', () => {
  it("put a rule's done mark and claims in one hash slot", () => {
    const k = scheduleKeys('klambda', 'default/nightly');
    expect(k.done).toBe('klambda:schedule:{default/nightly}:done');
    expect(k.claim(1765450800000)).toBe('klambda:schedule:{default/nightly}:claim:1765450800000');
    expect(keySlot(k.claim(1))).toBe(keySlot(k.done));
  });

  it('refuse a rule key that would break the hash tag', () => {
    expect(() => scheduleKeys('klambda', 'a}{b')).toThrow('rule key "a}{b" must not contain { or }: they delimit the hash tag');
    expect(() => scheduleKeys('klambda', '')).toThrow('rule key must not be empty');
  });
});

describe('scheduledEvent', () => {
  const ruleArn = 'arn:aws:events:us-east-1:000000000000:rule/nightly';

  it("is EventBridge's Scheduled Event, its time the tick to the second", () => {
    expect(scheduledEvent({ ruleArn, tickMs: at('2019-10-08T16:53:06.250Z'), account: '000000000000', region: 'us-east-1', id: 'x' })).toEqual({
      version: '0', id: 'x', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000',
      time: '2019-10-08T16:53:06Z', region: 'us-east-1', resources: [ruleArn], detail: {},
    });
  });

  it('carries the same UUID-shaped id for the same rule and tick, and another for another', () => {
    const tick = at('2026-12-11T10:00:00Z');
    const e = scheduledEvent({ ruleArn, tickMs: tick, account: '000000000000', region: 'us-east-1' });
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(e.id).toBe(scheduledEventId(ruleArn, tick));
    expect(scheduledEventId(ruleArn, tick + MIN)).not.toBe(e.id);
    expect(scheduledEventId(`${ruleArn}-2`, tick)).not.toBe(e.id);
  });
});
