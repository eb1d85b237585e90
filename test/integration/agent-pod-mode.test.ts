// The agent's pod mode with real processes: the runtime runs as another uid, started (and restarted) by the test as a
// kubelet would; the agent serves it on a fixed port, measures its init from its first /next, kills it on a timeout,
// notices a crash, and takes the restarted runtime's first /next as the next init.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PodRuntime } from '../../src/agent/pod-runtime.js';
import { runtimeEnvironment } from '../../src/agent/runtime-launch.js';
import { packageRoot } from '../../src/core/package-root.js';
import { freePort } from '../../src/local/redis-server.js';
import { fixtureSpec, invocation, LogCapture, memoryLogger } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';
import { waitFor } from '../helpers/wait.js';

const makeEnv = useEnvironments();
// a uid of its own, so no other test's processes are taken for this function's
const uid = 20_000 + Math.floor(Math.random() * 10_000);
const asRoot = process.getuid?.() === 0;

/** The function container as a kubelet runs it: the runtime as `uid`, started again whenever it exits, until stopped. */
class FakeContainer {
  restarts = 0;
  private child: ChildProcess | undefined;
  private stopped = false;
  constructor(private readonly env: Record<string, string>, private readonly cwd: string) {}

  start(): void {
    const bootstrap = join(packageRoot(), 'src', 'agent', 'runtimes', 'nodejs', 'bootstrap.mjs');
    this.child = spawn('setpriv', ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', process.execPath, bootstrap],
      { env: this.env, cwd: this.cwd, stdio: 'ignore' });
    this.child.once('exit', () => {
      if (this.stopped) return;
      this.restarts++;
      this.start();
    });
  }

  stop(): void {
    this.stopped = true;
    this.child?.kill('SIGKILL');
  }
}

let pod: PodRuntime | undefined;
let container: FakeContainer | undefined;
afterEach(async () => {
  container?.stop();
  await pod?.close();
});

async function podEnvironment(timeoutSeconds = 3, handler = 'index.handler') {
  const spec = fixtureSpec('node-pod', 'nodejs20', handler, { timeoutSeconds });
  const runtimeApi = `127.0.0.1:${await freePort()}`;
  pod = await PodRuntime.listen({ runtimeApi, functionUid: uid }, { logger: memoryLogger(), pollMs: 50, memoryLimitMB: spec.memoryMB });
  const env = runtimeEnvironment(spec, { runtimeApi, runtimesDir: '/unused', tmpDir: '/tmp', logStreamName: 'pod', hostPath: process.env.PATH ?? '/usr/bin:/bin' });
  container = new FakeContainer(env, spec.codeDir);
  const logs = new LogCapture();
  return { spec, logs, env: makeEnv(spec, logs, { pod }).env };
}

(asRoot ? describe : describe.skip)('pod mode (needs root to run the runtime as another uid)', () => {
  it('waits for the function container: init is its first /next, measured from when the agent began waiting; output stays in its own log', async () => {
    const { spec, logs, env } = await podEnvironment();
    const started = env.start();
    await logs.waitFor('INIT_START');
    container!.start();
    const { initDurationMs } = await started;
    expect(initDurationMs).toBeGreaterThan(0);
    const r = await env.invoke(invocation(spec, { name: 'pod' }, { logTail: true }));
    expect(r.outcome).toBe('ok');
    expect(JSON.parse(r.payload)).toMatchObject({ count: 1, event: { name: 'pod' }, functionName: 'node-pod' });
    const report = await logs.waitFor(/^REPORT RequestId: /);
    expect(report).toMatch(/Init Duration: [0-9.]+ ms/);
    // the function's console.log went to its container's stdout, not through the agent
    expect(logs.lines.some((l) => l.includes('hello from the function container'))).toBe(false);
    expect(env.runtimePid).toBeGreaterThan(0);
  }, 30_000);

  it('kills the function\'s processes on a timeout; the restarted container\'s first /next is a new init', async () => {
    const { spec, logs, env } = await podEnvironment(1);
    container!.start();
    await env.start();
    expect(JSON.parse((await env.invoke(invocation(spec, {}))).payload)).toMatchObject({ count: 1 });
    const timedOut = await env.invoke(invocation(spec, { hang: true }));
    expect(timedOut.outcome).toBe('timeout');
    expect(JSON.parse(timedOut.payload)).toMatchObject({ errorType: 'Sandbox.Timedout' });
    await waitFor(() => (container!.restarts === 1 ? true : undefined), 10_000, 'the container to be restarted');
    const again = await env.invoke(invocation(spec, {}));
    // module state is gone: Init ran again, and its REPORT says so
    expect(JSON.parse(again.payload)).toMatchObject({ count: 1 });
    await waitFor(() => (logs.lines.filter((l) => l.startsWith('REPORT') && l.includes('Init Duration')).length === 2 ? true : undefined), 5000, 'a second Init Duration');
    expect(logs.lines.filter((l) => l.startsWith('INIT_START'))).toHaveLength(2);
  }, 30_000);

  it('ends an invocation whose runtime exits with Runtime.ExitError, and serves the next one from the restarted container', async () => {
    const { spec, env } = await podEnvironment();
    container!.start();
    await env.start();
    const crashed = await env.invoke(invocation(spec, { exit: 2 }));
    expect(crashed.outcome).toBe('crash');
    expect(JSON.parse(crashed.payload)).toMatchObject({ errorType: 'Runtime.ExitError' });
    const next = await env.invoke(invocation(spec, { name: 'after' }));
    expect(next.outcome).toBe('ok');
    expect(JSON.parse(next.payload)).toMatchObject({ count: 1, event: { name: 'after' } });
    expect(container!.restarts).toBe(1);
  }, 30_000);

  it('ends an invocation whose function holds more than its memory with Runtime.OutOfMemory, and re-initialises', async () => {
    const { spec, env } = await podEnvironment();
    container!.start();
    await env.start();
    const oom = await env.invoke(invocation(spec, { allocMB: 300 }));
    expect(oom.outcome).toBe('crash');
    expect(JSON.parse(oom.payload)).toMatchObject({ errorType: 'Runtime.OutOfMemory' });
    const next = await env.invoke(invocation(spec, {}));
    expect(JSON.parse(next.payload)).toMatchObject({ count: 1 });
  }, 30_000);

  it('answers each invoke with the init error of a runtime that cannot init, from whichever start of its container posted it', async () => {
    const { spec, env } = await podEnvironment(3, 'index.missing');
    container!.start();
    await expect(env.start()).rejects.toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
    for (let i = 0; i < 2; i++) {
      const r = await env.invoke(invocation(spec, {}));
      expect(JSON.parse(r.payload)).toMatchObject({ errorType: 'Runtime.HandlerNotFound' });
    }
  }, 30_000);
});
