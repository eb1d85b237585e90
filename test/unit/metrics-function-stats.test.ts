// The agents' stats hash (pure): what one invocation adds, and the figures a hash holds.
import { bucketIndex, DURATION_BUCKETS } from '../../src/metrics/buckets.js';
import { parseStats, sampleIncrements, type InvocationSample, type StatsIncrement } from '../../src/metrics/function-stats.js';

/** What HINCRBY of these increments leaves in a hash. */
function apply(hash: Record<string, string>, incs: StatsIncrement[]): Record<string, string> {
  for (const [field, by] of incs) hash[field] = String(Number(hash[field] ?? 0) + by);
  return hash;
}

describe('the per-version stats hash', () => {
  it('puts a value on the first bound that holds it, +Inf past the last', () => {
    expect(bucketIndex(DURATION_BUCKETS, 0)).toBe(0);
    expect(bucketIndex(DURATION_BUCKETS, 0.001)).toBe(0);
    expect(bucketIndex(DURATION_BUCKETS, 0.0011)).toBe(1);
    expect(bucketIndex(DURATION_BUCKETS, 901)).toBe(DURATION_BUCKETS.length);
  });

  it('counts outcomes, errors, cold starts and retries, and keeps cumulative histograms', () => {
    const samples: InvocationSample[] = [
      { outcome: 'success', durationMs: 3, initDurationMs: 120, attempt: 1 },
      { outcome: 'success', durationMs: 30, attempt: 1, eventAgeMs: 40 },
      { outcome: 'function_error', durationMs: 2, attempt: 1 },
      { outcome: 'timeout', durationMs: 1000, attempt: 2, eventAgeMs: 2500 },
      { outcome: 'crash', durationMs: 5, initDurationMs: 80, attempt: 1 },
      { outcome: 'caller_gone', attempt: 1 },
    ];
    const hash: Record<string, string> = {};
    for (const s of samples) apply(hash, sampleIncrements(s));
    const stats = parseStats(hash);
    expect(stats.invocations).toEqual({ success: 2, function_error: 1, timeout: 1, crash: 1, caller_gone: 1, expired: 0 });
    expect(stats.errors).toBe(3);
    expect(stats.coldStarts).toBe(2);
    expect(stats.retries).toBe(1);
    expect(stats.deadLetters).toBe(0);
    // five ran (caller_gone did not): 2 ms, 3 ms, 5 ms, 30 ms, 1 s
    expect(stats.duration.count).toBe(5);
    expect(stats.duration.sum).toBeCloseTo(1.04, 6);
    const le = (bound: number) => stats.duration.cumulative[DURATION_BUCKETS.indexOf(bound as (typeof DURATION_BUCKETS)[number])];
    expect(le(0.001)).toBe(0);
    expect(le(0.005)).toBe(3);
    expect(le(0.05)).toBe(4);
    expect(le(1)).toBe(5);
    expect(stats.duration.cumulative.at(-1)).toBe(5);
    expect(stats.initDuration.count).toBe(2);
    expect(stats.initDuration.sum).toBeCloseTo(0.2, 6);
    expect(stats.eventAge.count).toBe(2);
    expect(stats.eventAge.sum).toBeCloseTo(2.54, 6);
  });

  it('reads an empty or partly unknown hash as zeros, never NaN', () => {
    const stats = parseStats({ 'inv:success': 'x', other: '7' });
    expect(stats.invocations.success).toBe(0);
    expect(stats.duration).toMatchObject({ count: 0, sum: 0 });
    expect(stats.duration.cumulative.every((n) => n === 0)).toBe(true);
  });

  it('writes only integers (the agent\'s HINCRBY takes no fractions)', () => {
    const incs = sampleIncrements({ outcome: 'success', durationMs: 1.234567, initDurationMs: 0.5, eventAgeMs: 10.9, attempt: 3 });
    for (const [, by] of incs) expect(Number.isInteger(by)).toBe(true);
  });
});
