// The execution environment with real node runtime processes (fixtures in test/fixtures/functions).
import { decodeTail, fixtureSpec, invocation } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';

const environment = useEnvironments();

describe('ExecutionEnvironment with nodejs20', () => {
  it('runs an ESM async handler and reuses the warm environment', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.handler', { environment: { GREETING: 'hi' } });
    const { env } = environment(spec);
    const { initDurationMs } = await env.start();
    expect(initDurationMs).toBeGreaterThan(0);

    const inv = invocation(spec, { name: 'ada' });
    const first = await env.invoke(inv);
    expect(first.outcome).toBe('ok');
    expect(first.functionError).toBeUndefined();
    expect(first.requestId).toBe(inv.requestId);
    expect(first.executedVersion).toBe('$LATEST');
    const body = JSON.parse(first.payload);
    expect(body).toMatchObject({ count: 1, event: { name: 'ada' }, greeting: 'hi', cwd: spec.codeDir });
    expect(body.context).toEqual({
      awsRequestId: inv.requestId, functionName: 'node-esm', functionVersion: '$LATEST', invokedFunctionArn: spec.functionArn,
      memoryLimitInMB: '128', logGroupName: '/aws/lambda/node-esm', logStreamName: expect.stringMatching(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/),
      clientContext: null,
    });

    const second = await env.invoke(invocation(spec, { name: 'bob' }));
    expect(JSON.parse(second.payload).count).toBe(2);
  });

  it("shows the function Lambda's environment variables and none of the agent's", async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.handler', { environment: { GREETING: 'hello', AWS_REGION: 'nope' } });
    const { env } = environment(spec);
    process.env.KLAMBDA_AGENT_ONLY = 'secret';
    const res = await env.invoke(invocation(spec)).finally(() => delete process.env.KLAMBDA_AGENT_ONLY);
    const { env: seen, greeting } = JSON.parse(res.payload);
    expect(greeting).toBe('hello');
    expect(seen).toMatchObject({
      handler: 'index.handler', taskRoot: spec.codeDir, functionName: 'node-esm', region: 'us-east-1',
      executionEnv: 'AWS_Lambda_nodejs20.x', memory: '128', tz: ':UTC', logGroup: '/aws/lambda/node-esm', agentOnly: null,
      traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    expect(seen.tmpdir).toMatch(/klambda-env-/);
    expect(seen.home).toBe(seen.tmpdir);
  });

  it('passes the client context through, decoded', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.handler');
    const { env } = environment(spec);
    const clientContext = Buffer.from(JSON.stringify({ custom: { app: 'demo' } })).toString('base64');
    const res = await env.invoke(invocation(spec, {}, { clientContext }));
    expect(JSON.parse(res.payload).context.clientContext).toEqual({ custom: { app: 'demo' } });
  });

  it('gives a context whose remaining time decreases', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.remaining', { timeoutSeconds: 5 });
    const { env } = environment(spec);
    const { first, second } = JSON.parse((await env.invoke(invocation(spec))).payload);
    expect(first).toBeLessThanOrEqual(5000);
    expect(first).toBeGreaterThan(4000);
    expect(second).toBeLessThanOrEqual(first - 40);
  });

  it('runs a CommonJS callback handler, also from a subfolder', async () => {
    const spec = fixtureSpec('node-cjs', 'nodejs20', 'handler.handler');
    const { env } = environment(spec);
    const inv = invocation(spec, { name: 'cjs' });
    expect(JSON.parse((await env.invoke(inv)).payload)).toEqual({ count: 1, name: 'cjs', requestId: inv.requestId });
    expect(JSON.parse((await env.invoke(invocation(spec, { name: 'again' }))).payload).count).toBe(2);

    const nested = fixtureSpec('node-cjs', 'nodejs20', 'lib/nested.handler');
    const { env: env2 } = environment(nested);
    expect(JSON.parse((await env2.invoke(invocation(nested))).payload)).toEqual({ nested: true });
  });

  it('sends a callback result once the event loop is empty, unless told not to wait', async () => {
    const waits = fixtureSpec('node-cjs', 'nodejs20', 'handler.waits');
    const { env } = environment(waits);
    const res = await env.invoke(invocation(waits, {}, { logTail: true }));
    expect(JSON.parse(res.payload)).toBe('answered');
    expect(decodeTail(res.logResult)).toMatch(/timer after the callback[\s\S]*END RequestId/);

    const noWait = fixtureSpec('node-cjs', 'nodejs20', 'handler.noWait');
    const { env: env2 } = environment(noWait);
    const res2 = await env2.invoke(invocation(noWait, {}, { logTail: true }));
    expect(JSON.parse(res2.payload)).toBe('answered at once');
    expect(decodeTail(res2.logResult)).not.toContain('timer after the callback');
  });

  it('reports a thrown error as Unhandled with its type, message and stack', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.boom');
    const { env } = environment(spec);
    const res = await env.invoke(invocation(spec));
    expect(res.outcome).toBe('error');
    expect(res.functionError).toBe('Unhandled');
    const err = JSON.parse(res.payload);
    expect(err).toMatchObject({ errorType: 'ValidationError', errorMessage: 'bad input' });
    expect(err.stackTrace[1]).toMatch(/index\.mjs/);

    const cb = fixtureSpec('node-cjs', 'nodejs20', 'handler.fails');
    const { env: env2 } = environment(cb);
    expect(JSON.parse((await env2.invoke(invocation(cb))).payload)).toMatchObject({ errorType: 'RangeError', errorMessage: 'out of range' });
  });

  it('returns the last 4 KB of the invocation log with START, the output, END and REPORT', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.chatty');
    const { env, logs } = environment(spec);
    const inv = invocation(spec, { lines: 3 }, { logTail: true });
    const res = await env.invoke(inv);
    const tail = decodeTail(res.logResult).split('\n');
    expect(tail[0]).toBe(`START RequestId: ${inv.requestId} Version: $LATEST`);
    expect(tail[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${inv.requestId}\\tINFO\\tline 0 x{10}$`));
    expect(tail).toContain(`END RequestId: ${inv.requestId}`);
    expect(tail.some((l) => l.endsWith('\tERROR\tto stderr'))).toBe(true);
    expect(tail[tail.length - 2]).toMatch(new RegExp(`^REPORT RequestId: ${inv.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: [1-9]\\d* MB\\tInit Duration: \\d+\\.\\d\\d ms$`));
    expect(logs.lines).toContain(`END RequestId: ${inv.requestId}`);

    const long = await env.invoke(invocation(spec, { lines: 200, width: 50 }, { logTail: true }));
    const longTail = decodeTail(long.logResult);
    expect(Buffer.byteLength(longTail)).toBeLessThanOrEqual(4096);
    expect(longTail).not.toContain('START RequestId');
    expect(longTail).toMatch(/^\S+\t\S+\tINFO\tline \d+ x{50}\n/);
    expect(longTail).toMatch(/REPORT RequestId: [^\n]*\n$/);
    expect(new Set(longTail.split('\n').filter((l) => l.includes('line ')).map((l) => l.split('\t')[1])).size).toBe(1);

    const silent = await env.invoke(invocation(spec, { lines: 1 }));
    expect(silent.logResult).toBeUndefined();
  });

  it('puts Init Duration in the REPORT of the first invocation only', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.noop');
    const { env, logs } = environment(spec);
    await env.invoke(invocation(spec));
    const second = await env.invoke(invocation(spec));
    // END and REPORT follow the result (it does not wait for them unless a log tail was asked for).
    await logs.waitFor(`REPORT RequestId: ${second.requestId}`);
    const reports = logs.lines.filter((l) => l.startsWith('REPORT'));
    expect(reports).toHaveLength(2);
    expect(reports[0]).toContain('\tInit Duration: ');
    expect(reports[1]).not.toContain('Init Duration');
  });

  it('answers 413 to a response over 6 MB and reports Function.ResponseSizeTooLarge', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.big');
    const { env } = environment(spec);
    const res = await env.invoke(invocation(spec, { bytes: 7 * 1024 * 1024 }, { logTail: true }));
    expect(res.outcome).toBe('error');
    expect(res.functionError).toBe('Unhandled');
    expect(JSON.parse(res.payload)).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
    const ok = await env.invoke(invocation(spec, { bytes: 5 * 1024 * 1024 }));
    expect(ok.outcome).toBe('ok');
    expect(ok.payload.length).toBe(5 * 1024 * 1024 + 2);
  });

  it('answers 400 InvalidRequestID to a response for a request id that is not running', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.postForeignId');
    const { env } = environment(spec);
    const res = await env.invoke(invocation(spec));
    expect(JSON.parse(res.payload)).toEqual({ status: 400, body: { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' } });
  });

  it('rejects a second invoke while one is running', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.remaining');
    const { env } = environment(spec);
    await env.start();
    const first = env.invoke(invocation(spec));
    await expect(env.invoke(invocation(spec))).rejects.toThrow(/busy/);
    expect((await first).outcome).toBe('ok');
  });

  it('stops idempotently, removing its temp folder', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.handler');
    const { env } = environment(spec);
    const { env: seen } = JSON.parse((await env.invoke(invocation(spec))).payload);
    const pid = env.runtimePid;
    expect(pid).toBeDefined();
    await Promise.all([env.stop(), env.stop()]);
    await env.stop();
    const { existsSync } = await import('node:fs');
    expect(existsSync(seen.tmpdir)).toBe(false);
    expect(() => process.kill(pid as number, 0)).toThrow();
    await expect(env.invoke(invocation(spec))).rejects.toThrow(/stopped/);
  });
});
