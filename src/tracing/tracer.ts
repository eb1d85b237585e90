// Spans out of a klambda process through the OpenTelemetry SDK (OTLP over HTTP), configured by the standard OTEL_*
// variables; a no-op when no OTLP endpoint is set, and then the SDK is not even loaded.
import type { Logger } from '../core/logger.js';
import type { TraceContext } from '../core/trace-context.js';

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
export type SpanAttributes = Record<string, string | number | boolean>;

export interface SpanOptions {
  /** The span this one continues (from a header or an invocation's X-Amzn-Trace-Id); none: a new trace. */
  parent?: TraceContext | undefined;
  kind?: SpanKind;
  /** Epoch ms; default now. */
  startTime?: number;
  attributes?: SpanAttributes;
}

export interface Span {
  /** Its own ids: what its children name as their parent. */
  readonly context: TraceContext;
  setAttributes(attributes: SpanAttributes): void;
  rename(name: string): void;
  /** Marks it failed (status ERROR). */
  fail(message: string): void;
  /** Epoch ms; default now. */
  end(endTime?: number): void;
}

export interface Tracing {
  readonly enabled: boolean;
  start(name: string, opts?: SpanOptions): Span;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

const NO_SPAN: Span = {
  context: { traceId: '0'.repeat(32), spanId: '0'.repeat(16), sampled: false },
  setAttributes() {},
  rename() {},
  fail() {},
  end() {},
};

/** The SDK's diagnostics go to the first logger given (they are one per process). */
let diagLogged = false;

/** Tracing off: every call returns at once. */
export const NO_TRACING: Tracing = { enabled: false, start: () => NO_SPAN, shutdown: async () => {} };

/** Whether the environment asks for spans: an OTLP endpoint is set, and neither the SDK nor the exporter is turned off. */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * The OTEL_* variables an agent pod gets from the controller's: all but the service name (an agent's is its own), the
 * headers (a collector's credentials would be readable in every function namespace's Deployments) and file paths of
 * certificates and keys (not in the pod).
 */
export function agentTracingEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('OTEL_') || value === undefined || name === 'OTEL_SERVICE_NAME') continue;
    if (/^OTEL_EXPORTER_OTLP_(TRACES_)?(HEADERS|CERTIFICATE|CLIENT_CERTIFICATE|CLIENT_KEY)$/.test(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The process's tracing, from its environment: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT,
 * OTEL_SERVICE_NAME (default `serviceName`), OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_* — read by
 * the SDK as its specification says. Only OTLP over HTTP/protobuf-or-JSON is spoken (the HTTP exporter's JSON).
 */
export async function startTracing(env: NodeJS.ProcessEnv, serviceName: string, logger?: Logger): Promise<Tracing> {
  if (!tracingWanted(env)) return NO_TRACING;
  const api = await import('@opentelemetry/api');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes, detectResources, envDetector } = await import('@opentelemetry/resources');
  // the SDK's own complaints (an export that failed, a bad variable) go to the process's log, not nowhere
  if (logger && !diagLogged) {
    diagLogged = true;
    const log = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => logger[level]({ msg: `tracing: ${message}`, detail: args.map(String).join(' ') });
    api.diag.setLogger({ error: log('error'), warn: log('warn'), info: () => {}, debug: () => {}, verbose: () => {} }, api.DiagLogLevel.WARN);
  }
  const resource = resourceFromAttributes({ 'service.name': serviceName }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  const tracer = provider.getTracer('klambda');
  const KINDS: Record<SpanKind, number> = {
    internal: api.SpanKind.INTERNAL, server: api.SpanKind.SERVER, client: api.SpanKind.CLIENT,
    producer: api.SpanKind.PRODUCER, consumer: api.SpanKind.CONSUMER,
  };
  logger?.info({ msg: 'tracing on: spans go out over OTLP', service: env.OTEL_SERVICE_NAME ?? serviceName });
  return {
    enabled: true,
    start(name, opts = {}) {
      const p = opts.parent;
      const ctx = p
        ? api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: p.traceId, spanId: p.spanId, traceFlags: p.sampled ? 1 : 0, isRemote: true })
        : api.ROOT_CONTEXT;
      const span = tracer.startSpan(name, {
        kind: KINDS[opts.kind ?? 'internal'],
        ...(opts.startTime !== undefined ? { startTime: opts.startTime } : {}),
        ...(opts.attributes ? { attributes: opts.attributes } : {}),
      }, ctx);
      const sc = span.spanContext();
      return {
        context: { traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & 1) === 1 },
        setAttributes: (a) => { span.setAttributes(a); },
        rename: (n) => { span.updateName(n); },
        fail: (message) => { span.setStatus({ code: api.SpanStatusCode.ERROR, message }); },
        end: (t) => { span.end(t); },
      };
    },
    async shutdown() {
      await provider.shutdown().catch((err: unknown) => logger?.warn({ msg: 'spans not flushed at shutdown', error: String(err) }));
    },
  };
}
