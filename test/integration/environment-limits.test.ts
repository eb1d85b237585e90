// What a function may not keep: more memory than memoryMB (Runtime.OutOfMemory), or processes that outlive its environment.
import { readdirSync, readFileSync } from 'node:fs';
import type { IsolationOptions } from '../../src/agent/isolation.js';
import { memoryCgroupParent } from '../../src/agent/memory-cgroup.js';
import { decodeTail, fixtureSpec, invocation, LogCapture } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';
import { waitFor } from '../helpers/wait.js';

const environment = useEnvironments();
const isRoot = process.getuid?.() === 0;

/** 600 MB, held in filled buffers / bytearrays, by a function of 128 MB; bounded so two of them fit a small machine. */
const TOO_MUCH_MB = 600;

describe('memoryMB', () => {
  it.each([
    ['nodejs20', 'node-sandbox', 'index.allocate'],
    ['python3.11', 'python', 'app.allocate'],
    ['provided', 'provided-memory', 'function.handler'],
  ] as const)('%s: 600 MB in a 128 MB function ends with Runtime.OutOfMemory, and the next invoke starts a new runtime', async (runtime, fixture, handler) => {
    const spec = fixtureSpec(fixture, runtime, handler, { memoryMB: 128, timeoutSeconds: 20 });
    const { env, logs } = environment(spec);
    await env.start();
    const inv = invocation(spec, { mb: TOO_MUCH_MB }, { logTail: true });
    const res = await env.invoke(inv);
    expect(res.outcome).toBe('crash');
    expect(res.functionError).toBe('Unhandled');
    expect(JSON.parse(res.payload)).toEqual({
      errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${inv.requestId} Error: Runtime exited with error: signal: killed`,
    });
    expect(decodeTail(res.logResult)).toMatch(
      /Runtime exited with error: signal: killed\nRuntime\.OutOfMemory\nEND[^\n]*\nREPORT[^\n]*Memory Size: 128 MB\tMax Memory Used: 128 MB\t[^\n]*Status: error\tError Type: Runtime\.OutOfMemory\n$/,
    );
    // The environment was reset: the next invoke is a cold start (Init Duration), and it runs.
    const next = await env.invoke(invocation(spec, { mb: 0 }));
    expect(next.outcome).toBe('ok');
    await logs.waitFor(`REPORT RequestId: ${next.requestId}`);
    expect(logs.lines.filter((l) => l.startsWith('INIT_START'))).toHaveLength(2);
  }, 60_000);

  it.each([
    ['nodejs20', 'node-sandbox', 'index.allocate'],
    ['python3.11', 'python', 'app.allocate'],
  ] as const)('%s: a function within its memory runs, its REPORT showing what it used', async (runtime, fixture, handler) => {
    const spec = fixtureSpec(fixture, runtime, handler, { memoryMB: 256, timeoutSeconds: 20 });
    const { env, logs } = environment(spec);
    const res = await env.invoke(invocation(spec, { mb: 100 }));
    expect(res.outcome).toBe('ok');
    expect(JSON.parse(res.payload)).toMatchObject({ heldMb: 100 });
    const report = await logs.waitFor(`REPORT RequestId: ${res.requestId}`);
    const used = Number(/Max Memory Used: (\d+) MB/.exec(report)?.[1]);
    expect(used).toBeGreaterThanOrEqual(100);
    expect(used).toBeLessThanOrEqual(256);
  }, 60_000);

  it('ends the init with Runtime.OutOfMemory when the code outgrows its memory while loading', async () => {
    const spec = fixtureSpec('node-sandbox', 'nodejs20', 'index.allocate', {
      memoryMB: 128, environment: { NODE_OPTIONS: `--require ${FIXTURE_HOG}` },
    });
    const { env } = environment(spec, new LogCapture());
    const err = await env.start().then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ errorType: 'Runtime.OutOfMemory', errorMessage: 'Runtime exited with error: signal: killed' });
  }, 60_000);
});

// Where klambda runs as root on a cgroup v2 machine with the memory controller (not this CI's cgroup v1), the kernel enforces it.
const cgroupParent = await memoryCgroupParent();
(cgroupParent ? describe : describe.skip)('memoryMB with a cgroup v2', () => {
  it('is memory.max of a cgroup of its own, which the kernel enforces, removed after the runtime', async () => {
    const spec = fixtureSpec('node-sandbox', 'nodejs20', 'index.allocate', { memoryMB: 128, timeoutSeconds: 20 });
    const { env, logs } = environment(spec);
    const res = await env.invoke(invocation(spec, { mb: TOO_MUCH_MB }));
    expect(JSON.parse(res.payload)).toMatchObject({ errorType: 'Runtime.OutOfMemory' });
    await env.stop();
    expect(readdirSync(cgroupParent as string).filter((n) => n.startsWith('env-'))).toEqual([]);
    expect(logs.lines.some((l) => l.startsWith('INIT_START'))).toBe(true);
  }, 60_000);
});

/** A preload that holds 600 MB while the runtime starts, as a module doing heavy work at import would. */
const FIXTURE_HOG = `${fixtureSpec('node-sandbox', 'nodejs20', 'x').codeDir}/hog-at-init.cjs`;

/** The pids of `sleep <seconds>` processes on this machine (the host's /proc). */
function sleepers(seconds: number): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).flatMap((n) => {
    try {
      return readFileSync(`/proc/${n}/cmdline`, 'latin1') === `sleep\0${seconds}\0` ? [Number(n)] : [];
    } catch {
      return [];
    }
  });
}

const uniqueSeconds = () => 100_000 + Math.floor(Math.random() * 800_000);
const appeared = (seconds: number) => waitFor(() => (sleepers(seconds).length > 0 ? true : undefined), 15_000, `sleep ${seconds} to start`);
const gone = (seconds: number) => waitFor(() => (sleepers(seconds).length === 0 ? true : undefined), 15_000, `sleep ${seconds} to be gone`);

const MODES: Array<[string, IsolationOptions]> = [
  ['in its PID namespace', {}],
  ...(isRoot ? [['as another uid, without a namespace', { namespaces: false }] as [string, IsolationOptions]] : []),
  ['as a plain child process', { namespaces: false, runtimeUser: 'agent' }],
];

describe.each(MODES)('processes a function leaves behind, %s', (_mode, isolation) => {
  it.each([
    ['nodejs20', 'a detached `setsid sleep`', 'node-sandbox', 'index.leaveBehind'],
    ['python3.11', 'a forked child in its own session (os.setsid)', 'python', 'app.leave_behind'],
  ] as const)('%s: %s dies at the timeout (the environment resets) and when the environment stops', async (runtime, _what, fixture, handler) => {
    const spec = fixtureSpec(fixture, runtime, handler, { timeoutSeconds: 1 });
    const { env } = environment(spec, undefined, { isolation });
    const first = uniqueSeconds();
    const timedOut = env.invoke(invocation(spec, { seconds: first, hang: true }));
    await appeared(first);
    expect((await timedOut).outcome).toBe('timeout');
    await gone(first);

    const second = uniqueSeconds();
    expect((await env.invoke(invocation(spec, { seconds: second }))).outcome).toBe('ok');
    await appeared(second);
    await env.stop();
    expect(sleepers(second)).toEqual([]); // stop() waits until everything the runtime started is gone
  }, 60_000);
});
