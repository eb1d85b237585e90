// A hostile function in the local mode finds another function's Runtime API (every environment shares the host's
// network, and /proc/net/tcp lists its port) and tries to take its next event and forge its answer: its connections
// are closed, the victim's caller gets the true answer, and the victim keeps serving.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

interface CallOutcome { status?: number; closed?: string; timeout?: boolean }
interface Report { visible: boolean; next: CallOutcome; forged: CallOutcome }

const code = { 'index.mjs': readFileSync(new URL('../test/fixtures/functions/runtime-api-neighbour/index.mjs', import.meta.url), 'utf8') };
const attacker = fn('thief', 'nodejs20', 'index.handler', code, '  timeoutSeconds: 30\n');
const victim = fn('victim', 'nodejs20', 'index.handler', code, '  timeoutSeconds: 30\n');

let f: Fixture;
const dir = sharedOutDir('klambda-e2e-api-');
const invoke = async (name: string, event: object) =>
  decode((await f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }))).Payload);

beforeAll(async () => {
  f = await startFixture({ 'thief.yaml': attacker, 'victim.yaml': victim });
}, 60_000);
afterAll(async () => { await f?.stop(); });

(process.platform === 'linux' ? it : it.skip)('closes a neighbour\'s calls to a victim\'s Runtime API; the victim answers truly, before and after', async () => {
  const { api } = await invoke('victim', { action: 'api' }) as { api: string };
  const victimCall = invoke('victim', { action: 'wait', n: 1, dir });
  const requestId = await waitFor(() => { try { return readFileSync(join(dir, 'waiting'), 'utf8') || undefined; } catch { return undefined; } }, 20_000, 'the victim to wait');

  const busy = await invoke('thief', { action: 'attack', target: api, requestId }) as Report;
  expect(busy.visible).toBe(true);
  expect(busy.next).toEqual({ closed: 'ECONNRESET' });
  expect(busy.forged.closed).toMatch(/^(ECONNRESET|EPIPE)$/);
  writeFileSync(join(dir, 'release'), '');
  expect(await victimCall).toEqual({ answer: 'true', n: 1 });

  const idle = await invoke('thief', { action: 'attack', target: api }) as Report;
  expect(idle.next).toEqual({ closed: 'ECONNRESET' });
  expect(await invoke('victim', { n: 2 })).toEqual({ answer: 'true', n: 2 });
  expect(await invoke('victim', { action: 'api' })).toEqual({ api }); // the same environment served them all
}, 90_000);
