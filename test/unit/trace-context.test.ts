// Trace context in W3C traceparent and X-Ray X-Amzn-Trace-Id form: parsing, refusals, and the mapping between them.
import {
  contextOfXray, formatTraceparent, formatXrayHeader, incomingContext, incomingTraceHeader, parseTraceparent, parseXrayHeader,
  rootOfTraceId, traceIdOfRoot,
} from '../../src/core/trace-context.js';
import { newTraceId } from '../../src/core/ids.js';
import { agentEnvironment } from '../../src/backends/agent-environment.js';
import { agentContainer } from '../../src/controller/resources/pod-containers.js';
import { agentTracingEnv } from '../../src/tracing/tracer.js';

const TRACE = '5759e988bd862e3fe1be46a994272793';
const SPAN = '53995c3f42cd8ad8';

it('reads a traceparent and writes it back the same', () => {
  const header = `00-${TRACE}-${SPAN}-01`;
  expect(parseTraceparent(header)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
  expect(formatTraceparent(parseTraceparent(header)!)).toBe(header);
  expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
  // a later version may add fields after the flags
  expect(parseTraceparent(`01-${TRACE}-${SPAN}-03-extra`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
});

it.each([
  ['version ff', `ff-${TRACE}-${SPAN}-01`],
  ['version 00 with more fields', `00-${TRACE}-${SPAN}-01-x`],
  ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
  ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
  ['upper case', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
  ['a short trace id', `00-${TRACE.slice(2)}-${SPAN}-01`],
  ['garbage', 'hello'],
])('refuses a traceparent with %s', (_what, header) => {
  expect(parseTraceparent(header)).toBeUndefined();
});

it('maps an X-Ray root to the W3C trace id of its 32 hex digits, and back', () => {
  expect(traceIdOfRoot('1-5759e988-bd862e3fe1be46a994272793')).toBe(TRACE);
  expect(rootOfTraceId(TRACE)).toBe('1-5759e988-bd862e3fe1be46a994272793');
});

it('reads X-Amzn-Trace-Id fields in any order, with Sampled open when absent or ?', () => {
  expect(parseXrayHeader(`Sampled=1;Parent=${SPAN};Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a:1`))
    .toEqual({ root: '1-5759e988-bd862e3fe1be46a994272793', parent: SPAN, sampled: true });
  expect(parseXrayHeader('Root=1-5759e988-bd862e3fe1be46a994272793')).toEqual({ root: '1-5759e988-bd862e3fe1be46a994272793' });
  expect(parseXrayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?')?.sampled).toBeUndefined();
  expect(parseXrayHeader('Root=2-5759e988-bd862e3fe1be46a994272793')).toBeUndefined();
  expect(parseXrayHeader(`Parent=${SPAN}`)).toBeUndefined();
  expect(parseXrayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz')).toEqual({ root: '1-5759e988-bd862e3fe1be46a994272793' });
});

it('turns a span context into the X-Amzn-Trace-Id a function sees, and that header back into the context', () => {
  const c = { traceId: TRACE, spanId: SPAN, sampled: true };
  expect(formatXrayHeader(c)).toBe(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${SPAN};Sampled=1`);
  expect(contextOfXray(formatXrayHeader(c))).toEqual(c);
  expect(contextOfXray(formatXrayHeader({ ...c, sampled: false }))?.sampled).toBe(false);
  // no Parent: no span to continue
  expect(contextOfXray('Root=1-5759e988-bd862e3fe1be46a994272793')).toBeUndefined();
  // klambda's own new trace ids read back as contexts
  expect(contextOfXray(newTraceId(Date.now()))).toMatchObject({ sampled: false });
});

it('prefers a valid traceparent over X-Amzn-Trace-Id, and passes a valid X-Amzn-Trace-Id on unchanged', () => {
  const xray = 'Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1;Lineage=x';
  const tp = `00-${TRACE}-${SPAN}-01`;
  expect(incomingTraceHeader(xray, tp)).toBe(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${SPAN};Sampled=1`);
  expect(incomingTraceHeader(xray, 'bad')).toBe(xray);
  expect(incomingTraceHeader('nonsense', undefined)).toBeUndefined();
  expect(incomingContext(xray, tp)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
  expect(incomingContext(xray, undefined)).toEqual({ traceId: '11111111222222222222222222222222', spanId: '3333333333333333', sampled: true });
  expect(incomingContext(undefined, undefined)).toBeUndefined();
});

it('gives an agent process the OTEL_* variables and nothing else of klambda\'s', () => {
  const env = agentEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'x', REDIS_URL: 'redis://secret', PATH: '/bin' }, '{}');
  expect(env).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'x', PATH: '/bin', KLAMBDA_AGENT_CONFIG: '{}' });
});

it('gives an agent pod the controller\'s OTEL_* variables but its service name, the collector\'s credentials and file paths', () => {
  const env = agentTracingEnv({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'klambda-controller', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', HOME: '/root',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer s3cret', OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: '/etc/ca.pem',
  });
  expect(env).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' });
  expect(agentContainer('k:1', '{}', {}, env).env).toEqual([
    { name: 'KLAMBDA_AGENT_CONFIG', value: '{}' },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://collector:4318' },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
  ]);
});
