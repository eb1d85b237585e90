// What happens to an asynchronous invocation after each run (pure): retry it later, send it to a destination, or give it up.
import type { AsyncConfig, Destination } from '../api/function.js';
import type { InvocationResult } from './invocation.js';

/** Lambda's retry delays after a function error or timeout: about 1 minute, then 2 minutes. */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

/** Lambda's backoff for events that meet a system error (here: their consumer went away): from 1 s, doubling, up to 5 min. */
export const SYSTEM_ERROR_BACKOFF = { baseMs: 1000, maxMs: 300_000 } as const;

/** That backoff in real ms on `clock` (WorkQueueOptions.eventBackoff). */
export const systemErrorBackoff = (clock: AsyncClock): { baseMs: number; maxMs: number } =>
  ({ baseMs: clock.realMs(SYSTEM_ERROR_BACKOFF.baseMs), maxMs: clock.realMs(SYSTEM_ERROR_BACKOFF.maxMs) });

/** The async settings an event carries from the moment the router accepted it (so a retry obeys what the caller got). */
export interface AsyncSettings {
  /** 0..2: runs after the first that a function error or timeout earns. */
  maximumRetryAttempts: number;
  /** 60..21600 s: past acceptedAt + this (on the async clock) the event is no longer run. */
  maximumEventAgeSeconds: number;
  onSuccess?: Destination;
  onFailure?: Destination;
  /** Lambda's DeadLetterConfig: where a failed event also goes (its payload, with the error), beside onFailure. */
  deadLetter?: Destination;
  /** Runs that ended so far (0 on the first delivery); a retry carries its count up. */
  invokeCount?: number;
}

/** The settings an event carries, from a version's async config (AWS's defaults for what it leaves out). */
export function asyncSettings(config: Partial<AsyncConfig> | undefined): AsyncSettings {
  const s: AsyncSettings = { maximumRetryAttempts: config?.maximumRetryAttempts ?? 2, maximumEventAgeSeconds: config?.maximumEventAgeSeconds ?? 21_600 };
  if (config?.onSuccess) s.onSuccess = config.onSuccess;
  if (config?.onFailure) s.onFailure = config.onFailure;
  if (config?.deadLetter) s.deadLetter = config.deadLetter;
  return s;
}

export type FailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

/** How one delivery of an async event ended, as the agent records it for the dispatcher. */
export interface AsyncOutcome {
  /** The invocation as it was queued (JSON text, so a retry re-queues it unchanged but for its count). */
  invocation: string;
  /** The run's result; absent when the event was not run (too old when taken, or given up after its consumer died). */
  result?: InvocationResult;
  /** Set when the event was not run: why. */
  notRun?: 'EventAgeExceeded' | 'DeliveryFailed';
}

export type AsyncDecision =
  | { kind: 'retry'; /** epoch ms (real) */ dueAt: number; invokeCount: number }
  | { kind: 'success'; destination?: Destination; invokeCount: number }
  | { kind: 'failure'; condition: FailureCondition; destination?: Destination; deadLetter?: Destination; invokeCount: number };

/** The async clock: real time, or time sped up by `speed` (tests) — one factor for every delay and every age. */
export interface AsyncClock {
  now(): number;
  /** Real milliseconds that `policyMs` of AWS time take on this clock. */
  realMs(policyMs: number): number;
}

export function asyncClock(speed = 1, now: () => number = Date.now): AsyncClock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`async time scale must be a positive number, got ${speed}`);
  return { now, realMs: (policyMs) => policyMs / speed };
}

/** The async clock of a process: KLAMBDA_ASYNC_TIME_SCALE speeds it up (e.g. 600: one minute is 100 ms); default real time. */
export function asyncClockFromEnv(env: Record<string, string | undefined>): AsyncClock {
  const raw = env.KLAMBDA_ASYNC_TIME_SCALE;
  return asyncClock(raw === undefined || raw === '' ? 1 : Number(raw));
}

/** Epoch ms (real) after which the event is too old to run. */
export const expiresAt = (acceptedAt: number, settings: Pick<AsyncSettings, 'maximumEventAgeSeconds'>, clock: AsyncClock): number =>
  acceptedAt + clock.realMs(settings.maximumEventAgeSeconds * 1000);

/** The retry delay before run `invokeCount + 1` (after `invokeCount` runs ended in an error). */
export const retryDelayMs = (invokeCount: number): number =>
  RETRY_DELAYS_MS[Math.min(invokeCount - 1, RETRY_DELAYS_MS.length - 1)] ?? RETRY_DELAYS_MS[0]!;

const failure = (s: AsyncSettings, condition: FailureCondition, invokeCount: number): AsyncDecision => {
  const d: AsyncDecision = { kind: 'failure', condition, invokeCount };
  if (s.onFailure) d.destination = s.onFailure;
  if (s.deadLetter) d.deadLetter = s.deadLetter;
  return d;
};

/**
 * Decides what follows one delivery of an async event: a success goes to onSuccess; a function error or timeout is
 * retried after 1 then 2 minutes while retries remain and the retry would still be young enough; otherwise it fails
 * (RetriesExhausted or EventAgeExceeded) to onFailure / the dead-letter target.
 */
export function decideAsync(outcome: AsyncOutcome, settings: AsyncSettings, acceptedAt: number, clock: AsyncClock): AsyncDecision {
  const before = settings.invokeCount ?? 0;
  if (outcome.notRun === 'EventAgeExceeded') return failure(settings, 'EventAgeExceeded', before);
  if (outcome.notRun === 'DeliveryFailed' || !outcome.result) return failure(settings, 'RetriesExhausted', before);
  const invokeCount = before + 1;
  if (!outcome.result.functionError) {
    const d: AsyncDecision = { kind: 'success', invokeCount };
    if (settings.onSuccess) d.destination = settings.onSuccess;
    return d;
  }
  if (invokeCount > settings.maximumRetryAttempts) return failure(settings, 'RetriesExhausted', invokeCount);
  const dueAt = clock.now() + clock.realMs(retryDelayMs(invokeCount));
  if (dueAt > expiresAt(acceptedAt, settings, clock)) return failure(settings, 'EventAgeExceeded', invokeCount);
  return { kind: 'retry', dueAt, invokeCount };
}

/** Lambda's destination record (what an onSuccess/onFailure function or queue receives). */
export interface DestinationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: 'Success' | FailureCondition; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

const parsed = (text: string): unknown => {
  try { return JSON.parse(text); } catch { return text; }
};

export function destinationRecord(args: {
  requestId: string; functionArn: string; payload: string; condition: 'Success' | FailureCondition;
  invokeCount: number; result?: InvocationResult; now: number;
}): DestinationRecord {
  const record: DestinationRecord = {
    version: '1.0',
    timestamp: new Date(args.now).toISOString(),
    requestContext: { requestId: args.requestId, functionArn: args.functionArn, condition: args.condition, approximateInvokeCount: args.invokeCount },
    requestPayload: parsed(args.payload),
  };
  const r = args.result;
  if (r) {
    record.responseContext = { statusCode: 200, executedVersion: r.executedVersion, ...(r.functionError ? { functionError: r.functionError } : {}) };
    record.responsePayload = parsed(r.payload);
  }
  return record;
}
