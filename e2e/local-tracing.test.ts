// Traces of the local mode in a real Jaeger: klambda dev exports OTLP spans (OTEL_EXPORTER_OTLP_ENDPOINT), and through
// Jaeger's query API one trace runs router → queue → agent → function for a sync invoke (continuing the caller's
// traceparent), an async invoke (with its onSuccess destination) and an EventRule's function target; the function's
// _X_AMZN_TRACE_ID names the agent's run span as its parent.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';
import { jaegerBinaries, parentOf, serviceOf, startJaeger, tagOf, type JaegerSpan, type JaegerTrace, type RunningJaeger } from '../test/helpers/jaeger.js';
import { parseXrayHeader, rootOfTraceId, traceIdOfRoot } from '../src/core/trace-context.js';

// logs what it saw, by the event's id (an EventBridge event), its first SQS message's body, or its request id
const traced = fn('traced', 'nodejs20', 'index.handler', {
  'index.mjs': `export const handler = async (event, context) => {
  const seen = process.env._X_AMZN_TRACE_ID;
  console.log('SEEN ' + (event.id ?? event.Records?.[0]?.body ?? context.awsRequestId) + ' ' + seen);
  return { seen };
};`,
}, '  async:\n    onSuccess: {queue: traced-done}\n');

// the Python runtime sets _X_AMZN_TRACE_ID the same way
const tracedPy = fn('traced-py', 'python3.11', 'app.handler', {
  'app.py': `import os
def handler(event, context):
    return {"seen": os.environ.get("_X_AMZN_TRACE_ID")}`,
});

const rule = `apiVersion: klambda.dev/v1alpha1
kind: EventRule
metadata: {name: traced-orders}
spec:
  eventPattern: {source: [tracing.test]}
  targets: [{id: fn, function: traced}]
`;

const mapping = 'apiVersion: klambda.dev/v1alpha1\nkind: EventSourceMapping\nmetadata: {name: traced-jobs}\nspec:\n  source: {queue: traced-jobs}\n  functionName: traced\n';

let jaeger: RunningJaeger;
let f: Fixture;
let events: EventBridgeClient;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  jaeger = await startJaeger(jaegerBinaries());
  // read once by klambda dev as it starts, and inherited by its agents
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
  f = await startFixture({ 'traced.yaml': traced, 'traced-py.yaml': tracedPy, 'rule.yaml': rule, 'mapping.yaml': mapping });
  events = new EventBridgeClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 120_000);
afterAll(async () => {
  events?.destroy();
  await f?.stop();
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  await jaeger?.stop();
});

/** The function's SEEN line for `id`: the X-Amzn-Trace-Id it had. */
const seenBy = (id: string): Promise<string> => waitFor(() => {
  const line = f.logs.find((l) => l.includes(`SEEN ${id} `));
  return line ? line.slice(line.indexOf(`SEEN ${id} `) + `SEEN ${id} `.length).trim() : undefined;
}, 60_000, `the function's log line for ${id}`);

/** The trace once it holds a span of each name. */
const traceWith = (traceId: string, names: string[]): Promise<JaegerTrace> => waitFor(async () => {
  const t = await jaeger.trace(traceId);
  return t && names.every((n) => t.spans.some((s) => s.operationName === n)) ? t : undefined;
}, 60_000, `trace ${traceId} with spans ${names.join(', ')}`, 200);

const span = (t: JaegerTrace, name: string): JaegerSpan => t.spans.find((s) => s.operationName === name)!;

/** queue wait and run of the agent hang below `parent`; the function's header names run as its parent, in the same trace. */
function expectAgentBelow(t: JaegerTrace, parent: JaegerSpan, seen: string, requestId: string): void {
  const wait = span(t, 'queue wait');
  const run = span(t, 'run');
  expect([serviceOf(t, wait), serviceOf(t, run)]).toEqual(['klambda-agent', 'klambda-agent']);
  expect([parentOf(wait), parentOf(run)]).toEqual([parent.spanID, parent.spanID]);
  expect(tagOf(run, 'faas.name')).toBe('traced');
  expect(tagOf(run, 'faas.version')).toBe('$LATEST');
  expect(tagOf(run, 'faas.invocation_id')).toBe(requestId);
  expect(typeof tagOf(run, 'faas.coldstart')).toBe('boolean');
  const x = parseXrayHeader(seen)!;
  expect(traceIdOfRoot(x.root)).toBe(t.traceID);
  expect(x.parent).toBe(run.spanID);
  expect(x.sampled).toBe(true);
}

it('continues an incoming traceparent through the router, the queue and the agent to the function (sync)', async () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const cmd = new InvokeCommand({ FunctionName: 'traced', Payload: Buffer.from('{}') });
  cmd.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers.traceparent = `00-${traceId}-${callerSpan}-01`;
    return next(args);
  }, { step: 'build' });
  const out = await f.lambda.send(cmd);
  const seen = (JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as { seen: string }).seen;
  expect(seen).toMatch(new RegExp(`^Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=[0-9a-f]{16};Sampled=1$`));
  const t = await traceWith(traceId, ['invoke', 'queue wait', 'run']);
  const invoke = span(t, 'invoke');
  expect(serviceOf(t, invoke)).toBe('klambda-router');
  expect(parentOf(invoke)).toBe(callerSpan);
  expect(tagOf(invoke, 'faas.invocation_id')).toBe(out.$metadata.requestId);
  expectAgentBelow(t, invoke, seen, out.$metadata.requestId!);
  // the first run of the environment was its cold start: its init is in the trace
  if (tagOf(span(t, 'run'), 'faas.coldstart') === true) expect(t.spans.some((s) => s.operationName === 'init')).toBe(true);
}, 90_000);

it('gives a Python function the run span as its _X_AMZN_TRACE_ID parent', async () => {
  const traceId = randomBytes(16).toString('hex');
  const cmd = new InvokeCommand({ FunctionName: 'traced-py', Payload: Buffer.from('{}') });
  cmd.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-amzn-trace-id'] = `Root=${rootOfTraceId(traceId)};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
    return next(args);
  }, { step: 'build' });
  const out = await f.lambda.send(cmd);
  const seen = (JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as { seen: string }).seen;
  const t = await traceWith(traceId, ['invoke', 'queue wait', 'run']);
  expect(tagOf(span(t, 'run'), 'faas.name')).toBe('traced-py');
  expect(parseXrayHeader(seen)?.parent).toBe(span(t, 'run').spanID);
}, 90_000);

it('keeps an async invocation in its trace across the queue, to its onSuccess destination', async () => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'traced', InvocationType: 'Event', Payload: Buffer.from('{}') }));
  expect(out.StatusCode).toBe(202);
  const requestId = out.$metadata.requestId!;
  const seen = await seenBy(requestId);
  const traceId = traceIdOfRoot(parseXrayHeader(seen)!.root);
  const t = await traceWith(traceId, ['invoke', 'queue wait', 'run', 'destination']);
  const invoke = span(t, 'invoke');
  expect(serviceOf(t, invoke)).toBe('klambda-router');
  expect(parentOf(invoke)).toBeUndefined();
  expect(tagOf(invoke, 'faas.invocation_type')).toBe('Event');
  expectAgentBelow(t, invoke, seen, requestId);
  const destination = span(t, 'destination');
  expect(serviceOf(t, destination)).toBe('klambda-controller');
  expect(parentOf(destination)).toBe(invoke.spanID);
  expect(tagOf(destination, 'klambda.destination.condition')).toBe('Success');
  expect(tagOf(destination, 'klambda.destination')).toBe('traced-done');
}, 90_000);

it('carries a PutEvents call\'s trace to the EventRule\'s function target', async () => {
  const out = await events.send(new PutEventsCommand({ Entries: [{ Source: 'tracing.test', DetailType: 'order', Detail: '{"n":1}' }] }));
  const eventId = out.Entries![0]!.EventId!;
  const seen = await seenBy(eventId);
  const traceId = traceIdOfRoot(parseXrayHeader(seen)!.root);
  const t = await traceWith(traceId, ['PutEvents', 'queue wait', 'run']);
  const put = span(t, 'PutEvents');
  expect(serviceOf(t, put)).toBe('klambda-router');
  const run = span(t, 'run');
  expectAgentBelow(t, put, seen, String(tagOf(run, 'faas.invocation_id')));
  expect(tagOf(run, 'faas.invocation_type')).toBe('Event');
}, 90_000);

it('carries a SendMessage call\'s trace through the queue to the function its mapping invokes', async () => {
  const sqs = new SQSClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'traced-jobs' }));
    const body = `job-${randomBytes(4).toString('hex')}`;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const seen = await seenBy(body);
    const traceId = traceIdOfRoot(parseXrayHeader(seen)!.root);
    const t = await traceWith(traceId, ['SendMessage', 'queue wait', 'run']);
    const send = span(t, 'SendMessage');
    expect(serviceOf(t, send)).toBe('klambda-router');
    expectAgentBelow(t, send, seen, String(tagOf(span(t, 'run'), 'faas.invocation_id')));
  } finally {
    sqs.destroy();
  }
}, 90_000);
