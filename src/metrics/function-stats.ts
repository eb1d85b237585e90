// The per-version stats hash the agents count into (pure): the fields one invocation adds, and the figures a hash holds.
// Agents write with HINCRBY only (integers): sums are kept in microseconds, histogram buckets per bucket (not
// cumulative), counts derived from the buckets, so one invocation is one atomic set of increments.
import { bucketIndex, DURATION_BUCKETS, EVENT_AGE_BUCKETS, INIT_DURATION_BUCKETS } from './buckets.js';

/**
 * How an invocation the agent ran ended; `caller_gone`: a sync invocation dropped unrun, its caller had stopped
 * waiting; `expired`: an async event not run, older than its maximumEventAgeSeconds (it goes to its failure destination).
 */
export const FUNCTION_OUTCOMES = ['success', 'function_error', 'timeout', 'crash', 'caller_gone', 'expired'] as const;
export type FunctionOutcome = (typeof FUNCTION_OUTCOMES)[number];

/** Outcomes that are errors of the function (Lambda's Errors metric): not success, and not the caller's leaving. */
export const ERROR_OUTCOMES: readonly FunctionOutcome[] = ['function_error', 'timeout', 'crash'];

/** What the agent knows of one delivery when it acks (or releases) it. */
export interface InvocationSample {
  outcome: FunctionOutcome;
  /** Unset for an invocation that did not run (caller_gone). */
  durationMs?: number;
  /** Set on a cold start: the first invocation after an init. */
  initDurationMs?: number;
  /** Async only: ms from the router's accept to the start of this delivery. */
  eventAgeMs?: number;
  /** 1 on the first delivery; more is a redelivery (an async retry, or a lost consumer's job run again). */
  attempt: number;
}

export type StatsIncrement = [field: string, by: number];

const HISTOGRAMS = {
  dur: DURATION_BUCKETS,
  init: INIT_DURATION_BUCKETS,
  age: EVENT_AGE_BUCKETS,
} as const;
type HistogramKey = keyof typeof HISTOGRAMS;

function observe(out: StatsIncrement[], key: HistogramKey, ms: number): void {
  const seconds = Math.max(0, ms) / 1000;
  out.push([`${key}:${bucketIndex(HISTOGRAMS[key], seconds)}`, 1], [`${key}:sum_us`, Math.round(seconds * 1e6)]);
}

/** The HINCRBY field/increment pairs of one delivery. */
export function sampleIncrements(s: InvocationSample): StatsIncrement[] {
  const out: StatsIncrement[] = [[`inv:${s.outcome}`, 1]];
  if (s.attempt > 1) out.push(['retries', 1]);
  if (s.durationMs !== undefined) observe(out, 'dur', s.durationMs);
  if (s.initDurationMs !== undefined) {
    out.push(['cold_starts', 1]);
    observe(out, 'init', s.initDurationMs);
  }
  if (s.eventAgeMs !== undefined) observe(out, 'age', s.eventAgeMs);
  return out;
}

/** The increment that records one dead-lettered event (written by whoever gives the event up). */
export const deadLetterIncrement = (): StatsIncrement => ['dead_letters', 1];

export interface HistogramSnapshot {
  bounds: readonly number[];
  /** Cumulative counts per bound (le), without +Inf (that is `count`). */
  cumulative: number[];
  count: number;
  /** Seconds. */
  sum: number;
}

export interface FunctionStats {
  invocations: Record<FunctionOutcome, number>;
  errors: number;
  coldStarts: number;
  retries: number;
  deadLetters: number;
  duration: HistogramSnapshot;
  initDuration: HistogramSnapshot;
  eventAge: HistogramSnapshot;
}

const int = (raw: string | undefined): number => {
  const n = Number(raw ?? 0);
  return Number.isFinite(n) ? n : 0;
};

function histogram(hash: Readonly<Record<string, string>>, key: HistogramKey): HistogramSnapshot {
  const bounds = HISTOGRAMS[key];
  const cumulative: number[] = [];
  let running = 0;
  for (let i = 0; i < bounds.length; i++) {
    running += int(hash[`${key}:${i}`]);
    cumulative.push(running);
  }
  const count = running + int(hash[`${key}:${bounds.length}`]);
  return { bounds, cumulative, count, sum: int(hash[`${key}:sum_us`]) / 1e6 };
}

/** The figures of one stats hash (HGETALL); an empty hash is all zeros. Unknown fields are ignored. */
export function parseStats(hash: Readonly<Record<string, string>>): FunctionStats {
  const invocations = Object.fromEntries(FUNCTION_OUTCOMES.map((o) => [o, int(hash[`inv:${o}`])])) as Record<FunctionOutcome, number>;
  return {
    invocations,
    errors: ERROR_OUTCOMES.reduce((s, o) => s + invocations[o], 0),
    coldStarts: int(hash.cold_starts),
    retries: int(hash.retries),
    deadLetters: int(hash.dead_letters),
    duration: histogram(hash, 'dur'),
    initDuration: histogram(hash, 'init'),
    eventAge: histogram(hash, 'age'),
  };
}
