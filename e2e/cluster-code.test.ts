// Zip packages on a real control plane with a real versitygw as the code store, through the official SDK: create a
// Node function (an npm package in node_modules) and a Python one (a vendored package) from zips → invoke → update
// code → the next invoke runs it → publish → delete → 404; CodeSha256 is the zip's; a Go bootstrap built with
// aws-lambda-go as provided.al2023 (a typed Function URL handler too) and a Rust one built with lambda_runtime; code.s3
// from a bucket of the tenant's own; hostile zips refused with nothing stored.
// The agent fetches each package with its version's presigned URL, checks it, and keeps it in the node's cache; the
// function container never holds a store credential.
import {
  CreateFunctionCommand, CreateFunctionUrlConfigCommand, DeleteFunctionCommand, GetFunctionCommand, InvalidParameterValueException, InvokeCommand,
  LambdaServiceException, PublishVersionCommand, ResourceNotFoundException, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bufferDigest, digestName } from '../src/code/package-digest.js';
import { urlId } from '../src/core/function-url.js';
import { packageRoot } from '../src/core/package-root.js';
import { makeZip, renameInZip } from '../test/helpers/zips.js';
import { s3Client } from '../test/helpers/versitygw.js';
import { waitFor } from './helpers/local.js';
import { ADMIN_KEY, invokeReady, podDiagnostics, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';
import { awsCli } from './helpers/aws-cli.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

let k: KlambdaOnCluster;
const ROLE = 'arn:aws:iam::000000000000:role/lambda-runner';
const ms = join(process.cwd(), 'node_modules', 'ms');
const waiter = { client: undefined as never, maxWaitTime: 300, minDelay: 1, maxDelay: 2 };

const nodeZip = (greeting: string) => makeZip([
  { name: 'index.mjs', data: `import ms from 'ms';\nimport { readdirSync } from 'node:fs';\nexport const handler = async () => ({ greeting: ${JSON.stringify(greeting)}, day: ms('1d'), secrets: readdirSync('/etc').includes('klambda') });\n` },
  { name: 'node_modules/ms/package.json', data: readFileSync(join(ms, 'package.json')) },
  { name: 'node_modules/ms/index.js', data: readFileSync(join(ms, 'index.js')) },
]);

/** A test function's binary, built by hack/testbin/<script> once into ~/.cache/klambda. */
function builtBootstrap(script: string): string {
  const out = execFileSync('bash', [join(packageRoot(), 'hack', 'testbin', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
  return out.trim().split('\n').at(-1)!;
}
const goBootstrap = () => builtBootstrap('build-go-bootstrap.sh');

beforeAll(async () => {
  // the runtimes this cluster serves (the controller's and the router's $KLAMBDA_RUNTIMES): not java17, for one
  k = await startKlambdaOnCluster({ codeStore: true, env: { KLAMBDA_RUNTIMES: 'nodejs20,python3.11,provided' } });
  // the execution role is the function's ServiceAccount
  await k.cluster.admin.create('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'lambda-runner' } });
}, 45 * 60_000);

afterAll(async () => {
  // KLAMBDA_TEST_POD_LOGS=1: the pods' story, for a failure here
  if (process.env.KLAMBDA_TEST_POD_LOGS && k) process.stderr.write(`${await podDiagnostics(k)}\n`);
  await k?.stop();
});

/** Invokes once the function has a route and an environment. */
const invoke = (name: string, payload: unknown = {}, qualifier?: string) => invokeReady(k.lambda, name, payload, qualifier);

const storedKeys = async (): Promise<string[]> => {
  const s3 = s3Client(k.store!, k.store!.root);
  try {
    return ((await s3.send(new ListObjectsV2Command({ Bucket: 'klambda-code' }))).Contents ?? []).map((o) => o.Key!);
  } catch {
    return [];
  } finally {
    s3.destroy();
  }
};

it('creates a Node function from a zip with node_modules: Pending, then Active; it runs; CodeSha256 is the zip\'s; the package is in the store by digest', async () => {
  const zip = await nodeZip('v1');
  const digest = bufferDigest(zip);
  const created = await k.lambda.send(new CreateFunctionCommand({
    FunctionName: 'shop', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip }, Tags: { team: 'web' },
  }));
  expect(created).toMatchObject({ FunctionName: 'shop', State: 'Pending', CodeSha256: digest.sha256, CodeSize: zip.length });
  await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: 'shop' });
  // the function container sees its code and no klambda secret (the agent's Secret is the agent's alone)
  expect(await invoke('shop')).toEqual({ greeting: 'v1', day: 86_400_000, secrets: false });
  const hex = Buffer.from(digest.sha256, 'base64').toString('hex');
  expect(await storedKeys()).toContain(`packages/default/${hex}.zip`);
  // kubectl sees what the API made: a Function whose code is that package
  const fn = await k.cluster.admin.get<{ spec: { code: unknown; tags: unknown }; status: { codeSha256: string } }>('/apis/klambda.dev/v1alpha1/namespaces/default/functions/shop');
  expect(fn.spec.code).toEqual({ s3: { bucket: 'klambda-code', key: `packages/default/${hex}.zip` } });
  expect(fn.spec.tags).toEqual({ team: 'web' });
  expect(fn.status.codeSha256).toBe(digest.sha256);
  // GetFunction's Code.Location downloads the zip itself
  const got = await k.lambda.send(new GetFunctionCommand({ FunctionName: 'shop' }));
  expect(got.Configuration).toMatchObject({ State: 'Active', CodeSha256: digest.sha256, CodeSize: zip.length });
  expect(got.Tags).toEqual({ team: 'web' });
  expect(Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer())).toEqual(zip);
  // the node keeps the unpacked package in its cache, once
  const cache = join(k.node.folder, 'host', 'var', 'cache', 'klambda', 'packages');
  expect(existsSync(join(cache, digestName(digest.sha256), 'node_modules', 'ms', 'index.js'))).toBe(true);
}, 600_000);

it('refuses an execution role whose ServiceAccount does not exist', async () => {
  await expect(k.lambda.send(new CreateFunctionCommand({
    FunctionName: 'no-role', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/nobody', Handler: 'index.handler', Code: { ZipFile: await nodeZip('x') },
  }))).rejects.toThrow(/cannot be assumed/);
});

it('refuses a runtime the cluster does not serve, up front: nothing is made', async () => {
  const e = await k.lambda.send(new CreateFunctionCommand({
    FunctionName: 'javafn', Runtime: 'java17', Role: ROLE, Handler: 'example.Handler::handleRequest', Code: { ZipFile: await nodeZip('x') },
  })).then(() => undefined, (err: unknown) => err as Error);
  expect(e?.name).toBe('InvalidParameterValueException');
  expect(e?.message).toBe('The runtime parameter of java17 is not supported on this klambda: this klambda does not serve java17 (its runtimes: nodejs20, python3.11, provided)');
  await expect(k.cluster.admin.get('/apis/klambda.dev/v1alpha1/namespaces/default/functions/javafn')).rejects.toThrow();
  // nor may a function it serves be moved to one (shop exists: created above)
  await expect(k.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'shop', Runtime: 'ruby3.3' }))).rejects.toThrow(/does not serve ruby3/);
});

it('creates a Python function with a vendored package', async () => {
  const zip = await makeZip([
    { name: 'app.py', data: 'import vendored_greeting\n\ndef handler(event, context):\n    return vendored_greeting.hello()\n' },
    { name: 'vendored_greeting/__init__.py', data: 'def hello():\n    return {"from": "a vendored package"}\n' },
  ]);
  await k.lambda.send(new CreateFunctionCommand({ FunctionName: 'py-shop', Runtime: 'python3.11', Role: ROLE, Handler: 'app.handler', Code: { ZipFile: zip } }));
  await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: 'py-shop' });
  expect(await invoke('py-shop')).toEqual({ from: 'a vendored package' });
}, 600_000);

it('updates code (the next invoke after the waiter runs it), publishes, and a version keeps its code', async () => {
  const zip2 = await nodeZip('v2');
  const updated = await k.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'shop', ZipFile: zip2 }));
  expect(updated).toMatchObject({ CodeSha256: bufferDigest(zip2).sha256, LastUpdateStatus: 'InProgress' });
  await waitUntilFunctionUpdatedV2({ ...waiter, client: k.lambda }, { FunctionName: 'shop' });
  expect(await invoke('shop')).toMatchObject({ greeting: 'v2' });
  const v1 = await k.lambda.send(new PublishVersionCommand({ FunctionName: 'shop', CodeSha256: bufferDigest(zip2).sha256 }));
  expect(v1).toMatchObject({ Version: '1', CodeSha256: bufferDigest(zip2).sha256, CodeSize: zip2.length });
  await k.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'shop', ZipFile: await nodeZip('v3') }));
  await waitUntilFunctionUpdatedV2({ ...waiter, client: k.lambda }, { FunctionName: 'shop' });
  expect(await invoke('shop')).toMatchObject({ greeting: 'v3' });
  expect(await invoke('shop', {}, '1')).toMatchObject({ greeting: 'v2' });
  const config = await k.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'shop', MemorySize: 256 }));
  expect(config).toMatchObject({ MemorySize: 256, LastUpdateStatus: 'InProgress' });
  await waitUntilFunctionUpdatedV2({ ...waiter, client: k.lambda }, { FunctionName: 'shop' });
}, 900_000);

it('runs a Go bootstrap built with aws-lambda-go, shipped as a zip (provided.al2023)', async () => {
  const zip = await makeZip([{ name: 'bootstrap', data: readFileSync(goBootstrap()), mode: 0o100755 }]);
  const created = await k.lambda.send(new CreateFunctionCommand({ FunctionName: 'gofn', Runtime: 'provided.al2023', Role: ROLE, Handler: 'bootstrap', Code: { ZipFile: zip } }));
  expect(created.CodeSha256).toBe(bufferDigest(zip).sha256);
  await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: 'gofn' });
  expect(await invoke('gofn', { name: 'ada' })).toMatchObject({ greeting: 'hello ada from Go', functionName: 'gofn' });
  // an error of the function's own type, as aws-lambda-go names it
  const failed = await k.lambda.send(new InvokeCommand({ FunctionName: 'gofn', Payload: Buffer.from('{"reject":"out of stock"}') }));
  expect(failed.FunctionError).toBe('Unhandled');
  expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toEqual({ errorType: 'OrderRejected', errorMessage: 'order rejected: out of stock' });
  // the same binary as a typed events.LambdaFunctionURLRequest handler behind a Function URL on the router
  await k.lambda.send(new CreateFunctionCommand({ FunctionName: 'gourl', Runtime: 'provided.al2023', Role: ROLE, Handler: 'url', Code: { ZipFile: zip } }));
  await k.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'gourl', AuthType: 'NONE' }));
  await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: 'gourl' });
  const res = await waitFor(async () => {
    const r = await fetch(`${k.routerUrl}/lambda-url/${urlId('default', 'gourl', '$LATEST')}/orders/7?tag=a`, { method: 'POST', body: 'hi' });
    return r.status === 201 ? r : undefined;
  }, 120_000, 'the Go URL served');
  expect(res.headers.get('x-runtime')).toBe('go');
  expect(await res.json()).toMatchObject({ method: 'POST', path: '/orders/7', query: { tag: 'a' }, body: 'hi' });
}, 900_000);

it('runs a Rust bootstrap built with lambda_runtime, shipped as a zip (provided.al2023)', async () => {
  const zip = await makeZip([{ name: 'bootstrap', data: readFileSync(builtBootstrap('build-rust-bootstrap.sh')), mode: 0o100755 }]);
  await k.lambda.send(new CreateFunctionCommand({ FunctionName: 'rustfn', Runtime: 'provided.al2023', Role: ROLE, Handler: 'bootstrap', Code: { ZipFile: zip } }));
  await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: 'rustfn' });
  expect(await invoke('rustfn', { name: 'ada' })).toMatchObject({ greeting: 'hello ada from Rust', functionName: 'rustfn' });
  const failed = await k.lambda.send(new InvokeCommand({ FunctionName: 'rustfn', Payload: Buffer.from('{"name":"x","fail":"no"}') }));
  expect(failed.FunctionError).toBe('Unhandled');
  expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({ errorMessage: 'no', errorType: expect.stringContaining('Box<dyn core::error::Error') });
}, 900_000);

it('takes code.s3 from a bucket of the tenant\'s own, read with the access key in its Secret klambda-s3', async () => {
  const tenant = await k.store!.createUser('userplus');
  const s3 = s3Client(k.store!, tenant);
  const zip = await makeZip([{ name: 'index.mjs', data: 'export const handler = async () => ({ from: "s3" });\n' }]);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'tenant-builds' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tenant-builds', Key: 'fn/build-1.zip', Body: zip }));
  } finally {
    s3.destroy();
  }
  const create = () => k.lambda.send(new CreateFunctionCommand({
    FunctionName: 'from-s3', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { S3Bucket: 'tenant-builds', S3Key: 'fn/build-1.zip' },
  }));
  // no key of the tenant's: refused, clearly
  await expect(create()).rejects.toThrow(/klambda-s3/);
  await k.cluster.admin.create('/api/v1/namespaces/default/secrets', {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'klambda-s3' }, stringData: { accessKeyId: tenant.accessKeyId, secretAccessKey: tenant.secretAccessKey },
  });
  const created = await create();
  expect(created.CodeSha256).toBe(bufferDigest(zip).sha256);
  await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: 'from-s3' });
  expect(await invoke('from-s3')).toEqual({ from: 's3' });
  // another namespace's package in the store's bucket is not a tenant's to name
  await expect(k.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'from-s3', S3Bucket: 'klambda-code', S3Key: `packages/other/${'0'.repeat(64)}.zip` })))
    .rejects.toBeInstanceOf(InvalidParameterValueException);
}, 600_000);

it('refuses hostile zips with nothing stored', async () => {
  const before = await storedKeys();
  const slip = renameInZip(await makeZip([{ name: 'xxescape.txt', data: 'x' }]), 'xxescape.txt', '../escape.txt'.padEnd(12, 'x').slice(0, 12));
  const bomb = await makeZip([{ name: 'big.bin', data: Buffer.alloc(270 * 1024 * 1024), compress: true }]);
  for (const zip of [slip, bomb, Buffer.from('not a zip')]) {
    await expect(k.lambda.send(new CreateFunctionCommand({ FunctionName: 'evil', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zip } })))
      .rejects.toBeInstanceOf(InvalidParameterValueException);
  }
  expect(await storedKeys()).toEqual(before);
  await expect(k.lambda.send(new GetFunctionCommand({ FunctionName: 'evil' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
}, 300_000);

it('does the same with the AWS CLI v1 (fileb://, the waiters, invoke, update-function-code --publish, delete-function)', async () => {
  const files = mkdtempSync(join(tmpdir(), 'klambda-cli-files-'));
  const aws = awsCli('lambda', k.routerUrl, ADMIN_KEY);
  try {
    const zip = join(files, 'function.zip');
    writeFileSync(zip, await makeZip([{ name: 'index.mjs', data: 'export const handler = async (e) => ({ hi: e.name });' }]));
    const created = JSON.parse(await aws('create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
      '--role', ROLE, '--zip-file', `fileb://${zip}`)) as { CodeSha256: string };
    expect(created.CodeSha256).toBe(createHash('sha256').update(readFileSync(zip)).digest('base64'));
    await aws('wait', 'function-active-v2', '--function-name', 'cli-fn');
    const out = join(files, 'out.json');
    expect(JSON.parse(await aws('invoke', '--function-name', 'cli-fn', '--payload', '{"name":"cli"}', out))).toMatchObject({ StatusCode: 200 });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ hi: 'cli' });
    writeFileSync(zip, await makeZip([{ name: 'index.mjs', data: 'export const handler = async (e) => ({ bye: e.name });' }]));
    expect(JSON.parse(await aws('update-function-code', '--function-name', 'cli-fn', '--zip-file', `fileb://${zip}`, '--publish'))).toMatchObject({ Version: '1' });
    await aws('wait', 'function-updated-v2', '--function-name', 'cli-fn');
    await aws('invoke', '--function-name', 'cli-fn', '--payload', '{"name":"cli"}', out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ bye: 'cli' });
    await aws('delete-function', '--function-name', 'cli-fn');
    await expect(aws('get-function', '--function-name', 'cli-fn')).rejects.toThrow(/ResourceNotFoundException/);
  } finally {
    rmSync(files, { recursive: true, force: true });
  }
}, 600_000);

it('deletes a version, then the function: 404, and its Kubernetes objects go', async () => {
  await k.lambda.send(new DeleteFunctionCommand({ FunctionName: 'shop', Qualifier: '1' }));
  await expect(k.lambda.send(new GetFunctionCommand({ FunctionName: 'shop', Qualifier: '1' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  await k.lambda.send(new DeleteFunctionCommand({ FunctionName: 'shop' }));
  await expect(k.lambda.send(new GetFunctionCommand({ FunctionName: 'shop' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  await waitFor(async () => ((await k.cluster.admin.find('/apis/klambda.dev/v1alpha1/namespaces/default/functions/shop')) ? undefined : true), 60_000, 'Function shop gone');
  await expect(k.lambda.send(new InvokeCommand({ FunctionName: 'shop' }))).rejects.toBeInstanceOf(LambdaServiceException);
}, 300_000);

it('keeps each package once in the node\'s cache', () => {
  const cache = join(k.node.folder, 'host', 'var', 'cache', 'klambda', 'packages');
  const entries = readdirSync(cache).filter((e) => !e.startsWith('.'));
  expect(new Set(entries).size).toBe(entries.length);
  expect(entries.length).toBeGreaterThanOrEqual(4);
});
