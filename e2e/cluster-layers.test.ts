// Lambda layers on a real control plane with a real versitygw as the code store, through the official SDK: a layer (a
// Node package, a Python module, an executable) published from a zip is a Layer object whose versions' zips are
// packages of the store; a Node and a Python function use it (the agent fetches each layer with its own presigned URL,
// checks it, caches it by digest and merges it into /opt); list, get, get by ARN; version 2 and a function moved to it,
// while the other and a published version keep version 1; deleting a version in use is refused, an unused one goes and
// its number is never published again; a Function applied with a layer that is not there yet waits for it; Lambda's
// refusals, code and layers over 250 MB unzipped among them.
import {
  CreateFunctionCommand, DeleteLayerVersionCommand, GetFunctionCommand, GetLayerVersionByArnCommand, GetLayerVersionCommand,
  ListLayersCommand, ListLayerVersionsCommand, PublishLayerVersionCommand, PublishVersionCommand, ResourceNotFoundException,
  UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferDigest, digestName } from '../src/code/package-digest.js';
import { deploymentName } from '../src/controller/resources/names.js';
import { makeZip } from '../test/helpers/zips.js';
import { layerZip } from '../test/helpers/layer-zips.js';
import { waitFor } from './helpers/local.js';
import { ADMIN_KEY, invokeReady, podDiagnostics, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';
import { awsCli } from './helpers/aws-cli.js';

let k: KlambdaOnCluster;
const ROLE = 'arn:aws:iam::000000000000:role/lambda-runner';
const ARN = 'arn:aws:lambda:us-east-1:000000000000:layer';
const API = '/apis/klambda.dev/v1alpha1/namespaces/default';
const waiter = { client: undefined as never, maxWaitTime: 300, minDelay: 1, maxDelay: 2 };

beforeAll(async () => {
  k = await startKlambdaOnCluster({ codeStore: true });
  // the execution role is the function's ServiceAccount
  await k.cluster.admin.create('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'lambda-runner' } });
}, 45 * 60_000);

afterAll(async () => {
  // KLAMBDA_TEST_POD_LOGS=1: the pods' story, for a failure here
  if (process.env.KLAMBDA_TEST_POD_LOGS && k) process.stderr.write(`${await podDiagnostics(k)}\n`);
  await k?.stop();
});

/** A Node function importing the layer's package (as an ES module, and with require), running its tool, showing its paths. */
const nodeZip = () => makeZip([{
  name: 'index.mjs',
  data: [
    "import { execFileSync } from 'node:child_process';",
    "import { createRequire } from 'node:module';",
    "import greet from 'greet';",
    'const require = createRequire(import.meta.url);',
    "export const handler = async (e) => ({ esm: greet(e.name), cjs: require('greet')(e.name), tool: execFileSync('layer-tool').toString().trim(),",
    '  path: process.env.PATH, ld: process.env.LD_LIBRARY_PATH });',
  ].join('\n'),
}]);

/** A Python function importing the layer's module and running its tool. */
const pythonZip = () => makeZip([{
  name: 'app.py',
  data: 'import subprocess\nimport greet\n\ndef handler(event, context):\n'
    + '    return {"greet": greet.greet(event["name"]), "tool": subprocess.run(["layer-tool"], capture_output=True, text=True).stdout.strip()}\n',
}]);

const create = (name: string, runtime: 'nodejs20.x' | 'python3.11', zip: Buffer, layers: string[]) => k.lambda.send(new CreateFunctionCommand({
  FunctionName: name, Runtime: runtime, Role: ROLE, Handler: runtime === 'python3.11' ? 'app.handler' : 'index.handler', Code: { ZipFile: zip }, Layers: layers,
}));

/** Invokes once the function has a route and an environment. */
const invoke = (name: string, payload: unknown, qualifier?: string) => invokeReady(k.lambda, name, payload, qualifier);

interface LayerObject { metadata: { annotations?: Record<string, string> }; spec: { versions: Array<{ version: number; code: unknown; codeSha256: string }> } }
const layerObject = (name: string) => k.cluster.admin.get<LayerObject>(`${API}/layers/${name}`);
const hex = (zip: Buffer) => Buffer.from(bufferDigest(zip).sha256, 'base64').toString('hex');

let v1: Buffer;
let v2: Buffer;

it('publishes a layer from a zip: Lambda\'s answer, a Layer object whose version is a package of the store, a Content.Location that downloads it', async () => {
  v1 = await layerZip('v1');
  const out = await k.lambda.send(new PublishLayerVersionCommand({
    LayerName: 'shared', Content: { ZipFile: v1 }, Description: 'greetings', CompatibleRuntimes: ['nodejs20.x', 'python3.11'], LicenseInfo: 'MIT',
    CompatibleArchitectures: ['x86_64'],
  }));
  expect(out).toMatchObject({
    LayerArn: `${ARN}:shared`, LayerVersionArn: `${ARN}:shared:1`, Version: 1, Description: 'greetings', LicenseInfo: 'MIT',
    CompatibleRuntimes: ['nodejs20.x', 'python3.11'], CompatibleArchitectures: ['x86_64'],
    Content: { CodeSha256: bufferDigest(v1).sha256, CodeSize: v1.length },
  });
  expect(out.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  expect(Buffer.from(await (await fetch(out.Content!.Location!)).arrayBuffer())).toEqual(v1);
  // kubectl sees what the API made
  const layer = await layerObject('shared');
  expect(layer.spec.versions).toEqual([expect.objectContaining({
    version: 1, code: { s3: { bucket: 'klambda-code', key: `packages/default/${hex(v1)}.zip` } }, codeSha256: bufferDigest(v1).sha256,
  })]);
}, 120_000);

it('runs a Node function (import and require) and a Python one on it, with /opt/bin on PATH and /opt/lib on LD_LIBRARY_PATH', async () => {
  const node = await create('greeter-node', 'nodejs20.x', await nodeZip(), [`${ARN}:shared:1`]);
  expect(node.Layers).toEqual([{ Arn: `${ARN}:shared:1`, CodeSize: v1.length }]);
  await create('greeter-py', 'python3.11', await pythonZip(), [`${ARN}:shared:1`]);
  for (const name of ['greeter-node', 'greeter-py']) await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: name });
  const ran = await invoke('greeter-node', { name: 'ada' });
  expect(ran).toMatchObject({ esm: 'hello ada from layer v1', cjs: 'hello ada from layer v1', tool: 'tool-v1' });
  // the pod's /opt (a host folder on the process node): its bin last on PATH, its lib the library path
  const opt = String(ran.ld).replace(/\/lib$/, '');
  expect(String(ran.path).split(':').at(-1)).toBe(`${opt}/bin`);
  expect(await invoke('greeter-py', { name: 'bob' })).toEqual({ greet: 'hello bob from layer v1', tool: 'tool-v1' });
  // as the Deployment says it, Lambda's values
  type Deployment = { spec: { template: { spec: { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }>; volumeMounts?: unknown[] }> } } } };
  const d = await k.cluster.admin.get<Deployment>(`/apis/apps/v1/namespaces/default/deployments/${deploymentName('greeter-node', '$LATEST')}`);
  const fn = d.spec.template.spec.containers.find((c) => c.name === 'function')!;
  const env = Object.fromEntries((fn.env ?? []).map((e) => [e.name, e.value]));
  expect(env).toMatchObject({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/bin', LD_LIBRARY_PATH: '/opt/lib' });
  expect(fn.volumeMounts).toContainEqual({ name: 'opt', mountPath: '/opt', readOnly: true });
  const got = await k.lambda.send(new GetFunctionCommand({ FunctionName: 'greeter-py' }));
  expect(got.Configuration!.Layers).toEqual([{ Arn: `${ARN}:shared:1`, CodeSize: v1.length }]);
  const stored = await k.cluster.admin.get<{ spec: { layers: string[] } }>(`${API}/functions/greeter-py`);
  expect(stored.spec.layers).toEqual(['shared:1']);
  // the node keeps the unpacked layer in its cache, by digest
  expect(existsSync(join(k.node.folder, 'host', 'var', 'cache', 'klambda', 'packages', digestName(bufferDigest(v1).sha256), 'bin', 'layer-tool'))).toBe(true);
}, 900_000);

it('lists, gets and gets by ARN, with the filters', async () => {
  const layers = await k.lambda.send(new ListLayersCommand({}));
  expect(layers.Layers).toEqual([expect.objectContaining({ LayerName: 'shared', LayerArn: `${ARN}:shared`, LatestMatchingVersion: expect.objectContaining({ Version: 1, LayerVersionArn: `${ARN}:shared:1` }) })]);
  expect((await k.lambda.send(new ListLayersCommand({ CompatibleRuntime: 'java21' }))).Layers).toEqual([]);
  expect((await k.lambda.send(new ListLayerVersionsCommand({ LayerName: 'shared', CompatibleRuntime: 'python3.11' }))).LayerVersions!.map((v) => v.Version)).toEqual([1]);
  expect((await k.lambda.send(new ListLayerVersionsCommand({ LayerName: 'nothing-here' }))).LayerVersions).toEqual([]);
  const byName = await k.lambda.send(new GetLayerVersionCommand({ LayerName: 'shared', VersionNumber: 1 }));
  const byArn = await k.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${ARN}:shared:1` }));
  const strip = (o: typeof byName) => ({ ...o, Content: { ...o.Content, Location: undefined }, $metadata: undefined });
  expect(strip(byArn)).toEqual(strip(byName));
  expect(byName.Content).toMatchObject({ CodeSha256: bufferDigest(v1).sha256, CodeSize: v1.length });
  expect(Buffer.from(await (await fetch(byArn.Content!.Location!)).arrayBuffer())).toEqual(v1);
  await expect(k.lambda.send(new GetLayerVersionCommand({ LayerName: 'shared', VersionNumber: 99 })))
    .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' });
});

it('publishes version 2; the function moved to it runs it, the other keeps version 1, so does a published function version', async () => {
  const published = await k.lambda.send(new PublishVersionCommand({ FunctionName: 'greeter-py' }));
  expect(published).toMatchObject({ Version: '1', Layers: [{ Arn: `${ARN}:shared:1`, CodeSize: v1.length }] });
  v2 = await layerZip('v2');
  expect(await k.lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: v2 }, CompatibleRuntimes: ['python3.11'] })))
    .toMatchObject({ Version: 2, LayerVersionArn: `${ARN}:shared:2` });
  expect((await k.lambda.send(new ListLayerVersionsCommand({ LayerName: 'shared' }))).LayerVersions!.map((v) => v.Version)).toEqual([2, 1]);
  const updated = await k.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'greeter-py', Layers: [`${ARN}:shared:2`] }));
  expect(updated.Layers).toEqual([{ Arn: `${ARN}:shared:2`, CodeSize: v2.length }]);
  await waitUntilFunctionUpdatedV2({ ...waiter, client: k.lambda }, { FunctionName: 'greeter-py' });
  expect(await invoke('greeter-py', { name: 'bob' })).toEqual({ greet: 'hello bob from layer v2', tool: 'tool-v2' });
  expect(await invoke('greeter-py', { name: 'bob' }, '1')).toEqual({ greet: 'hello bob from layer v1', tool: 'tool-v1' });
  expect(await invoke('greeter-node', { name: 'ada' })).toMatchObject({ esm: 'hello ada from layer v1', tool: 'tool-v1' });
}, 900_000);

it('refuses to delete a version in use; deletes an unused one (again: no error) and never publishes its number again', async () => {
  await expect(k.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 1 })))
    .rejects.toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining('used by greeter-node, greeter-py:1') });
  await expect(k.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 2 })))
    .rejects.toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining('used by greeter-py') });
  const v3 = await k.lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: await layerZip('v3') } }));
  expect(v3.Version).toBe(3);
  await k.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 3 }));
  await k.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 3 }));
  await expect(k.lambda.send(new GetLayerVersionCommand({ LayerName: 'shared', VersionNumber: 3 })))
    .rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  expect((await layerObject('shared')).metadata.annotations?.['klambda.dev/last-layer-version']).toBe('3');
  expect((await k.lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: await layerZip('v4') } }))).Version).toBe(4);
  await k.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 4 }));
  expect((await k.lambda.send(new ListLayerVersionsCommand({ LayerName: 'shared' }))).LayerVersions!.map((v) => v.Version)).toEqual([2, 1]);
  // a published version is immutable on the API server too
  const layer = await layerObject('shared');
  const changed = { ...layer, spec: { versions: layer.spec.versions.map((v) => (v.version === 1 ? { ...v, description: 'changed' } : v)) } };
  await expect(k.cluster.admin.replace(`${API}/layers/shared`, changed)).rejects.toThrow(/immutable/);
}, 300_000);

it('runs a Function applied with kubectl (inline code) on a layer published after it: LayerNotFound, then Ready once it is there', async () => {
  await k.cluster.admin.create(`${API}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'waits' },
    spec: { runtime: 'python3.11', handler: 'app.handler', layers: ['later:1'], code: { inline: { 'app.py': 'import greet\n\ndef handler(e, c):\n    return greet.greet("kubectl")\n' } } },
  });
  type Status = { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
  const ready = async () => (await k.cluster.admin.get<Status>(`${API}/functions/waits`)).status?.conditions?.find((c) => c.type === 'Ready');
  const missing = await waitFor(async () => ((await ready())?.reason === 'LayerNotFound' ? ready() : undefined), 60_000, 'waits: LayerNotFound');
  expect(missing).toMatchObject({ status: 'False', message: expect.stringContaining('later:1') });
  expect((await k.lambda.send(new GetFunctionCommand({ FunctionName: 'waits' }))).Configuration).toMatchObject({ State: 'Failed', StateReasonCode: 'LayerNotFound' });
  await k.lambda.send(new PublishLayerVersionCommand({ LayerName: 'later', Content: { ZipFile: await layerZip('later') } }));
  await waitFor(async () => ((await ready())?.status === 'True' ? true : undefined), 60_000, 'waits: Ready once the layer is published');
  expect(await invoke('waits', {})).toBe('hello kubectl from layer later');
}, 600_000);

it('refuses unknown versions, another account\'s, one layer twice and a layer with image code, as Lambda does', async () => {
  const zip = await nodeZip();
  await expect(create('bad-1', 'nodejs20.x', zip, [`${ARN}:shared:99`]))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: `Layer version ${ARN}:shared:99 does not exist.` });
  await expect(create('bad-2', 'nodejs20.x', zip, ['arn:aws:lambda:us-east-1:999999999999:layer:shared:1']))
    .rejects.toMatchObject({ name: 'AccessDeniedException' });
  await expect(create('bad-3', 'nodejs20.x', zip, [`${ARN}:shared:1`, `${ARN}:shared:2`]))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Two different versions of the same layer') });
  await expect(k.lambda.send(new CreateFunctionCommand({ FunctionName: 'bad-4', Role: ROLE, PackageType: 'Image', Code: { ImageUri: 'registry.example/fn:1' }, Layers: [`${ARN}:shared:1`] })))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  await expect(k.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'greeter-py', Layers: [`${ARN}:shared:99`] })))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  await expect(k.lambda.send(new PublishLayerVersionCommand({ LayerName: 'Shared_Upper', Content: { ZipFile: zip } })))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Kubernetes') });
  for (const name of ['bad-1', 'bad-2', 'bad-3', 'bad-4']) expect(await k.cluster.admin.find(`${API}/functions/${name}`)).toBeUndefined();
});

it('refuses code and layers over 250 MB unzipped, at CreateFunction and UpdateFunctionConfiguration', async () => {
  // ~130 MB of zeros each (a few hundred KB zipped): either fits, both do not
  const big = await makeZip([{ name: 'python/big.bin', data: Buffer.alloc(130 * 1024 * 1024) }]);
  for (const name of ['big-a', 'big-b']) await k.lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: big } }));
  const message = /^Function code combined with layers exceeds the maximum allowed size of 262144000 bytes\. The actual size is \d+ bytes\.$/;
  await expect(create('too-big', 'python3.11', await pythonZip(), [`${ARN}:big-a:1`, `${ARN}:big-b:1`]))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(message) });
  expect(await k.cluster.admin.find(`${API}/functions/too-big`)).toBeUndefined();
  await expect(k.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'greeter-py', Layers: [`${ARN}:big-a:1`, `${ARN}:big-b:1`] })))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(message) });
  expect((await k.lambda.send(new GetFunctionCommand({ FunctionName: 'greeter-py' }))).Configuration!.Layers).toEqual([{ Arn: `${ARN}:shared:2`, CodeSize: v2.length }]);
}, 300_000);

it('does the same with the AWS CLI v1: publish-layer-version --zip-file fileb://, create-function --layers, invoke', async () => {
  const files = mkdtempSync(join(tmpdir(), 'klambda-cli-layers-'));
  const aws = awsCli('lambda', k.routerUrl, ADMIN_KEY);
  try {
    writeFileSync(join(files, 'layer.zip'), await layerZip('cli'));
    const published = JSON.parse(await aws('publish-layer-version', '--layer-name', 'cli-shared', '--zip-file', `fileb://${join(files, 'layer.zip')}`,
      '--compatible-runtimes', 'nodejs20.x', 'python3.11')) as { LayerVersionArn: string; Version: number };
    expect(published).toMatchObject({ LayerVersionArn: `${ARN}:cli-shared:1`, Version: 1 });
    writeFileSync(join(files, 'function.zip'), await makeZip([{ name: 'index.mjs', data: "import greet from 'greet';\nexport const handler = async (e) => greet(e.name);\n" }]));
    await aws('create-function', '--function-name', 'cli-layered', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE,
      '--zip-file', `fileb://${join(files, 'function.zip')}`, '--layers', published.LayerVersionArn);
    await aws('wait', 'function-active-v2', '--function-name', 'cli-layered');
    const out = join(files, 'out.json');
    await aws('invoke', '--function-name', 'cli-layered', '--payload', '{"name":"cli"}', out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toBe('hello cli from layer cli');
    expect(JSON.parse(await aws('list-layer-versions', '--layer-name', 'cli-shared'))).toMatchObject({ LayerVersions: [{ Version: 1 }] });
  } finally {
    rmSync(files, { recursive: true, force: true });
  }
}, 600_000);
