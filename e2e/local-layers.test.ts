// Lambda layers in the local mode through the official AWS SDK and the AWS CLI v1: a layer (a Node package, a Python
// module, an executable) published from a zip and used by two functions, a Node one and a Python one; list, get, get by
// ARN; a second version one function moves to; deleting versions; and Lambda's refusals (unknown versions, bad ARNs, more
// than five layers, one layer twice, code and layers over 250 MB unzipped), each leaving the folder as it was.
import {
  CreateFunctionCommand, DeleteLayerVersionCommand, GetFunctionCommand, GetLayerVersionByArnCommand, GetLayerVersionCommand, InvokeCommand,
  ListLayersCommand, ListLayerVersionsCommand, PublishLayerVersionCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferDigest } from '../src/code/package-digest.js';
import { makeZip } from '../test/helpers/zips.js';
import { layerZip } from '../test/helpers/layer-zips.js';
import { awsCli } from './helpers/aws-cli.js';
import { decode, startFixture, type Fixture } from './helpers/local.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-runner';
const ARN = 'arn:aws:lambda:us-east-1:000000000000:layer';
let f: Fixture;
const files = mkdtempSync(join(tmpdir(), 'klambda-layer-files-'));

beforeAll(async () => { f = await startFixture({}); }, 60_000);
afterAll(async () => { await f?.stop(); rmSync(files, { recursive: true, force: true }); });

/** A Node function importing the layer's package (as an ES module, and with require) and running its tool. */
const nodeZip = () => makeZip([{
  name: 'index.mjs',
  data: [
    "import { execFileSync } from 'node:child_process';",
    "import { createRequire } from 'node:module';",
    "import greet from 'greet';",
    'const require = createRequire(import.meta.url);',
    "export const handler = async (e) => ({ esm: greet(e.name), cjs: require('greet')(e.name), tool: execFileSync('layer-tool').toString().trim(),",
    "  lib: (process.env.LD_LIBRARY_PATH ?? '').split(':').some((p) => p.endsWith('/lib') && p.includes('.klambda')) });",
  ].join('\n'),
}]);

/** A Python function importing the layer's module and running its tool. */
const pythonZip = () => makeZip([{
  name: 'app.py',
  data: 'import subprocess\nimport greet\n\ndef handler(event, context):\n'
    + '    return {"greet": greet.greet(event["name"]), "tool": subprocess.run(["layer-tool"], capture_output=True, text=True).stdout.strip()}\n',
}]);

const waiter = { client: undefined as never, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
const invoke = async (name: string, payload: object) => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
  if (out.FunctionError) throw new Error(`${name} failed: ${Buffer.from(out.Payload ?? []).toString()}`);
  return decode(out.Payload) as Record<string, unknown>;
};
const create = async (name: string, runtime: 'nodejs20.x' | 'python3.11', zip: Buffer, layers: string[]) => {
  const handler = runtime === 'python3.11' ? 'app.handler' : 'index.handler';
  return f.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime, Role: ROLE, Handler: handler, Code: { ZipFile: zip }, Layers: layers }));
};

describe('with the AWS SDK', () => {
  let v1: Buffer;

  it('publishes a layer from a zip: Lambda\'s answer, the files in the folder, a Content.Location that downloads the zip', async () => {
    v1 = await layerZip('v1');
    const out = await f.lambda.send(new PublishLayerVersionCommand({
      LayerName: 'shared', Content: { ZipFile: v1 }, Description: 'greetings', CompatibleRuntimes: ['nodejs20.x', 'python3.11'], LicenseInfo: 'MIT',
      CompatibleArchitectures: ['x86_64'],
    }));
    expect(out).toMatchObject({
      LayerArn: `${ARN}:shared`, LayerVersionArn: `${ARN}:shared:1`, Version: 1, Description: 'greetings', LicenseInfo: 'MIT',
      CompatibleRuntimes: ['nodejs20.x', 'python3.11'], CompatibleArchitectures: ['x86_64'],
      Content: { CodeSha256: bufferDigest(v1).sha256, CodeSize: v1.length },
    });
    expect(out.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(readFileSync(join(f.dir, 'shared.layer.v1.zip'))).toEqual(v1);
    expect(readFileSync(join(f.dir, 'shared.layer.yaml'), 'utf8')).toMatch(/kind: Layer[\s\S]*path: shared\.layer\.v1\.zip/);
    const res = await fetch(out.Content!.Location!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(v1);
    const forged = new URL(out.Content!.Location!);
    forged.pathname = forged.pathname.replace(/\/1$/, '/2');
    expect((await fetch(forged)).status).toBe(403);
  });

  it('runs two functions on it, a Node one (import and require) and a Python one, with /opt/bin on PATH', async () => {
    const node = await create('greeter-node', 'nodejs20.x', await nodeZip(), [`${ARN}:shared:1`]);
    expect(node.Layers).toEqual([{ Arn: `${ARN}:shared:1`, CodeSize: v1.length }]);
    await create('greeter-py', 'python3.11', await pythonZip(), [`${ARN}:shared:1`]);
    for (const name of ['greeter-node', 'greeter-py']) await waitUntilFunctionActiveV2({ ...waiter, client: f.lambda }, { FunctionName: name });
    expect(await invoke('greeter-node', { name: 'ada' })).toEqual({ esm: 'hello ada from layer v1', cjs: 'hello ada from layer v1', tool: 'tool-v1', lib: true });
    expect(await invoke('greeter-py', { name: 'bob' })).toEqual({ greet: 'hello bob from layer v1', tool: 'tool-v1' });
    const got = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'greeter-py' }));
    expect(got.Configuration!.Layers).toEqual([{ Arn: `${ARN}:shared:1`, CodeSize: v1.length }]);
    expect(readFileSync(join(f.dir, 'greeter-py.yaml'), 'utf8')).toMatch(/layers:\s*\n\s*- shared:1/);
  });

  it('lists, gets and gets by ARN, with the filters', async () => {
    const layers = await f.lambda.send(new ListLayersCommand({}));
    expect(layers.Layers).toEqual([expect.objectContaining({ LayerName: 'shared', LayerArn: `${ARN}:shared`, LatestMatchingVersion: expect.objectContaining({ Version: 1, LayerVersionArn: `${ARN}:shared:1` }) })]);
    expect((await f.lambda.send(new ListLayersCommand({ CompatibleRuntime: 'java21' }))).Layers).toEqual([]);
    expect((await f.lambda.send(new ListLayersCommand({ CompatibleArchitecture: 'x86_64' }))).Layers).toHaveLength(1);
    const versions = await f.lambda.send(new ListLayerVersionsCommand({ LayerName: 'shared', CompatibleRuntime: 'python3.11' }));
    expect(versions.LayerVersions!.map((v) => v.Version)).toEqual([1]);
    expect((await f.lambda.send(new ListLayerVersionsCommand({ LayerName: 'nothing-here' }))).LayerVersions).toEqual([]);
    const byName = await f.lambda.send(new GetLayerVersionCommand({ LayerName: 'shared', VersionNumber: 1 }));
    const byArn = await f.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${ARN}:shared:1` }));
    const byLayerArn = await f.lambda.send(new GetLayerVersionCommand({ LayerName: `${ARN}:shared`, VersionNumber: 1 }));
    for (const out of [byArn, byLayerArn]) expect({ ...out, Content: { ...out.Content, Location: undefined }, $metadata: undefined }).toEqual({ ...byName, Content: { ...byName.Content, Location: undefined }, $metadata: undefined });
    expect(byName.Content).toMatchObject({ CodeSha256: bufferDigest(v1).sha256, CodeSize: v1.length });
  });

  it('publishes version 2; the function moved to it runs it, the other keeps version 1, so does a published function version', async () => {
    const published = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'greeter-node' }));
    expect(published).toMatchObject({ Version: '1', Layers: [{ Arn: `${ARN}:shared:1`, CodeSize: v1.length }] });
    const v2 = await layerZip('v2');
    expect(await f.lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: v2 }, CompatibleRuntimes: ['nodejs20.x'] })))
      .toMatchObject({ Version: 2, LayerVersionArn: `${ARN}:shared:2` });
    expect((await f.lambda.send(new ListLayerVersionsCommand({ LayerName: 'shared' }))).LayerVersions!.map((v) => v.Version)).toEqual([2, 1]);
    expect((await f.lambda.send(new ListLayersCommand({ CompatibleRuntime: 'python3.11' }))).Layers![0]!.LatestMatchingVersion!.Version).toBe(1);
    const updated = await f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'greeter-node', Layers: [`${ARN}:shared:2`] }));
    expect(updated.Layers).toEqual([{ Arn: `${ARN}:shared:2`, CodeSize: v2.length }]);
    await waitUntilFunctionUpdatedV2({ ...waiter, client: f.lambda }, { FunctionName: 'greeter-node' });
    expect(await invoke('greeter-node', { name: 'ada' })).toMatchObject({ esm: 'hello ada from layer v2', cjs: 'hello ada from layer v2', tool: 'tool-v2' });
    expect(await invoke('greeter-node:1', { name: 'ada' })).toMatchObject({ esm: 'hello ada from layer v1', tool: 'tool-v1' });
    expect(await invoke('greeter-py', { name: 'bob' })).toEqual({ greet: 'hello bob from layer v1', tool: 'tool-v1' });
  });

  it('deletes a version (204, again 204), never publishes its number again, and keeps a version a function uses', async () => {
    const v3 = await f.lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: await layerZip('v3') } }));
    expect(v3.Version).toBe(3);
    await f.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 3 }));
    await f.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 3 }));
    expect(existsSync(join(f.dir, 'shared.layer.v3.zip'))).toBe(false);
    await expect(f.lambda.send(new GetLayerVersionCommand({ LayerName: 'shared', VersionNumber: 3 })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    const v4 = await f.lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: await layerZip('v4') } }));
    expect(v4.Version).toBe(4);
    await f.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 4 }));
    // still used by greeter-py: the folder would no longer load without it
    await expect(f.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'shared', VersionNumber: 1 })))
      .rejects.toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining('used by greeter-node:1, greeter-py') });
    expect((await f.lambda.send(new ListLayerVersionsCommand({ LayerName: 'shared' }))).LayerVersions!.map((v) => v.Version)).toEqual([2, 1]);
  });

  it('refuses unknown versions, bad ARNs, more than five layers and one layer twice, as Lambda does, writing nothing', async () => {
    const before = readdirSync(f.dir).sort();
    const zip = await nodeZip();
    await expect(f.lambda.send(new GetLayerVersionCommand({ LayerName: 'shared', VersionNumber: 99 })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' });
    await expect(f.lambda.send(new GetLayerVersionByArnCommand({ Arn: 'arn:aws:lambda:us-east-1:000000000000:function:shared' })))
      .rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    await expect(create('bad-1', 'nodejs20.x', zip, [`${ARN}:shared:99`]))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: `Layer version ${ARN}:shared:99 does not exist.` });
    await expect(create('bad-2', 'nodejs20.x', zip, ['shared:1']))
      .rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'layers' failed to satisfy constraint") });
    await expect(create('bad-3', 'nodejs20.x', zip, [1, 2, 3, 4, 5, 6].map((n) => `${ARN}:l${n}:1`)))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('more than 5 layers') });
    await expect(create('bad-4', 'nodejs20.x', zip, [`${ARN}:shared:1`, `${ARN}:shared:2`]))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Two different versions of the same layer') });
    await expect(create('bad-5', 'nodejs20.x', zip, ['arn:aws:lambda:eu-west-1:000000000000:layer:shared:1']))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('region') });
    await expect(f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'greeter-py', Layers: [`${ARN}:shared:99`] })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(f.lambda.send(new PublishLayerVersionCommand({ LayerName: 'Shared_Upper', Content: { ZipFile: zip } })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Kubernetes') });
    await expect(f.lambda.send(new PublishLayerVersionCommand({ LayerName: 'from-s3', Content: { S3Bucket: 'bucket', S3Key: 'layer.zip' } })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('no S3 code store') });
    expect(readdirSync(f.dir).sort()).toEqual(before);
  });

  it('refuses code and layers over 250 MB unzipped: at CreateFunction and UpdateFunctionConfiguration, and in a manifest', async () => {
    // ~130 MB of zeros each (a few hundred KB zipped): either fits, both do not
    const big = await makeZip([{ name: 'python/big.bin', data: Buffer.alloc(130 * 1024 * 1024) }]);
    for (const name of ['big-a', 'big-b']) await f.lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: big } }));
    const message = /^Function code combined with layers exceeds the maximum allowed size of 262144000 bytes\. The actual size is \d+ bytes\.$/;
    await expect(create('too-big', 'python3.11', await pythonZip(), [`${ARN}:big-a:1`, `${ARN}:big-b:1`]))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(message) });
    expect(existsSync(join(f.dir, 'too-big.yaml'))).toBe(false);
    await expect(f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'greeter-py', Layers: [`${ARN}:big-a:1`, `${ARN}:big-b:1`] })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(message) });
    // the same in a manifest: the folder is refused with the file and field, the last good one stays in use
    f.write('too-big.yaml', 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: too-big}\nspec:\n  runtime: python3.11\n  handler: app.handler\n'
      + '  code: {inline: {app.py: "def handler(e, c): return 1"}}\n  layers: [big-a:1, big-b:1]\n');
    await expect(f.local.store.reload()).rejects.toThrow(/too-big\.yaml \(document 1\): spec\.layers: Function code combined with layers exceeds/);
    rmSync(join(f.dir, 'too-big.yaml'));
    await f.local.store.reload();
    for (const name of ['big-a', 'big-b']) await f.lambda.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 1 }));
    expect(await invoke('greeter-py', { name: 'bob' })).toEqual({ greet: 'hello bob from layer v1', tool: 'tool-v1' });
  }, 120_000);
});

/** `aws lambda …` (the AWS CLI v1) against klambda dev. */
const aws = (...args: string[]): Promise<string> => awsCli('lambda', f.local.url, { accessKeyId: 'test', secretAccessKey: 'test' }, 60_000)(...args);

describe('with the AWS CLI v1', () => {
  it('publishes a layer, two functions use it, lists, gets, deletes', async () => {
    const zip = join(files, 'layer.zip');
    writeFileSync(zip, await layerZip('cli'));
    const published = JSON.parse(await aws('publish-layer-version', '--layer-name', 'cli-tools', '--zip-file', `fileb://${zip}`,
      '--compatible-runtimes', 'nodejs20.x', 'python3.11', '--description', 'from the CLI')) as Record<string, unknown>;
    expect(published).toMatchObject({ LayerVersionArn: `${ARN}:cli-tools:1`, Version: 1, Description: 'from the CLI', Content: { CodeSha256: bufferDigest(readFileSync(zip)).sha256 } });
    const arn = String(published.LayerVersionArn);
    const fns = [['cli-node', 'nodejs20.x', 'index.handler', await nodeZip()], ['cli-py', 'python3.11', 'app.handler', await pythonZip()]] as const;
    for (const [name, runtime, handler, code] of fns) {
      const codeFile = join(files, `${name}.zip`);
      writeFileSync(codeFile, code);
      const created = JSON.parse(await aws('create-function', '--function-name', name, '--runtime', runtime, '--handler', handler, '--role', ROLE,
        '--zip-file', `fileb://${codeFile}`, '--layers', arn)) as { Layers: unknown };
      expect(created.Layers).toEqual([{ Arn: arn, CodeSize: readFileSync(zip).length }]);
      await aws('wait', 'function-active-v2', '--function-name', name);
    }
    const out = join(files, 'out.json');
    await aws('invoke', '--function-name', 'cli-node', '--payload', '{"name":"cli"}', out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ esm: 'hello cli from layer cli', tool: 'tool-cli' });
    await aws('invoke', '--function-name', 'cli-py', '--payload', '{"name":"cli"}', out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ greet: 'hello cli from layer cli', tool: 'tool-cli' });

    const listed = JSON.parse(await aws('list-layers', '--compatible-runtime', 'python3.11')) as { Layers: { LayerName: string }[] };
    expect(listed.Layers.map((l) => l.LayerName)).toEqual(['cli-tools', 'shared']);
    expect(JSON.parse(await aws('list-layer-versions', '--layer-name', 'cli-tools'))).toMatchObject({ LayerVersions: [{ Version: 1, LayerVersionArn: arn }] });
    expect(JSON.parse(await aws('get-layer-version', '--layer-name', 'cli-tools', '--version-number', '1'))).toMatchObject({ Version: 1, LayerArn: `${ARN}:cli-tools` });
    expect(JSON.parse(await aws('get-layer-version-by-arn', '--arn', arn))).toMatchObject({ Version: 1, LayerVersionArn: arn });

    // moved off the layer, the functions no longer hold it: it can go
    for (const name of ['cli-node', 'cli-py']) {
      await aws('update-function-configuration', '--function-name', name, '--layers', '[]');
      await aws('wait', 'function-updated-v2', '--function-name', name);
    }
    await aws('delete-layer-version', '--layer-name', 'cli-tools', '--version-number', '1');
    await expect(aws('get-layer-version', '--layer-name', 'cli-tools', '--version-number', '1')).rejects.toThrow(/ResourceNotFoundException/);
    expect(existsSync(join(f.dir, 'cli-tools.layer.v1.zip'))).toBe(false);
  }, 180_000);
});
