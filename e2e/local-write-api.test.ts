// The Lambda API that writes functions, in the local mode, through the official AWS SDK: create from a zip (a Node
// function with an npm package in node_modules, a Python function with a vendored package), the waiters, invoke,
// update code and configuration, publish, Code.Location, tags, account settings, delete → 404 — and refusals that
// leave the folder as it was.
import {
  CreateFunctionCommand, DeleteFunctionCommand, PublishVersionCommand, GetAccountSettingsCommand, GetFunctionCommand, InvokeCommand, ListTagsCommand,
  ResourceNotFoundException, type Runtime, TagResourceCommand, UntagResourceCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bufferDigest } from '../src/code/package-digest.js';
import { makeZip, renameInZip } from '../test/helpers/zips.js';
import { decode, startFixture, type Fixture } from './helpers/local.js';

let f: Fixture;
const ROLE = 'arn:aws:iam::000000000000:role/lambda-runner';
const ms = join(process.cwd(), 'node_modules', 'ms');

const nodeZip = (greeting: string) => makeZip([
  { name: 'index.mjs', data: `import ms from 'ms';\nexport const handler = async () => ({ greeting: ${JSON.stringify(greeting)}, day: ms('1d'), env: process.env.COLOR ?? null });\n` },
  { name: 'node_modules/ms/package.json', data: readFileSync(join(ms, 'package.json')) },
  { name: 'node_modules/ms/index.js', data: readFileSync(join(ms, 'index.js')) },
]);

beforeAll(async () => { f = await startFixture({}); }, 60_000);
afterAll(async () => { await f?.stop(); });

const invoke = async (name: string) => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
  expect(out.FunctionError).toBeUndefined();
  return decode(out.Payload) as Record<string, unknown>;
};
const waiter = { client: undefined as never, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };

it('creates a Node function from a zip holding node_modules: Pending, then Active; it runs; CodeSha256 is the zip\'s', async () => {
  const zip = await nodeZip('v1');
  const created = await f.lambda.send(new CreateFunctionCommand({
    FunctionName: 'shop', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip }, Tags: { team: 'web' },
  }));
  expect(created).toMatchObject({ FunctionName: 'shop', Runtime: 'nodejs20.x', State: 'Pending', CodeSha256: bufferDigest(zip).sha256, CodeSize: zip.length, Role: ROLE });
  await waitUntilFunctionActiveV2({ ...waiter, client: f.lambda }, { FunctionName: 'shop' });
  expect(await invoke('shop')).toEqual({ greeting: 'v1', day: 86_400_000, env: null });
  // the folder is the source of truth: a manifest and the zip
  expect(existsSync(join(f.dir, 'shop.yaml'))).toBe(true);
  expect(readFileSync(join(f.dir, 'shop.zip'))).toEqual(zip);
  // Code.Location downloads the same zip, without credentials
  const got = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'shop' }));
  expect(got.Tags).toEqual({ team: 'web' });
  const res = await fetch(got.Code!.Location!);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer())).toEqual(zip);
  const forged = new URL(got.Code!.Location!);
  forged.searchParams.set('Qualifier', '1');
  expect((await fetch(forged)).status).toBe(403);
});

it('creates a Python function with a vendored package', async () => {
  const zip = await makeZip([
    { name: 'app.py', data: 'import vendored_greeting\n\ndef handler(event, context):\n    return vendored_greeting.hello()\n' },
    { name: 'vendored_greeting/__init__.py', data: 'def hello():\n    return {"from": "a vendored package"}\n' },
  ]);
  await f.lambda.send(new CreateFunctionCommand({ FunctionName: 'py-shop', Runtime: 'python3.11', Role: ROLE, Handler: 'app.handler', Code: { ZipFile: zip } }));
  await waitUntilFunctionActiveV2({ ...waiter, client: f.lambda }, { FunctionName: 'py-shop' });
  expect(await invoke('py-shop')).toEqual({ from: 'a vendored package' });
});

it('updates code (the next invoke runs it), publishes, updates configuration; a version keeps its code', async () => {
  const zip2 = await nodeZip('v2');
  const updated = await f.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'shop', ZipFile: zip2, Publish: true }));
  expect(updated).toMatchObject({ Version: '1', CodeSha256: bufferDigest(zip2).sha256 });
  await waitUntilFunctionUpdatedV2({ ...waiter, client: f.lambda }, { FunctionName: 'shop' });
  expect(await invoke('shop')).toMatchObject({ greeting: 'v2' });
  const config = await f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'shop', Environment: { Variables: { COLOR: 'blue' } }, MemorySize: 256, Timeout: 10 }));
  expect(config).toMatchObject({ LastUpdateStatus: 'InProgress', MemorySize: 256, Timeout: 10 });
  await waitUntilFunctionUpdatedV2({ ...waiter, client: f.lambda }, { FunctionName: 'shop' });
  const latest = (await f.lambda.send(new GetFunctionCommand({ FunctionName: 'shop' }))).Configuration!;
  expect(latest).toMatchObject({ LastUpdateStatus: 'Successful', State: 'Active', MemorySize: 256, Environment: { Variables: { COLOR: 'blue' } } });
  expect(await invoke('shop')).toMatchObject({ greeting: 'v2', env: 'blue' });
  await f.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'shop', ZipFile: await nodeZip('v3') }));
  await waitUntilFunctionUpdatedV2({ ...waiter, client: f.lambda }, { FunctionName: 'shop' });
  expect(await invoke('shop')).toMatchObject({ greeting: 'v3' });
  expect(await invoke('shop:1')).toMatchObject({ greeting: 'v2', env: null });
  // a stale RevisionId is refused
  await expect(f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'shop', Timeout: 5, RevisionId: latest.RevisionId })))
    .rejects.toMatchObject({ name: 'PreconditionFailedException' });
  // PublishVersion's preconditions: a stale RevisionId or CodeSha256 is refused, the current ones publish
  await expect(f.lambda.send(new PublishVersionCommand({ FunctionName: 'shop', RevisionId: latest.RevisionId })))
    .rejects.toMatchObject({ name: 'PreconditionFailedException' });
  await expect(f.lambda.send(new PublishVersionCommand({ FunctionName: 'shop', CodeSha256: bufferDigest(zip2).sha256 })))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  const now = (await f.lambda.send(new GetFunctionCommand({ FunctionName: 'shop' }))).Configuration!;
  expect(await f.lambda.send(new PublishVersionCommand({ FunctionName: 'shop', RevisionId: now.RevisionId, CodeSha256: now.CodeSha256 })))
    .toMatchObject({ Version: '2' });
});

it('tags and untags; reports the account settings', async () => {
  const arn = 'arn:aws:lambda:us-east-1:000000000000:function:shop';
  await f.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { stage: 'test' } }));
  expect((await f.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ team: 'web', stage: 'test' });
  await f.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['team'] }));
  expect((await f.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ stage: 'test' });
  const settings = await f.lambda.send(new GetAccountSettingsCommand({}));
  expect(settings.AccountLimit).toMatchObject({ CodeSizeZipped: 52_428_800, CodeSizeUnzipped: 262_144_000 });
  expect(settings.AccountUsage!.FunctionCount).toBe(2);
});

it('refuses hostile and oversized zips, a taken name and an unknown runtime, writing nothing', async () => {
  const before = readdirSync(f.dir).sort();
  const slip = renameInZip(await makeZip([{ name: 'zz/zz/evil.txt', data: 'x' }]), 'zz/zz/evil.txt', '../../evil.txt');
  const create = (name: string, zip: Uint8Array, runtime: Runtime = 'nodejs20.x') =>
    f.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime, Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip } }));
  await expect(create('evil', slip)).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Could not unzip') });
  await expect(create('big', Buffer.alloc(50 * 1024 * 1024 + 1))).rejects.toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 } });
  await expect(create('shop', await nodeZip('x'))).rejects.toMatchObject({ name: 'ResourceConflictException' });
  await expect(create('ruby', await nodeZip('x'), 'ruby2.7' as Runtime)).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("Value 'ruby2.7' at 'runtime'") });
  await expect(f.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'shop', ZipFile: slip }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  expect(readdirSync(f.dir).sort()).toEqual(before);
  expect(existsSync(join(f.dir, '..', 'evil.txt'))).toBe(false);
  expect(await invoke('shop')).toMatchObject({ greeting: 'v3' });
});

it('deletes a version, then the function with its files: 404 after', async () => {
  await f.lambda.send(new DeleteFunctionCommand({ FunctionName: 'shop', Qualifier: '1' }));
  await expect(invoke('shop:1')).rejects.toBeInstanceOf(ResourceNotFoundException);
  expect(existsSync(join(f.dir, 'shop.v1.zip'))).toBe(false);
  await f.lambda.send(new DeleteFunctionCommand({ FunctionName: 'shop' }));
  await expect(f.lambda.send(new GetFunctionCommand({ FunctionName: 'shop' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  await expect(invoke('shop')).rejects.toBeInstanceOf(ResourceNotFoundException);
  expect(existsSync(join(f.dir, 'shop.yaml'))).toBe(false);
  expect(existsSync(join(f.dir, 'shop.zip'))).toBe(false);
});
