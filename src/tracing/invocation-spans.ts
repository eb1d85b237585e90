// The agent's spans of one invocation, below the span its X-Amzn-Trace-Id names: `queue wait` (queued → taken),
// `init` (a cold start's environment init) and `run` (the function's run, whose id the function sees as its Parent).
import type { Invocation } from '../core/invocation.js';
import { contextOfXray, formatXrayHeader } from '../core/trace-context.js';
import type { Tracing } from './tracer.js';

export interface RunEnd {
  outcome: 'ok' | 'error' | 'timeout' | 'crash';
  functionError?: 'Unhandled' | 'Handled';
  initDurationMs?: number;
  initEndedAt?: number;
}

export interface InvocationSpans {
  /** The X-Amzn-Trace-Id the function gets (Lambda-Runtime-Trace-Id, _X_AMZN_TRACE_ID): Parent is the run span. */
  traceHeader: string;
  end(e: RunEnd, at?: number): void;
}

/** Opens `queue wait` (closed at `takenAt`) and `run` (closed by end()). */
export function invocationSpans(tracing: Tracing, inv: Invocation, takenAt: number, attempt: number): InvocationSpans {
  const parent = contextOfXray(inv.traceId);
  const faas = { 'faas.name': inv.functionName, 'faas.version': inv.version, 'faas.invocation_id': inv.requestId };
  tracing.start('queue wait', {
    parent, kind: 'consumer', startTime: Math.min(takenAt, inv.queuedAt ?? inv.acceptedAt),
    attributes: { ...faas, 'messaging.system': 'redis', 'klambda.attempt': attempt },
  }).end(takenAt);
  const run = tracing.start('run', {
    parent, kind: 'server', startTime: takenAt,
    attributes: { ...faas, 'faas.trigger': inv.type === 'RequestResponse' ? 'http' : 'other', 'faas.invocation_type': inv.type },
  });
  return {
    traceHeader: formatXrayHeader(run.context),
    end(e, at) {
      const cold = e.initDurationMs !== undefined;
      run.setAttributes({ 'faas.coldstart': cold, 'klambda.outcome': e.outcome, ...(e.functionError ? { 'klambda.function_error': e.functionError } : {}) });
      if (e.outcome !== 'ok') run.fail(e.outcome === 'error' ? `function error (${e.functionError ?? 'Unhandled'})` : e.outcome);
      if (cold && e.initEndedAt !== undefined) {
        tracing.start('init', { parent, startTime: e.initEndedAt - e.initDurationMs!, attributes: { ...faas, 'faas.coldstart': true } }).end(e.initEndedAt);
      }
      run.end(at);
    },
  };
}
