// Who may call an environment's Runtime API: its runtime's processes only. Another environment's function (or any
// other local process) has its connection closed before a byte is read, so it can neither take the next event nor
// forge an answer; the refusal is logged with its pid and counted.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { procDescendants } from '../../src/agent/process-table.js';
import { fixtureSpec, invocation, memoryLogger } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';
import { waitFor } from '../helpers/wait.js';

const environment = useEnvironments();
const linux = process.platform === 'linux';

interface CallOutcome { status?: number; body?: string; closed?: string; timeout?: boolean }

function spec(functionName: string) {
  return fixtureSpec('runtime-api-neighbour', 'nodejs20', 'index.handler', { functionName, timeoutSeconds: 30 });
}

/** A started environment of the fixture, and its Runtime API address as its runtime sees it. */
async function started(functionName: string, options: Parameters<typeof environment>[2] = {}) {
  const logger = memoryLogger();
  const s = spec(functionName);
  const { env } = environment(s, undefined, { logger, ...options });
  const r = await env.invoke(invocation(s, { action: 'api' }));
  expect(r.outcome).toBe('ok');
  return { env, spec: s, logger, api: (JSON.parse(r.payload) as { api: string }).api };
}

/** GET /next from this process (not one of the runtime's). */
function nextFromHere(api: string): Promise<CallOutcome> {
  const [host, port] = api.split(':');
  return new Promise((resolve) => {
    const req = request({ host, port: Number(port), path: '/2018-06-01/runtime/invocation/next', agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ closed: e.code ?? e.message }));
    req.end();
  });
}

type Refusal = { msg: string; peerPid?: number; refused: number; function: string };
const refusals = (logger: ReturnType<typeof memoryLogger>) =>
  logger.records.filter((r): r is Refusal => (r as Refusal).msg === 'runtime api refused a connection from outside the environment');

let shared: string | undefined;
afterEach(() => {
  if (shared) rmSync(shared, { recursive: true, force: true });
  shared = undefined;
});

(linux ? describe : describe.skip)('the Runtime API of an environment (Linux: /proc)', () => {
  it('says in the isolation line that it admits its own processes only', async () => {
    const { logger } = await started('says');
    expect(logger.records).toContainEqual(expect.objectContaining({ msg: 'runtime isolation', runtimeApi: 'its own processes only' }));
  });

  it('closes a connection from another local process before reading it, logs its pid and counts it; the runtime still works', async () => {
    const { env, spec: s, logger, api } = await started('alone');
    expect(await nextFromHere(api)).toEqual({ closed: 'ECONNRESET' });
    await logger.waitFor('runtime api refused');
    expect(refusals(logger)).toEqual([expect.objectContaining({ peerPid: process.pid, refused: 1, function: 'alone' })]);
    const after = await env.invoke(invocation(s, { n: 2 }));
    expect(JSON.parse(after.payload)).toEqual({ answer: 'true', n: 2 });
  });

  it('keeps another environment\'s function from taking the next event or forging the answer of a waiting invocation', async () => {
    const victim = await started('victim');
    const attacker = await started('attacker');
    shared = mkdtempSync(join(tmpdir(), 'klambda-guard-'));
    chmodSync(shared, 0o1777); // the runtimes' user writes and reads here
    const waiting = invocation(victim.spec, { action: 'wait', n: 1, dir: shared });
    const victimCall = victim.env.invoke(waiting);
    const requestId = await waitFor(() => { try { return readFileSync(join(shared!, 'waiting'), 'utf8') || undefined; } catch { return undefined; } }, 10_000, 'the victim to wait');
    expect(requestId).toBe(waiting.requestId);

    const out = await attacker.env.invoke(invocation(attacker.spec, { action: 'attack', target: victim.api, requestId }));
    const report = JSON.parse(out.payload) as { visible: boolean; next: CallOutcome; forged: CallOutcome };
    expect(report.visible).toBe(true); // it can find the port: the Runtime API must tell it apart
    expect(report.next).toEqual({ closed: 'ECONNRESET' });
    expect(report.forged.status).toBeUndefined();
    expect(report.forged.closed).toMatch(/^(ECONNRESET|EPIPE)$/);

    writeFileSync(join(shared, 'release'), '');
    const answered = await victimCall;
    expect(answered.outcome).toBe('ok');
    expect(JSON.parse(answered.payload)).toEqual({ answer: 'true', n: 1 });

    // idle now (its /next parked): an attempt to take its next event is refused too, and it keeps serving
    const again = await attacker.env.invoke(invocation(attacker.spec, { action: 'attack', target: victim.api }));
    expect((JSON.parse(again.payload) as { next: CallOutcome }).next).toEqual({ closed: 'ECONNRESET' });
    for (const n of [2, 3]) expect(JSON.parse((await victim.env.invoke(invocation(victim.spec, { n }))).payload)).toEqual({ answer: 'true', n });

    const [first] = refusals(victim.logger);
    expect(first?.function).toBe('victim');
    expect(procDescendants(attacker.env.runtimePid!)).toContain(first?.peerPid);
    expect(refusals(attacker.logger)).toEqual([]);
  }, 60_000);

  it('serves a process the runtime started (a new connection from a child process)', async () => {
    const { env, spec: s, logger } = await started('parent');
    const r = await env.invoke(invocation(s, { action: 'child' }));
    // answered (a request id that is not the current one), not closed
    expect(JSON.parse(r.payload)).toEqual({ status: 400 });
    expect(refusals(logger)).toEqual([]);
  });

  it('without a PID namespace too: the runtime and its children are served, any other process refused', async () => {
    const { env, spec: s, logger, api } = await started('plain', { isolation: { namespaces: false } });
    expect(logger.records).toContainEqual(expect.objectContaining({ msg: 'runtime isolation', runtimeApi: 'its own processes only' }));
    expect(JSON.parse((await env.invoke(invocation(s, { action: 'child' }))).payload)).toEqual({ status: 400 });
    expect(await nextFromHere(api)).toEqual({ closed: 'ECONNRESET' });
    expect(JSON.parse((await env.invoke(invocation(s, { n: 4 }))).payload)).toEqual({ answer: 'true', n: 4 });
    expect(refusals(logger)).toHaveLength(1);
  });
});
