// How an execution environment fails and recovers: timeouts, crashes, init errors, a runtime that dies while idle.
import { readFileSync } from 'node:fs';
import { procProcessesBelow } from '../../src/agent/process-table.js';
import { InitError } from '../../src/agent/runtime-errors.js';
import { decodeTail, fixtureSpec, invocation, LogCapture, memoryLogger } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';
import { waitFor } from '../helpers/wait.js';

const environment = useEnvironments();

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('timeouts', () => {
  it('kills the runtime at the timeout, answers Sandbox.Timedout, and re-inits for the next invoke', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.hang', { timeoutSeconds: 1 });
    const { env, logs } = environment(spec);
    await env.start();
    const pid = env.runtimePid as number;
    const inv = invocation(spec, {}, { logTail: true });
    const t0 = Date.now();
    const res = await env.invoke(inv);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(res.outcome).toBe('timeout');
    expect(res.functionError).toBe('Unhandled');
    expect(JSON.parse(res.payload)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${inv.requestId} Error: Task timed out after 1.00 seconds` });
    const tail = decodeTail(res.logResult);
    expect(tail).toContain('\tINFO\thanging');
    expect(tail).toContain(`${inv.requestId} Task timed out after 1.00 seconds`);
    expect(tail).toMatch(/REPORT RequestId: \S+\tDuration: 1\d{3}\.\d\d ms\tBilled Duration: 1000 ms\t.*\tStatus: timeout\n$/);

    // The next invoke is served by a new runtime process, a cold start again.
    const next = await env.invoke(invocation(spec, {}, { logTail: true }));
    expect(next.outcome).toBe('timeout');
    expect(env.runtimePid).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
    const reports = logs.lines.filter((l) => l.startsWith('REPORT'));
    expect(reports[1]).toContain('Init Duration');
  });

  it.each([
    ['nodejs20', 'node-esm', 'index.maybeHang'],
    ['python3.11', 'python', 'app.maybe_hang'],
  ] as const)('%s: serves the invoke after a timeout from a fresh runtime (a cold start)', async (runtime, fixture, handler) => {
    const spec = fixtureSpec(fixture, runtime, handler, { timeoutSeconds: 1 });
    const { env, logs } = environment(spec);
    expect(JSON.parse((await env.invoke(invocation(spec, { hang: false }))).payload)).toEqual({ count: 1 });
    expect(JSON.parse((await env.invoke(invocation(spec, { hang: false }))).payload)).toEqual({ count: 2 });
    const timedOut = await env.invoke(invocation(spec, { hang: true }));
    expect(timedOut.outcome).toBe('timeout');
    expect(JSON.parse(timedOut.payload).errorMessage).toMatch(/Task timed out after 1\.00 seconds$/);
    const next = await env.invoke(invocation(spec, { hang: false }));
    expect(next.outcome).toBe('ok');
    expect(JSON.parse(next.payload)).toEqual({ count: 1 });
    await logs.waitFor(`REPORT RequestId: ${next.requestId}`);
    const reports = logs.lines.filter((l) => l.startsWith('REPORT'));
    expect(reports.map((l) => l.includes('Init Duration'))).toEqual([true, false, false, true]);
  });
});

describe('crashes', () => {
  it('reports a process.exit mid-invocation as Runtime.ExitError and recovers', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.exit');
    const { env, logs } = environment(spec);
    const inv = invocation(spec, { code: 3 }, { logTail: true });
    const res = await env.invoke(inv);
    expect(res.outcome).toBe('crash');
    expect(res.functionError).toBe('Unhandled');
    expect(JSON.parse(res.payload)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${inv.requestId} Error: Runtime exited with error: exit status 3` });
    expect(decodeTail(res.logResult)).toMatch(/about to exit[\s\S]*Runtime exited with error: exit status 3\nEND[^\n]*\nREPORT[^\n]*Status: error\tError Type: Runtime\.ExitError\n$/);
    const again = await env.invoke(invocation(spec, { code: 4 }));
    expect(JSON.parse(again.payload).errorMessage).toContain('exit status 4');
    await logs.waitFor(`REPORT RequestId: ${again.requestId}`);
    expect(logs.lines.filter((l) => l.startsWith('REPORT') && l.includes('Init Duration'))).toHaveLength(2);
  });

  it('reports a runtime killed with SIGKILL mid-invocation, then serves the next invoke', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.waitForKill', { timeoutSeconds: 30 });
    const { env, logs } = environment(spec);
    await env.start();
    const pid = env.runtimePid as number;
    const inv = invocation(spec);
    const pending = env.invoke(inv);
    // The pid the function prints is its own namespace's (1), not the machine's: wait for its line, kill by ours.
    await logs.waitFor('waiting to be killed');
    process.kill(pid, 'SIGKILL');
    const res = await pending;
    expect(res.outcome).toBe('crash');
    expect(JSON.parse(res.payload)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${inv.requestId} Error: Runtime exited with error: signal: killed` });
    const next = env.invoke(invocation(spec));
    await waitFor(() => (logs.lines.filter((l) => l.includes('waiting to be killed')).length === 2 ? true : undefined), 10_000, 'the second runtime');
    expect(env.runtimePid).not.toBe(pid);
    process.kill(env.runtimePid as number, 'SIGKILL');
    expect((await next).outcome).toBe('crash');
  });

  (process.platform === 'linux' ? it : it.skip)('reports the runtime process itself SIGKILLed (as the kernel OOM killer does) as signal: killed', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.waitForKill', { timeoutSeconds: 30 });
    const { env, logs } = environment(spec);
    await env.start();
    const inv = invocation(spec, {}, { logTail: true });
    const pending = env.invoke(inv);
    await logs.waitFor('waiting to be killed');
    // Not the launcher (unshare) this time: the runtime below it, the init of its namespace.
    const runtime = procProcessesBelow(env.runtimePid as number).find((p) => readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').startsWith(process.execPath));
    process.kill(runtime!.pid, 'SIGKILL');
    const res = await pending;
    expect(JSON.parse(res.payload)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${inv.requestId} Error: Runtime exited with error: signal: killed` });
    expect(decodeTail(res.logResult)).not.toContain('unshare');
  });

  it('reports an uncaught exception from a timer as the invocation error, then re-inits', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.throwLater');
    const { env } = environment(spec);
    const res = await env.invoke(invocation(spec));
    expect(res.outcome).toBe('error');
    expect(JSON.parse(res.payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'thrown from a timer' });
    const again = await env.invoke(invocation(spec));
    expect(JSON.parse(again.payload)).toMatchObject({ errorType: 'TypeError' });
  });

  it('re-inits on the next invoke when the runtime dies between invocations', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.handler');
    const logger = memoryLogger();
    const { env } = environment(spec, new LogCapture(), { logger });
    expect(JSON.parse((await env.invoke(invocation(spec))).payload).count).toBe(1);
    const pid = env.runtimePid as number;
    process.kill(pid, 'SIGKILL');
    await logger.waitFor('runtime exited between invocations');
    const res = await env.invoke(invocation(spec));
    expect(res.outcome).toBe('ok');
    expect(JSON.parse(res.payload).count).toBe(1);
    expect(env.runtimePid).not.toBe(pid);
  });
});

describe('init errors', () => {
  const initError = async (spec: Parameters<typeof environment>[0]): Promise<InitError> => {
    const { env } = environment(spec);
    const err = await env.start().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InitError);
    return err as InitError;
  };

  it('rejects start() with Runtime.HandlerNotFound for a missing export', async () => {
    const err = await initError(fixtureSpec('node-esm', 'nodejs20', 'index.nope'));
    expect(err.errorType).toBe('Runtime.HandlerNotFound');
    expect(err.errorMessage).toBe('index.nope is undefined or not exported');
    expect(err.logLines.join('\n')).toContain('Runtime.HandlerNotFound');
  });

  it('rejects start() with Runtime.ImportModuleError for a missing module or one that throws', async () => {
    const missing = await initError(fixtureSpec('node-esm', 'nodejs20', 'nothere.handler'));
    expect(missing.errorType).toBe('Runtime.ImportModuleError');
    const throws = await initError(fixtureSpec('node-init-throws', 'nodejs20', 'index.handler'));
    expect(throws.errorType).toBe('Runtime.ImportModuleError');
    expect(throws.errorMessage).toContain('cannot connect to the database');
    expect(throws.logLines.some((l) => l.includes('initialising'))).toBe(true);
  });

  it('rejects start() with Runtime.MalformedHandlerName for a handler without a dot', async () => {
    expect((await initError(fixtureSpec('node-esm', 'nodejs20', 'index'))).errorType).toBe('Runtime.MalformedHandlerName');
  });

  it('answers an invoke with the init error, and tries the init again on the next one', async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.nope');
    const { env, logs } = environment(spec);
    const inv = invocation(spec, {}, { logTail: true });
    const res = await env.invoke(inv);
    expect(res).toMatchObject({ outcome: 'error', functionError: 'Unhandled', requestId: inv.requestId });
    expect(JSON.parse(res.payload)).toEqual({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.nope is undefined or not exported' });
    expect(decodeTail(res.logResult)).toMatch(/Runtime\.HandlerNotFound[\s\S]*START[\s\S]*END[\s\S]*REPORT[^\n]*Error Type: Runtime\.HandlerNotFound\n$/);
    await env.invoke(invocation(spec));
    expect(logs.lines.filter((l) => l.startsWith('INIT_START'))).toHaveLength(2);
    expect(logs.lines.filter((l) => l.startsWith('INIT_REPORT'))).toHaveLength(2);
  });

  it('reports a python import error', async () => {
    const err = await initError(fixtureSpec('python', 'python3.11', 'missing.handler'));
    expect(err.errorType).toBe('Runtime.ImportModuleError');
    expect(err.errorMessage).toBe("Unable to import module 'missing': No module named 'missing'");
    expect((await initError(fixtureSpec('python', 'python3.11', 'app.nope'))).errorType).toBe('Runtime.HandlerNotFound');
  });

  it('reports a provided bootstrap that is not executable', async () => {
    const err = await initError(fixtureSpec('provided-not-executable', 'provided', 'x'));
    expect(err.errorType).toBe('Runtime.InvalidEntrypoint');
    const missing = await initError(fixtureSpec('node-cjs', 'provided', 'x'));
    expect(missing.errorMessage).toMatch(/Couldn't find valid bootstrap/);
  });

  it('reports a runtime that cannot be started (python3 not on PATH)', async () => {
    const err = await initError(fixtureSpec('python', 'python3.11', 'app.handler', { environment: { PATH: '/nonexistent' } }));
    expect(err.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(err.errorMessage).toMatch(/ENOENT/);
  });

  it('gives up on an init that outlasts its time limit, killing the runtime', async () => {
    const spec = fixtureSpec('node-slow-init', 'nodejs20', 'index.handler');
    const { env } = environment(spec, new LogCapture(), { initTimeoutMs: 300 });
    const err = await env.start().then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Init timed out after 0.30 seconds' });
    expect(env.runtimePid).toBeUndefined();
  });

  it('reports a runtime that exits during init as Runtime.ExitError', async () => {
    const err = await initError(fixtureSpec('provided-bash', 'provided', 'x', { environment: { PATH: '/nonexistent' } }));
    expect(err.errorType).toBe('Runtime.ExitError');
    expect(err.errorMessage).toBe('Runtime exited with error: exit status 127');
  });
});
