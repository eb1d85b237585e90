// The EventSourceMapping kind's newer settings: filter criteria checked by the pattern engine, AT_TIMESTAMP with its
// timestamp, and the parallelization factor of streams.
import type { EventSourceMapping } from '../../src/api/event-source-mapping.js';
import { checkObject } from '../../src/api/parse.js';
import { esm, fromQueue, problems } from '../helpers/objects.js';

describe('filterCriteria', () => {
  it('takes up to five patterns Lambda compiles, on streams and queues', () => {
    const filters = [
      { pattern: '{"data": {"kind": ["click"]}}' },
      { pattern: '{"body": {"total": [{"numeric": [">", 100]}]}}' },
      { pattern: '{"data": {"user": [{"prefix": "u-"}]}}' },
      { pattern: '{"data": {"x": [{"exists": true}]}}' },
      { pattern: '{"partitionKey": ["a"]}' },
    ];
    expect(problems(esm({ filterCriteria: { filters } }))).toEqual([]);
    expect(problems(fromQueue({ filterCriteria: { filters: filters.slice(0, 1) } }))).toEqual([]);
    expect(problems(esm({ filterCriteria: { filters: [] } }))).toEqual([]);
  });

  it('refuses a sixth filter', () => {
    const filters = Array.from({ length: 6 }, (_, i) => ({ pattern: `{"data": {"n": [${i}]}}` }));
    expect(problems(esm({ filterCriteria: { filters } }))).toEqual(['spec.filterCriteria.filters: must have at most 5 items, got 6']);
  });

  it.each([
    ['not JSON', '{"data": '],
    ['not an object', '"click"'],
    ['an empty array of values', '{"data": {"kind": []}}'],
    ['an unknown operator', '{"data": {"n": [{"between": [1, 2]}]}}'],
  ])('refuses a pattern that is %s, in Lambda\'s words with the engine\'s reason', (_what, pattern) => {
    const found = problems(esm({ filterCriteria: { filters: [{ pattern: '{"data": {"ok": [1]}}' }, { pattern }] } }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^spec\.filterCriteria\.filters\[1\]\.pattern: Invalid filter pattern definition\. \S/);
  });

  it('refuses an empty pattern and fields it does not know', () => {
    expect(problems(esm({ filterCriteria: { filters: [{ pattern: '' }] } }))).toEqual(['spec.filterCriteria.filters[0].pattern: must not be empty']);
    expect(problems(esm({ filterCriteria: { filters: [{ Pattern: '{}' }] } }))[0]).toMatch(/^spec\.filterCriteria\.filters\[0\]/);
  });
});

describe('startingPosition AT_TIMESTAMP', () => {
  it('takes an RFC 3339 time with it', () => {
    expect(problems(esm({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-07T21:00:00Z' }))).toEqual([]);
    expect(problems(esm({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-07T21:00:00.123+01:00' }))).toEqual([]);
  });

  it('needs the timestamp with AT_TIMESTAMP and refuses it with another position', () => {
    expect(problems(esm({ startingPosition: 'AT_TIMESTAMP' })))
      .toEqual(['spec.startingPositionTimestamp: is required with startingPosition AT_TIMESTAMP (an RFC 3339 time)']);
    expect(problems(esm({ startingPosition: 'LATEST', startingPositionTimestamp: '2026-12-07T21:00:00Z' })))
      .toEqual(['spec.startingPositionTimestamp: is only for startingPosition AT_TIMESTAMP, got startingPosition "LATEST"']);
  });

  it('refuses a time that is not RFC 3339, or does not exist', () => {
    expect(problems(esm({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-07 21:00' })))
      .toEqual(['spec.startingPositionTimestamp: must be an RFC 3339 time with its offset (e.g. 2026-12-07T21:00:00Z), got "2026-12-07 21:00"']);
    expect(problems(esm({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-02-30T00:00:00Z' })))
      .toEqual(['spec.startingPositionTimestamp: is not a real time, got "2026-02-30T00:00:00Z"']);
  });

  it('is not a queue\'s', () => {
    expect(problems(fromQueue({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-07T21:00:00Z' })))
      .toContain('spec.startingPosition: is for stream sources; a queue is always read from its oldest message');
  });
});

describe('parallelizationFactor', () => {
  it('defaults to 1 and takes 1..10 on a stream', () => {
    const r = checkObject(esm({}));
    expect(r.ok && (r.object as EventSourceMapping).spec.parallelizationFactor).toBe(1);
    expect(problems(esm({ parallelizationFactor: 10 }))).toEqual([]);
    expect(problems(esm({ parallelizationFactor: 0 }))).toEqual(['spec.parallelizationFactor: must be >= 1, got 0']);
    expect(problems(esm({ parallelizationFactor: 11 }))).toEqual(['spec.parallelizationFactor: must be <= 10, got 11']);
  });

  it('is refused on a queue unless it is the default', () => {
    expect(problems(fromQueue({ parallelizationFactor: 1 }))).toEqual([]);
    expect(problems(fromQueue({ parallelizationFactor: 2 }))).toEqual(['spec.parallelizationFactor: is for stream sources; a queue has no shards to read in parallel']);
  });
});
