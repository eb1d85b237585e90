// A hostile function in the local mode: it finds no credential anywhere it can look, Redis refuses all it tries,
// and a victim invoked at the same time still gets its own true answer.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { queueKeys, replyListKey } from '../src/queue/keys.js';
import { decode, fn, startFixture, type Fixture } from './helpers/local.js';

interface Report {
  procVisible: number;
  leaks: Array<{ where: string; value: string }>;
  attempts: Array<{ who: string; cmd: string; reply: string }>;
  env: string[];
}

const attacker = fn('attacker', 'nodejs20', 'index.handler', {
  'index.mjs': readFileSync(new URL('../test/fixtures/functions/attacker/index.mjs', import.meta.url), 'utf8'),
}, '  timeoutSeconds: 60\n');
const victim = fn('victim', 'nodejs20', 'index.handler', {
  'index.mjs': `export const handler = async (event) => { await new Promise((r) => setTimeout(r, event.waitMs ?? 0)); return { answer: 'true', n: event.n }; };`,
}, '  timeoutSeconds: 30\n  environment: {VICTIM_SECRET: "s3cr3t-victim-value"}\n');

let f: Fixture;
beforeAll(async () => {
  // klambda's own Redis (no REDIS_URL): the one the local mode seals with a password and per-version users
  f = await startFixture({ 'attacker.yaml': attacker, 'victim.yaml': victim }, { redisUrl: undefined as unknown as string });
});
afterAll(async () => { await f?.stop(); });

it('finds no credential, is refused by Redis, and cannot change the answer another function\'s caller gets', async () => {
  const adminPassword = decodeURIComponent(new URL(f.local.redisUrl).password);
  expect(adminPassword.length).toBeGreaterThan(16);
  const redisPort = Number(new URL(f.local.redisUrl).port);
  const victimRef = { namespace: 'default', functionName: 'victim', version: '$LATEST' };
  // warm the victim so its environment (and its agent, holding its credential) runs while the attacker looks around
  const warm = await f.lambda.send(new InvokeCommand({ FunctionName: 'victim', Payload: Buffer.from('{"n":0}') }));
  expect(decode(warm.Payload)).toEqual({ answer: 'true', n: 0 });
  const victimCall = f.lambda.send(new InvokeCommand({ FunctionName: 'victim', Payload: Buffer.from(JSON.stringify({ n: 1, waitMs: 3000 })) }));
  const event = {
    redisPort,
    roots: [f.dir],
    victimJobsKey: queueKeys(victimRef, f.local.keyPrefix).jobs,
    forgeChannels: [`${f.local.keyPrefix}:replies:${randomUUID()}`, `${f.local.keyPrefix}:demand`, `${f.local.keyPrefix}:routes:changed`],
    forgeLists: [replyListKey(victimRef, randomUUID(), f.local.keyPrefix)],
  };
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'attacker', Payload: Buffer.from(JSON.stringify(event)) }));
  expect(out.FunctionError).toBeUndefined();
  const report = decode(out.Payload) as Report;
  if (process.env.KLAMBDA_TEST_LOGS) console.log(JSON.stringify(report, null, 1));
  const leaked = JSON.stringify(report.leaks);
  expect(leaked).not.toContain(adminPassword);
  expect(leaked).not.toContain('s3cr3t-victim-value');
  expect(report.leaks.filter((l) => /rediss?:\/\/[^/\s]*:[^@/\s]+@/.test(l.value))).toEqual([]);
  expect(report.env).not.toContain('KLAMBDA_AGENT_CONFIG');
  expect(report.env).not.toContain('REDIS_URL');
  expect(report.attempts.length).toBeGreaterThan(0);
  for (const a of report.attempts) expect({ ...a, refused: a.reply.startsWith('-') }).toMatchObject({ refused: true });
  expect(decode((await victimCall).Payload)).toEqual({ answer: 'true', n: 1 });
}, 90_000);
