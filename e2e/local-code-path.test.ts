// Code as a folder or a zip file (code.path) in the local mode, through the official AWS SDK: a Node function that
// imports a real npm package from its node_modules, a Python function that imports a package vendored in its zip,
// CodeSha256/CodeSize of the zip, live reload of the folder, and a published version that keeps its own package.
import { GetFunctionCommand, InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bufferDigest } from '../src/code/package-digest.js';
import { makeZip } from '../test/helpers/zips.js';
import { decode, startFixture, waitFor, type Fixture } from './helpers/local.js';

let f: Fixture;
let pyZip: Buffer;

const manifest = (name: string, runtime: string, handler: string, path: string) =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: ${runtime}\n  handler: ${handler}\n  code: {path: ${path}}\n`;

const nodeHandler = (greeting: string) => `import ms from 'ms';
import { readFileSync } from 'node:fs';
export const handler = async () => ({ greeting: ${JSON.stringify(greeting)}, twoHours: ms('2h'),
  bytes: [...readFileSync(new URL('./data.bin', import.meta.url))].length, root: process.env.LAMBDA_TASK_ROOT });
`;

beforeAll(async () => {
  pyZip = await makeZip([
    { name: 'app.py', data: 'from greetlib import greet\n\ndef handler(event, context):\n    return {"greeting": greet(event.get("name", "world"))}\n' },
    { name: 'greetlib/__init__.py', data: 'def greet(name):\n    return "hello " + name + " from a vendored package"\n' },
  ]);
  // a real npm package in the function's own node_modules, and a binary file
  const ms = join(process.cwd(), 'node_modules', 'ms');
  f = await startFixture({
    'apps/node.yaml': manifest('nodepkg', 'nodejs20', 'index.handler', 'node-app'),
    'py.yaml': manifest('pypkg', 'python3.11', 'app.handler', 'py-app.zip'),
    'apps/node-app/index.mjs': nodeHandler('one'),
    'apps/node-app/data.bin': Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    'apps/node-app/node_modules/ms/package.json': readFileSync(join(ms, 'package.json')),
    'apps/node-app/node_modules/ms/index.js': readFileSync(join(ms, 'index.js')),
    'py-app.zip': pyZip,
  });
}, 60_000);
afterAll(async () => { await f?.stop(); });

const invoke = async (name: string, event: unknown = {}) => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  expect(out.FunctionError).toBeUndefined();
  return decode(out.Payload) as Record<string, unknown>;
};

it('runs a Node function from a folder, importing an npm package from its node_modules', async () => {
  const out = await invoke('nodepkg');
  expect(out).toMatchObject({ greeting: 'one', twoHours: 7_200_000, bytes: 256 });
  // it runs from an unpacked copy in the code cache, not from the user's folder
  expect(out.root).toMatch(/\/\.klambda\/code\/[0-9a-f]{32}$/);
});

it('runs a Python function from a zip file, importing the package vendored beside it; CodeSha256 and CodeSize are the zip\'s', async () => {
  expect(await invoke('pypkg', { name: 'ada' })).toEqual({ greeting: 'hello ada from a vendored package' });
  const got = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'pypkg' }));
  expect(got.Configuration).toMatchObject({ CodeSha256: bufferDigest(pyZip).sha256, CodeSize: pyZip.length, PackageType: 'Zip' });
});

it('reloads a saved folder: the next invoke runs the new code; a published version keeps its own package', async () => {
  const v1 = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'nodepkg' }));
  expect(v1.Version).toBe('1');
  expect(existsSync(join(f.dir, 'nodepkg.v1.zip'))).toBe(true);
  const before = (await f.lambda.send(new GetFunctionCommand({ FunctionName: 'nodepkg' }))).Configuration!.CodeSha256;
  expect(v1.CodeSha256).toBe(before);
  mkdirSync(join(f.dir, 'apps', 'node-app', 'lib'), { recursive: true });
  writeFileSync(join(f.dir, 'apps', 'node-app', 'index.mjs'), nodeHandler('two'));
  await waitFor(async () => ((await invoke('nodepkg')).greeting === 'two') || undefined, 20_000, 'the new code to answer');
  const after = (await f.lambda.send(new GetFunctionCommand({ FunctionName: 'nodepkg' }))).Configuration!.CodeSha256;
  expect(after).not.toBe(before);
  expect(await invoke('nodepkg:1')).toMatchObject({ greeting: 'one', twoHours: 7_200_000 });
  const v1Config = (await f.lambda.send(new GetFunctionCommand({ FunctionName: 'nodepkg', Qualifier: '1' }))).Configuration!;
  expect(v1Config.CodeSha256).toBe(before);
  // publishing the unchanged $LATEST twice makes one version
  const v2 = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'nodepkg' }));
  const again = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'nodepkg' }));
  expect([v2.Version, again.Version]).toEqual(['2', '2']);
});

it('says which manifest names a code.path that is not there', async () => {
  f.write('missing.yaml', manifest('missing', 'nodejs20', 'index.handler', 'not-there'));
  await expect(f.local.store.reload()).rejects.toMatchObject({ message: expect.stringMatching(/missing\.yaml.*spec\.code\.path.*no such file or folder/) });
  rmSync(join(f.dir, 'missing.yaml'));
  await f.local.store.reload();
});
