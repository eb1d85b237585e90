// Benchmark: events/s matched against 1,000 EventBridge rules in a RuleIndex on one core (one Node thread), with a
// realistic mix of rules (source/detail-type exact values, prefix, numeric, anything-but, wildcard, $or, cidr) over
// 100,000 generated events (already parsed JSON objects); median of 3 runs, match rate, and a naive scan for scale. JSON.
import { cpus } from 'node:os';
import { compilePattern } from '../src/events/pattern/compile.js';
import { matches } from '../src/events/pattern/match.js';
import { RuleIndex } from '../src/events/pattern/rule-index.js';

const RULES = Number(process.env.BENCH_PATTERN_RULES ?? 1000);
const EVENTS = Number(process.env.BENCH_PATTERN_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_PATTERN_RUNS ?? 3);
const NAIVE_EVENTS = 2000;

/** mulberry32: a small seeded PRNG so every run sees the same rules and events. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(42);
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;

const SOURCES = Array.from({ length: 40 }, (_, i) => (i < 8 ? `aws.${['ec2', 's3', 'ecs', 'rds', 'iam', 'sqs', 'lambda', 'dynamodb'][i]}` : `com.example.app${i}`));
const TYPES = Array.from({ length: 60 }, (_, i) => `${pick(['Order', 'Invoice', 'User', 'Instance', 'Object', 'Task'])} ${pick(['Created', 'Updated', 'Deleted', 'State Change'])} ${i}`);
const STATES = ['pending', 'running', 'stopping', 'stopped', 'terminated', 'failed', 'succeeded', 'queued', 'initializing', 'archived'];
const TIERS = ['gold', 'Silver', 'BRONZE', 'free'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];

function rule(i: number): unknown {
  const source = pick(SOURCES);
  const type = pick(TYPES);
  const kind = i % 100;
  if (kind < 55) {
    const p: Record<string, unknown> = { source: [source], 'detail-type': int(3) === 0 ? [type, pick(TYPES)] : [type] };
    if (int(2) === 0) p.detail = { state: [pick(STATES), pick(STATES)] };
    return p;
  }
  if (kind < 65) return { source: [source], 'detail-type': [{ prefix: type.split(' ')[0] as string }] };
  if (kind < 75) { const lo = int(900); return { source: [source], 'detail-type': [type], detail: { amount: [{ numeric: ['>=', lo, '<', lo + 50 + int(100)] }] } }; }
  if (kind < 83) return { source: [source], 'detail-type': [type], detail: { state: [{ 'anything-but': [pick(STATES), pick(STATES)] }] } };
  if (kind < 90) return { 'detail-type': [type], detail: { path: [{ wildcard: `/data/${pick(REGIONS)}/*.${pick(['csv', 'json', 'png'])}` }] } };
  if (kind < 95) return { source: [source], $or: [{ 'detail-type': [type] }, { detail: { state: [pick(STATES)], amount: [{ numeric: ['>', 900 + int(90)] }] } }] };
  if (kind < 98) return { source: [{ prefix: `com.example.app${10 + int(30)}` }], detail: { customer: { tier: [{ 'equals-ignore-case': pick(TIERS) }] } } };
  return { detail: { ip: [{ cidr: `10.${int(8)}.${int(256)}.0/24` }], customer: { id: [{ exists: true }] } } };
}

function event(i: number): Record<string, unknown> {
  const region = pick(REGIONS);
  return {
    version: '0', id: `ev-${i}`, 'detail-type': pick(TYPES), source: pick(SOURCES), account: '123456789012',
    time: '2024-05-01T12:00:00Z', region, resources: [`arn:aws:ec2:${region}:123456789012:instance/i-${i}`],
    detail: {
      state: pick(STATES), amount: int(1000), ip: `10.${int(8)}.${int(256)}.${int(256)}`,
      path: `/data/${region}/file-${i}.${pick(['csv', 'json', 'png', 'txt'])}`,
      customer: { id: `c-${int(5000)}`, tier: pick(TIERS) },
      items: Array.from({ length: 1 + int(3) }, () => ({ sku: `sku-${int(100)}`, qty: 1 + int(5) })),
    },
  };
}

const t0 = performance.now();
const patterns = Array.from({ length: RULES }, (_, i) => compilePattern(rule(i), 'eventbridge'));
const compileMs = performance.now() - t0;
const index = new RuleIndex<number>();
patterns.forEach((p, i) => index.add(i, p));
const events = Array.from({ length: EVENTS }, (_, i) => event(i));

const runs: { eventsPerSecond: number; ms: number; matchedEvents: number; ruleMatches: number }[] = [];
for (let r = 0; r < RUNS; r++) {
  let matchedEvents = 0, ruleMatches = 0;
  const start = performance.now();
  for (const e of events) {
    const ids = index.match(e);
    if (ids.length > 0) matchedEvents++;
    ruleMatches += ids.length;
  }
  const ms = performance.now() - start;
  runs.push({ eventsPerSecond: Math.round(EVENTS / (ms / 1000)), ms: Math.round(ms), matchedEvents, ruleMatches });
}
const sorted = [...runs].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
const median = sorted[Math.floor(sorted.length / 2)] as (typeof runs)[number];

// The same answers without the index (every pattern tried on every event), on a slice, for scale and as a check.
let disagreements = 0;
const naiveStart = performance.now();
for (const e of events.slice(0, NAIVE_EVENTS)) {
  const naive = patterns.flatMap((p, i) => (matches(p, e) ? [i] : []));
  if (naive.join() !== index.match(e).join()) disagreements++;
}
const naiveMs = performance.now() - naiveStart;

console.log(JSON.stringify({
  bench: 'patterns',
  rules: RULES,
  events: EVENTS,
  runs,
  medianEventsPerSecond: median.eventsPerSecond,
  goalEventsPerSecond: 50_000,
  matchRate: Number((median.matchedEvents / EVENTS).toFixed(4)),
  avgRulesMatchedPerEvent: Number((median.ruleMatches / EVENTS).toFixed(3)),
  compileMsFor1000Rules: Math.round(compileMs),
  naiveScanEventsPerSecond: Math.round(NAIVE_EVENTS / (naiveMs / 1000)),
  indexDisagreesWithNaiveScan: disagreements,
  cpu: cpus()[0]?.model, node: process.version,
  notes: 'one thread; events are parsed objects (JSON.parse not counted); naive scan includes the index check on the same slice',
}, null, 2));
