// The runtime agent as the local mode starts it (a child process of the ProcessBackend): what it inherits, and how a flood of output slows its function instead of growing it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { procProcessesBelow } from '../../src/agent/process-table.js';
import { ProcessBackend } from '../../src/backends/process-backend.js';
import { AGENT_INHERITED } from '../../src/backends/agent-environment.js';
import type { EnvironmentSpec } from '../../src/core/environment-spec.js';
import { packageRoot } from '../../src/core/package-root.js';
import type { QueueRef } from '../../src/core/queue-contract.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { fixtureSpec, invocation, memoryLogger } from '../fixtures/functions/specs.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

// The agent runs from the build (npm test builds first).
const agentMain = join(packageRoot(), 'dist', 'agent', 'main.js');

let redis: TestRedis;
let commands: RedisConnection;
beforeAll(async () => {
  redis = await useRedis();
  commands = connectRedis(redis.url);
});
afterAll(async () => {
  commands.disconnect();
  await redis.stop();
});

const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'latin1');
const kB = (text: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1]);

interface Started {
  backend: ProcessBackend;
  queue: QueueRef;
  spec: EnvironmentSpec;
  work: WorkQueue;
  /** Lines on stdout, but for the flood's (only counted, in characters). */
  stdout: string[];
  floodChars: number;
  stderr: string[];
  pid: number;
}

async function startAgent(spec: EnvironmentSpec, onStdout?: (line: string) => void | Promise<void>): Promise<Started> {
  const keyPrefix = randomPrefix();
  const queue: QueueRef = { namespace: 'default', functionName: spec.functionName, version: spec.version };
  const stdout: string[] = [];
  const stderr: string[] = [];
  let started: Started | undefined;
  let floodChars = 0;
  const backend = new ProcessBackend({
    agentRedisUrl: () => Promise.resolve(redis.url), keyPrefix, visibilityGraceMs: 5000, logger: memoryLogger(), agentMain,
    onOutput: (_q, stream, line) => {
      if (stream === 'stderr') {
        stderr.push(line);
        return undefined;
      }
      if (line.startsWith('xxxx')) floodChars += line.length;
      else stdout.push(line);
      if (started) started.floodChars = floodChars;
      return onStdout?.(line);
    },
  });
  await backend.scale({ queue, spec }, 1);
  const [pid] = backend.pids(queue);
  await waitFor(() => (stderr.some((l) => l.includes('"msg":"ready"')) ? true : undefined), 30_000, 'the agent to be ready');
  started = { backend, queue, spec, work: new WorkQueue(commands, { keyPrefix }), stdout, floodChars, stderr, pid: pid as number };
  return started;
}

let started: Started | undefined;
afterEach(async () => {
  await started?.backend.stopAll();
  started = undefined;
});

describe('an agent of the local mode', () => {
  it("starts with a few variables and its config: none of klambda's environment (credentials, REDIS_URL…)", async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'host-secret-key';
    try {
      started = await startAgent(fixtureSpec('node-esm', 'nodejs20', 'index.handler'));
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    const names = readFileSync(`/proc/${started.pid}/environ`, 'latin1').split('\0').filter(Boolean).map((kv) => kv.slice(0, kv.indexOf('=')));
    expect(names).toContain('KLAMBDA_AGENT_CONFIG');
    // and Node's own two for the IPC channel klambda dev sizes it over (not in its process.env, never in a runtime's)
    const own: string[] = [...AGENT_INHERITED, 'KLAMBDA_AGENT_CONFIG', 'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE'];
    expect(names.filter((n) => !own.includes(n))).toEqual([]);
    expect(names).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(names).not.toContain('REDIS_URL');
  }, 60_000);

  it("runs a version's environments as the slots of one agent, sized over its IPC channel", async () => {
    const spec = fixtureSpec('node-esm', 'nodejs20', 'index.hang', { timeoutSeconds: 3 });
    started = await startAgent(spec);
    const { backend, queue, pid } = started;
    const runtimes = () => procProcessesBelow(pid).filter((p) => {
      const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'latin1');
      return cmdline.includes('bootstrap.mjs') && !cmdline.includes('unshare');
    });
    await backend.scale({ queue, spec }, 3);
    expect([backend.count(queue), backend.pids(queue)]).toEqual([3, [pid]]);
    await waitFor(() => (runtimes().length === 3 ? true : undefined), 30_000, 'three runtimes under the one agent');
    // three invocations that hang until their timeout run side by side: each starts before any of them ends
    const ids = await Promise.all([1, 2, 3].map(async () => {
      const inv = invocation(spec, {}, { type: 'Event' });
      await started!.work.enqueue(queue, inv);
      return inv.requestId;
    }));
    await waitFor(() => (ids.every((id) => started!.stdout.some((l) => l.startsWith(`END RequestId: ${id}`))) ? true : undefined), 30_000, 'the three to end');
    const at = (prefix: string, id: string) => started!.stdout.findIndex((l) => l.startsWith(`${prefix} RequestId: ${id}`));
    expect(Math.max(...ids.map((id) => at('START', id)))).toBeLessThan(Math.min(...ids.map((id) => at('END', id))));
    // fewer: the same agent stops two of its environments; none: it goes
    await backend.scale({ queue, spec }, 1);
    expect([backend.count(queue), backend.pids(queue)]).toEqual([1, [pid]]);
    await waitFor(() => (runtimes().length === 1 ? true : undefined), 30_000, 'one runtime left');
    await backend.scale({ queue, spec }, 0);
    expect(backend.count(queue)).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);

  it('takes its runtime with it when it is SIGKILLed, even one spinning without a look at the Runtime API', async () => {
    const spec = fixtureSpec('node-sandbox', 'nodejs20', 'index.spin', { timeoutSeconds: 60 });
    started = await startAgent(spec);
    await started.work.enqueue(started.queue, invocation(spec, {}, { type: 'Event' }));
    await waitFor(() => (started?.stdout.some((l) => l.includes('spinning')) ? true : undefined), 30_000, 'the function to spin');
    const runtime = procProcessesBelow(started.pid).map((p) => p.pid);
    expect(runtime.length).toBeGreaterThan(0);
    process.kill(started.pid, 'SIGKILL');
    const alive = () => runtime.filter((pid) => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1')); } catch { return false; } });
    await waitFor(() => (alive().length === 0 ? true : undefined), 15_000, 'the runtime to die with its agent');
  }, 60_000);

  it('slows a function that prints 300 MB while nobody reads its log, instead of holding the output', async () => {
    let gate: Promise<void> | undefined;
    let open = () => undefined as void;
    let flooding = false;
    let received = 0;
    const spec = fixtureSpec('node-sandbox', 'nodejs20', 'index.flood', { timeoutSeconds: 3 });
    started = await startAgent(spec, (line) => {
      if (!line.startsWith('xxxx')) return undefined;
      received += line.length + 1;
      if (!flooding) return undefined;
      gate ??= new Promise<void>((resolve) => (open = resolve));
      return gate; // klambda dev stops reading this agent's output
    });
    const before = kB(status(started.pid), 'VmHWM');
    flooding = true;
    const inv = invocation(spec, { mb: 300 }, { type: 'Event' });
    await started.work.enqueue(started.queue, inv);
    // Its writes block once the pipes are full: it cannot finish, and times out.
    await waitFor(() => (started?.stderr.some((l) => l.includes('invocation timed out')) ? true : undefined), 60_000, 'the invocation to time out');
    const grew = kB(status(started.pid), 'VmHWM') - before;
    expect(received).toBeLessThan(4 * 1024 * 1024); // what the pipes and one read hold, not 300 MB
    expect(grew).toBeLessThan(64 * 1024); // kB: the agent held back the output instead of buffering it
    open();
    await waitFor(() => (started?.stdout.some((l) => l.includes(`${inv.requestId} Task timed out after 3.00 seconds`)) ? true : undefined), 30_000, 'the log to flow again');
  }, 120_000);

  it('lets a function print 300 MB to a reader that keeps up, its agent staying small', async () => {
    const spec = fixtureSpec('node-sandbox', 'nodejs20', 'index.flood', { timeoutSeconds: 120 });
    started = await startAgent(spec);
    const before = kB(status(started.pid), 'VmHWM');
    const inv = invocation(spec, { mb: 300 }, { type: 'Event' });
    await started.work.enqueue(started.queue, inv);
    await waitFor(() => (started?.stdout.some((l) => l.startsWith(`REPORT RequestId: ${inv.requestId}`)) ? true : undefined), 120_000, 'the invocation to finish', 100);
    // Every line (a line the END caught half-read may come in two pieces, never short of a character).
    await waitFor(() => (started!.floodChars === Math.ceil(300 * 1024 * 1024 / 1000) * 999 ? true : undefined), 30_000, 'every line');
    expect(kB(status(started.pid), 'VmHWM') - before).toBeLessThan(128 * 1024);
  }, 150_000);
});
