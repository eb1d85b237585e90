// The execution environment with real python3.11 runtime processes.
import { decodeTail, fixtureSpec, invocation } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';

const environment = useEnvironments();

describe('ExecutionEnvironment with python3.11', () => {
  it('runs a module.function handler with a Lambda context, warm between invocations', async () => {
    const spec = fixtureSpec('python', 'python3.11', 'app.handler', { environment: { GREETING: 'bonjour' } });
    const { env } = environment(spec);
    await env.start();
    const inv = invocation(spec, { n: 1 }, { logTail: true });
    const res = await env.invoke(inv);
    expect(res.outcome).toBe('ok');
    expect(JSON.parse(res.payload)).toEqual({
      count: 1, event: { n: 1 }, greeting: 'bonjour', executionEnv: 'AWS_Lambda_python3.11',
      context: {
        aws_request_id: inv.requestId, function_name: 'python', function_version: '$LATEST', invoked_function_arn: spec.functionArn,
        memory_limit_in_mb: '128', log_group_name: '/aws/lambda/python', log_stream_name: expect.stringContaining('[$LATEST]'),
      },
    });
    const tail = decodeTail(res.logResult);
    expect(tail).toContain("hello from python {'n': 1}");
    expect(tail).toMatch(new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${inv.requestId}\\tlogged with the request id`));
    expect(tail).toMatch(/REPORT RequestId: [^\n]*Init Duration/);
    expect(JSON.parse((await env.invoke(invocation(spec))).payload).count).toBe(2);
  });

  it('gives a context whose remaining time decreases', async () => {
    const spec = fixtureSpec('python', 'python3.11', 'app.remaining');
    const { env } = environment(spec);
    const { first, second } = JSON.parse((await env.invoke(invocation(spec))).payload);
    expect(first).toBeLessThanOrEqual(3000);
    expect(first).toBeGreaterThan(2000);
    expect(second).toBeLessThanOrEqual(first - 40);
  });

  it('reports a raised exception with errorType, errorMessage and stackTrace', async () => {
    const spec = fixtureSpec('python', 'python3.11', 'app.boom');
    const { env } = environment(spec);
    const res = await env.invoke(invocation(spec, {}, { logTail: true }));
    expect(res.outcome).toBe('error');
    expect(res.functionError).toBe('Unhandled');
    const err = JSON.parse(res.payload);
    expect(err).toMatchObject({ errorType: 'ValueError', errorMessage: 'python says no' });
    expect(err.stackTrace.join('')).toContain('app.py');
    expect(err.stackTrace.join('')).not.toContain('bootstrap.py');
    expect(decodeTail(res.logResult)).toContain('[ERROR] ValueError: python says no');
  });
});
