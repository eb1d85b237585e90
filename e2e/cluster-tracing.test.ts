// Traces on a real control plane, in a real Jaeger: the controller and the router export spans (OTEL_* as the chart
// sets them), the controller hands the OTEL_* variables to the function pod's agent, and one trace runs from the
// caller's traceparent through the router to the pod's agent and the function.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { randomBytes } from 'node:crypto';
import { waitFor } from './helpers/local.js';
import { invokeReady, podDiagnostics, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';
import { jaegerBinaries, parentOf, serviceOf, startJaeger, tagOf, type JaegerTrace, type RunningJaeger } from '../test/helpers/jaeger.js';
import { parseXrayHeader } from '../src/core/trace-context.js';

let jaeger: RunningJaeger;
let k: KlambdaOnCluster;

beforeAll(async () => {
  jaeger = await startJaeger(jaegerBinaries());
  k = await startKlambdaOnCluster({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' } });
}, 45 * 60_000);
afterAll(async () => {
  await k?.stop();
  await jaeger?.stop();
});

it('keeps the caller\'s trace from the router to the function pod\'s agent and the function', async () => {
  await k.cluster.admin.create('/apis/klambda.dev/v1alpha1/namespaces/default/functions', {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'traced' },
    spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => ({ seen: process.env._X_AMZN_TRACE_ID });' } } },
  });
  try {
    await invokeReady(k.lambda, 'traced'); // routed, its pod up
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const cmd = new InvokeCommand({ FunctionName: 'traced', Payload: Buffer.from('{}') });
    cmd.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers.traceparent = `00-${traceId}-${callerSpan}-01`;
      return next(args);
    }, { step: 'build' });
    const out = await k.lambda.send(cmd);
    const seen = (JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as { seen: string }).seen;
    const t: JaegerTrace = await waitFor(async () => {
      const found = await jaeger.trace(traceId);
      return found && ['invoke', 'queue wait', 'run'].every((n) => found.spans.some((s) => s.operationName === n)) ? found : undefined;
    }, 60_000, 'the trace in Jaeger', 200);
    const invoke = t.spans.find((s) => s.operationName === 'invoke')!;
    const run = t.spans.find((s) => s.operationName === 'run')!;
    expect(serviceOf(t, invoke)).toBe('klambda-router');
    expect(parentOf(invoke)).toBe(callerSpan);
    expect(serviceOf(t, run)).toBe('klambda-agent');
    expect(parentOf(run)).toBe(invoke.spanID);
    expect(tagOf(run, 'faas.name')).toBe('traced');
    expect(parseXrayHeader(seen)?.parent).toBe(run.spanID);
  } catch (err) {
    throw new Error(`${String(err)}\n${await podDiagnostics(k)}`);
  }
}, 10 * 60_000);
