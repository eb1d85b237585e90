import { compilePattern } from '../../src/events/pattern/compile.js';
import type { Dialect } from '../../src/events/pattern/errors.js';
import { matches } from '../../src/events/pattern/match.js';
import { RuleIndex } from '../../src/events/pattern/rule-index.js';
import { snsAttributesView } from '../../src/events/pattern/views.js';

const eb = (p: unknown) => compilePattern(p, 'eventbridge');
const ec2 = (state: string, extra: Record<string, unknown> = {}) => ({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { state }, ...extra });

describe('RuleIndex', () => {
  it('returns the ids of the matching rules in the order they were added', () => {
    const index = new RuleIndex();
    index.add('terminated', eb({ source: ['aws.ec2'], detail: { state: ['terminated'] } }));
    index.add('any-ec2', eb({ source: ['aws.ec2'] }));
    index.add('not-running', eb({ detail: { state: [{ 'anything-but': 'running' }] } }));
    index.add('s3', eb({ source: ['aws.s3'] }));
    expect(index.match(ec2('terminated'))).toEqual(['terminated', 'any-ec2', 'not-running']);
    expect(index.match(ec2('running'))).toEqual(['any-ec2']);
    expect(index.match({ source: 'aws.s3' })).toEqual(['s3']);
    expect(index.match({ source: 'aws.sqs' })).toEqual([]);
    expect(index.size).toBe(4);
  });

  it('replaces a rule added again under its id, and forgets removed rules', () => {
    const index = new RuleIndex();
    index.add('r', eb({ source: ['aws.ec2'] }));
    index.add('r', eb({ source: ['aws.s3'] }));
    expect(index.match({ source: 'aws.ec2' })).toEqual([]);
    expect(index.match({ source: 'aws.s3' })).toEqual(['r']);
    expect(index.remove('r')).toBe(true);
    expect(index.remove('r')).toBe(false);
    expect(index.has('r')).toBe(false);
    expect(index.match({ source: 'aws.s3' })).toEqual([]);
    index.add('again', eb({ detail: { x: [1] } }));
    expect(index.match({ source: 'aws.s3', detail: { x: 1 } })).toEqual(['again']);
  });

  it('matches a rule once however many $or branches or array values lead to it', () => {
    const index = new RuleIndex();
    index.add('or', eb({ $or: [{ resources: ['a'] }, { resources: ['b'] }, { source: [{ prefix: 'aws.' }] }] }));
    expect(index.match({ source: 'aws.ec2', resources: ['a', 'b', 'a'] })).toEqual(['or']);
  });

  it('applies SNS attribute rules: no attributes match no policy that names one', () => {
    const index = new RuleIndex();
    const sns = (p: unknown) => compilePattern(p, 'sns-attributes');
    index.add('no-store', sns({ store: [{ exists: false }] }));
    index.add('everything', sns({}));
    expect(index.match(snsAttributesView({}))).toEqual(['everything']);
    expect(index.match(snsAttributesView({ team: { Type: 'String', Value: 'red' } }))).toEqual(['no-store', 'everything']);
  });

  it('answers exactly as matching each pattern on its own (generated patterns and events)', () => {
    const rnd = prng(7);
    const index = new RuleIndex<number>();
    const patterns: { dialect: Dialect; p: ReturnType<typeof eb> }[] = [];
    for (let i = 0; i < 400; i++) {
      const p = eb(randomPattern(rnd));
      patterns.push({ dialect: 'eventbridge', p });
      index.add(i, p);
    }
    for (let i = 0; i < 60; i++) index.remove(Math.floor(rnd() * 400));
    let matched = 0;
    for (let i = 0; i < 1500; i++) {
      const e = randomEvent(rnd);
      const naive = patterns.flatMap(({ p }, id) => (index.has(id) && matches(p, e) ? [id] : []));
      expect({ e, ids: index.match(e) }).toEqual({ e, ids: naive });
      matched += naive.length;
    }
    expect(matched).toBeGreaterThan(100);
  });
});

function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const SOURCES = ['aws.ec2', 'aws.s3', 'app.orders', 'app.users'];
const STATES = ['pending', 'running', 'stopped', 'PENDING', ''];

function randomCondition(rnd: () => number): unknown {
  return pick(rnd, [
    () => pick(rnd, STATES), () => null, () => Math.floor(rnd() * 5),
    () => ({ prefix: pick(rnd, ['p', 'run', 's']) }), () => ({ suffix: pick(rnd, ['ing', 'ed']) }),
    () => ({ 'equals-ignore-case': 'pending' }), () => ({ 'anything-but': [pick(rnd, STATES)] }),
    () => ({ 'anything-but': { prefix: 'r' } }), () => ({ numeric: ['>', Math.floor(rnd() * 4)] }),
    () => ({ exists: rnd() < 0.5 }), () => ({ wildcard: pick(rnd, ['*ing', 's*d', '*']) }),
  ])();
}

function randomPattern(rnd: () => number): unknown {
  const p: Record<string, unknown> = {};
  if (rnd() < 0.7) p.source = rnd() < 0.8 ? [pick(rnd, SOURCES)] : [pick(rnd, SOURCES), pick(rnd, SOURCES)];
  const detail: Record<string, unknown> = {};
  if (rnd() < 0.6) detail.state = [randomCondition(rnd)];
  if (rnd() < 0.3) detail.count = [randomCondition(rnd)];
  if (rnd() < 0.3) detail.items = { sku: [randomCondition(rnd)], ...(rnd() < 0.5 ? { qty: [randomCondition(rnd)] } : {}) };
  if (rnd() < 0.15) detail['meta.tag'] = [randomCondition(rnd)];
  if (rnd() < 0.2) detail.$or = [{ state: [randomCondition(rnd)] }, { count: [randomCondition(rnd)] }];
  if (Object.keys(detail).length > 0) p.detail = detail;
  if (Object.keys(p).length === 0) p.resources = [pick(rnd, ['r1', 'r2'])];
  return p;
}

function randomEvent(rnd: () => number): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  if (rnd() < 0.8) detail.state = rnd() < 0.8 ? pick(rnd, STATES) : [pick(rnd, STATES), pick(rnd, STATES)];
  if (rnd() < 0.6) detail.count = rnd() < 0.8 ? Math.floor(rnd() * 5) : pick(rnd, [null, '3']);
  if (rnd() < 0.5) detail.items = Array.from({ length: Math.floor(rnd() * 3) }, () => ({ sku: pick(rnd, STATES), qty: Math.floor(rnd() * 5) }));
  if (rnd() < 0.3) { if (rnd() < 0.5) detail['meta.tag'] = pick(rnd, STATES); else detail.meta = { tag: pick(rnd, STATES) }; }
  return { source: pick(rnd, SOURCES), resources: rnd() < 0.5 ? ['r1'] : [], detail };
}
