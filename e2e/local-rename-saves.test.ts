// Live reload under the way editors save (write a temporary file, rename it over the original), 50 times in a row,
// while a stream of invocations runs: every invocation is answered, and each saved change becomes visible.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, startFixture, waitFor, type Fixture } from './helpers/local.js';

let f: Fixture;
const handler = (n: number) => `export const handler = async () => ({ save: ${n} });\n`;
const manifest = `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: saved}\nspec:\n  runtime: nodejs20\n  handler: index.handler\n  code: {path: app}\n`;

beforeAll(async () => { f = await startFixture({ 'saved.yaml': manifest, 'app/index.mjs': handler(0) }); }, 60_000);
afterAll(async () => { await f?.stop(); });

const invoke = async (): Promise<number> => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'saved', Payload: Buffer.from('{}') }));
  if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`invoke failed: ${out.StatusCode} ${out.FunctionError} ${Buffer.from(out.Payload ?? []).toString()}`);
  return (decode(out.Payload) as { save: number }).save;
};

it('survives 50 rename-saves during a stream of invokes: every invoke answered, each change visible', async () => {
  expect(await invoke()).toBe(0);
  let streaming = true;
  let answered = 0;
  const failures: unknown[] = [];
  const stream = (async () => {
    while (streaming) {
      try { await invoke(); answered++; } catch (err) { failures.push(err); }
    }
  })();
  try {
    for (let n = 1; n <= 50; n++) {
      const tmp = join(f.dir, 'app', `.index.mjs.${n}.swp`);
      writeFileSync(tmp, handler(n));
      renameSync(tmp, join(f.dir, 'app', 'index.mjs'));
      await waitFor(async () => ((await invoke()) === n) || undefined, 30_000, `save ${n} to answer`);
    }
  } finally {
    streaming = false;
    await stream;
  }
  expect(failures).toEqual([]);
  expect(answered).toBeGreaterThan(0);
}, 300_000);
