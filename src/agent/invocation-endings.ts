// How an invocation ends (pure): the END/REPORT lines and the result for each outcome, and the answer to an invoke whose init failed.
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { Invocation, InvocationResult } from '../core/invocation.js';
import { endLine, reportLine, startLine, type ReportFields } from './log-lines.js';
import { exitErrorPayload, InitError, outOfMemoryPayload, responseTooLargePayload, timeoutPayload } from './runtime-errors.js';
import { MAX_STREAMED_RESPONSE_BYTES } from './response-stream.js';

export type InvokeOutcome = 'ok' | 'error' | 'timeout' | 'crash';
/**
 * `initDurationMs` is set on a cold start (the first invocation after an init), with `initEndedAt` (epoch ms); they are
 * for metrics and spans, never in the reply.
 */
export type EnvironmentInvokeResult = InvocationResult & { outcome: InvokeOutcome; initDurationMs?: number; initEndedAt?: number };

/** What ended an invocation, before timing and memory are known. */
export interface Ending {
  outcome: InvokeOutcome;
  payload: string;
  functionError?: 'Unhandled';
  report?: Pick<ReportFields, 'status' | 'errorType' | 'billedDurationMs'>;
  /** REPORT's Max Memory Used is then the memory size, as Lambda's cgroup never lets it be more. */
  outOfMemory?: boolean;
}

export const okEnding = (payload: string): Ending => ({ outcome: 'ok', payload });

export const errorEnding = (payload: string): Ending => ({ outcome: 'error', payload, functionError: 'Unhandled' });

export const tooLargeEnding = (): Ending => errorEnding(responseTooLargePayload());

/** A streamed response passed Lambda's 20 MiB: it ends there, with the error. */
export const streamTooLargeEnding = (): Ending => errorEnding(JSON.stringify({
  errorType: 'Function.ResponseSizeTooLarge',
  errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_STREAMED_RESPONSE_BYTES} bytes).`,
}));

export const timeoutEnding = (requestId: string, timeoutSeconds: number): Ending => ({
  outcome: 'timeout', functionError: 'Unhandled', payload: timeoutPayload(requestId, timeoutSeconds),
  report: { status: 'timeout', billedDurationMs: timeoutSeconds * 1000 },
});

export const crashEnding = (requestId: string, code: number | null, signal: string | null): Ending => ({
  outcome: 'crash', functionError: 'Unhandled', payload: exitErrorPayload(requestId, code, signal),
  report: { status: 'error', errorType: 'Runtime.ExitError' },
});

/** The function's processes held more than its memory: killed, and the environment reset, as Lambda's cgroup OOM does. */
export const outOfMemoryEnding = (requestId: string): Ending => ({
  outcome: 'crash', functionError: 'Unhandled', payload: outOfMemoryPayload(requestId),
  report: { status: 'error', errorType: 'Runtime.OutOfMemory' }, outOfMemory: true,
});

/** An init failed while an invocation waited for it: Lambda answers with the init error. */
export const initFailedEnding = (e: InitError): Ending => ({
  outcome: 'error', functionError: 'Unhandled', payload: JSON.stringify({ errorType: e.errorType, errorMessage: e.errorMessage }),
  report: { status: 'error', errorType: e.errorType },
});

export interface Measured {
  durationMs: number;
  maxMemoryUsedMB: number;
  /** Set on the first invocation after an init. */
  initDurationMs: number | undefined;
}

/** The result of an invocation (logResult is added by whoever holds its log tail). */
export function invocationResult(spec: EnvironmentSpec, requestId: string, durationMs: number, end: Ending): EnvironmentInvokeResult {
  const result: EnvironmentInvokeResult = {
    requestId, payload: end.payload, executedVersion: spec.version, durationMs: Math.round(durationMs * 100) / 100, outcome: end.outcome,
  };
  if (end.functionError) result.functionError = end.functionError;
  return result;
}

/** The END and REPORT lines. */
export function endLines(spec: EnvironmentSpec, requestId: string, m: Measured, end: Ending): string[] {
  const maxMemoryUsedMB = end.outOfMemory ? spec.memoryMB : m.maxMemoryUsedMB;
  const report: ReportFields = { requestId, durationMs: m.durationMs, memorySizeMB: spec.memoryMB, maxMemoryUsedMB, ...end.report };
  if (m.initDurationMs !== undefined) report.initDurationMs = m.initDurationMs;
  return [endLine(requestId), reportLine(report)];
}

/** An invoke answered with an init error without running: its START/END/REPORT lines and its result. */
export function initFailureOutcome(spec: EnvironmentSpec, inv: Invocation, e: InitError): { lines: string[]; result: EnvironmentInvokeResult } {
  const end = initFailedEnding(e);
  const lines = endLines(spec, inv.requestId, { durationMs: 0, maxMemoryUsedMB: 0, initDurationMs: undefined }, end);
  return { lines: [startLine(inv.requestId, spec.version), ...lines], result: invocationResult(spec, inv.requestId, 0, end) };
}

export const asInitError = (err: unknown): InitError =>
  err instanceof InitError ? err : new InitError('Runtime.Unknown', err instanceof Error ? err.message : String(err));
