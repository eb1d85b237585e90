// At-least-once: an async invocation whose runtime process or agent is SIGKILLed mid-run is redone once, same request id
// (a killed agent's job is reclaimed at once; a killed runtime is a function error, retried after Lambda's minute —
// sped up here by the async clock).
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { procProcessesBelow } from '../src/agent/process-table.js';
import { asyncClock } from '../src/core/async-policy.js';
import { fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const outDir = sharedOutDir('klambda-recovery-');

// Each run appends "<requestId> <pid>" to starts.log; the first run of an id then hangs, a later one finishes.
// (The pid is the function's own, inside its PID namespace: the machine's pids are found from the agent's.)
const fragile = fn('fragile', 'nodejs20', 'index.handler', {
  'index.mjs': `import { appendFileSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
export const handler = async (event, context) => {
  const log = process.env.OUT_DIR + '/starts-' + event.case + '.log';
  const seen = existsSync(log) && readFileSync(log, 'utf8').includes(context.awsRequestId);
  appendFileSync(log, context.awsRequestId + ' ' + process.pid + '\\n');
  if (!seen) await new Promise((r) => setTimeout(r, 60000));
  writeFileSync(process.env.OUT_DIR + '/done-' + context.awsRequestId, event.case);
  return 'done';
};`,
}, `  timeoutSeconds: 3\n  environment: {OUT_DIR: "${outDir}"}\n`);

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ 'fragile.yaml': fragile }, { visibilityGraceMs: 500, asyncClock: asyncClock(600) });
}, 60_000);
afterAll(async () => { await f?.stop(); });

function starts(which: string): Array<{ id: string; pid: number }> {
  const file = join(outDir, `starts-${which}.log`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [id, pid] = l.split(' ');
    return { id: id!, pid: Number(pid) };
  });
}

/** The machine's pids of the function's agent and of its runtime (the node process running the bootstrap). */
function hostPids(): { agent: number; runtime: number } {
  const [agent] = f.local.backend.pids({ namespace: 'default', functionName: 'fragile', version: '$LATEST' });
  const runtime = procProcessesBelow(agent!).find((p) => {
    const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'latin1');
    return cmdline.includes('bootstrap.mjs') && !cmdline.startsWith('/usr/bin/unshare') && !cmdline.includes('unshare\0');
  });
  return { agent: agent!, runtime: runtime!.pid };
}

async function runAndKill(which: 'runtime' | 'agent'): Promise<void> {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'fragile', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ case: which })) }));
  expect(out.StatusCode).toBe(202);
  const id = out.$metadata.requestId!;
  const first = await waitFor(() => starts(which)[0], 20_000, 'the first run to start');
  expect(first.id).toBe(id);
  const pids = hostPids();
  process.kill(pids[which], 'SIGKILL');
  await waitFor(() => (existsSync(join(outDir, `done-${id}`)) ? true : undefined), 30_000, 'the redelivered run to finish');
  const runs = starts(which);
  expect(runs.map((r) => r.id)).toEqual([id, id]);
  expect(hostPids()[which]).not.toBe(pids[which]);
}

describe('a killed process loses nothing', () => {
  it('redoes an async invocation once, with the same request id, when its runtime process is SIGKILLed', async () => {
    await runAndKill('runtime');
  }, 60_000);

  it('redoes an async invocation once, with the same request id, when its runtime agent is SIGKILLed', async () => {
    await runAndKill('agent');
  }, 60_000);
});
