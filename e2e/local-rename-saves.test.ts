// Live reload under the way editors save (write a temporary file, rename it over the original), 50 times in a row,
// while a stream of invocations runs: every invocation is answered, and each saved change becomes visible.
import { GetFunctionConfigurationCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
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

it('sees saves made by `sed -i` (a new file renamed over the old one) and the way vim saves (original renamed to a backup, a new file written, the backup removed)', async () => {
  const file = join(f.dir, 'app', 'index.mjs');
  writeFileSync(file, handler(100));
  await waitFor(async () => ((await invoke()) === 100) || undefined, 30_000, 'the plain write to answer');
  execFileSync('sed', ['-i', 's/save: 100/save: 101/', file]);
  await waitFor(async () => ((await invoke()) === 101) || undefined, 30_000, 'the sed -i save to answer');
  for (let n = 102; n <= 104; n++) {
    renameSync(file, `${file}~`);
    writeFileSync(file, handler(n));
    unlinkSync(`${file}~`);
    await waitFor(async () => ((await invoke()) === n) || undefined, 30_000, `the vim-style save ${n} to answer`);
  }
  // the manifest too: sed -i on it raises the memory, and the function still answers with its code
  execFileSync('sed', ['-i', 's/handler: index.handler/handler: index.handler\\n  memoryMB: 256/', join(f.dir, 'saved.yaml')]);
  await waitFor(async () => {
    const got = await f.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'saved' }));
    return got.MemorySize === 256 || undefined;
  }, 30_000, 'the manifest edited by sed -i to reload');
  expect(await invoke()).toBe(104);
}, 120_000);
