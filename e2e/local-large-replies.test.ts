// Megabyte results travel on reply lists, not pub/sub: more than Redis's 32 MB subscriber backlog at once still arrives whole.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { fn, startFixture, type Fixture } from './helpers/local.js';

const big = fn('big', 'nodejs20', 'index.handler', {
  'index.mjs': `export const handler = async (event) => ({ n: event.n, pad: String(event.n % 10).repeat(5 * 1024 * 1024) });`,
}, '  memoryMB: 512\n  timeoutSeconds: 60\n');

let f: Fixture;
beforeAll(async () => { f = await startFixture({ 'big.yaml': big }, { maxEnvironments: 7 }); });
afterAll(async () => { await f?.stop(); });

it('answers 7 concurrent 5 MB results (35 MB in flight) whole and to the right callers', async () => {
  const calls = Array.from({ length: 7 }, (_, n) => f.lambda.send(new InvokeCommand({ FunctionName: 'big', Payload: Buffer.from(JSON.stringify({ n })) })));
  const results = await Promise.all(calls);
  results.forEach((r, n) => {
    expect(r.FunctionError).toBeUndefined();
    const text = Buffer.from(r.Payload!).toString('utf8');
    const expected = JSON.stringify({ n, pad: String(n % 10).repeat(5 * 1024 * 1024) });
    expect(text.length).toBe(expected.length);
    expect(createHash('sha256').update(text).digest('hex')).toBe(createHash('sha256').update(expected).digest('hex'));
  });
}, 120_000);
