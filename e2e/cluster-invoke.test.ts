// The whole path on a real control plane: kubectl-apply a Function → the controller makes its Deployment → the scaler
// starts a pod on the process node (the runtime agent really runs) → the AWS SDK invokes through the router.
import {
  CreateAliasCommand, DeleteAliasCommand, GetAliasCommand, GetFunctionCommand, InvalidParameterValueException, InvokeCommand, LambdaClient,
  ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand, PublishVersionCommand, ResourceConflictException,
  ResourceNotFoundException, UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { decode, waitFor } from './helpers/local.js';
import { startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';

let k: KlambdaOnCluster;
let lambda: LambdaClient;
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';

beforeAll(async () => {
  k = await startKlambdaOnCluster();
  lambda = k.lambda;
}, 45 * 60_000);

afterAll(async () => {
  await k?.stop();
});

const handler = (greeting: string) => ({
  inline: { 'index.mjs': `export const handler = async (event) => ({ ${greeting}: event.name ?? 'world', version: process.env.AWS_LAMBDA_FUNCTION_VERSION });` },
});

/** Invokes until the router knows the target (the controller writes routes asynchronously), then returns the answer. */
async function invokeWhenRouted(name: string, payload: unknown) {
  return waitFor(async () => {
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
      return out;
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }, 60_000, `${name} routed`);
}

it('applies a Function and invokes it with the AWS SDK through the router; its pod runs on the process node', async () => {
  await k.cluster.admin.create(`${api}/functions`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' }, spec: { runtime: 'nodejs20', handler: 'index.handler', code: handler('hello') } });
  const out = await invokeWhenRouted('hello', { name: 'k8s' });
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toEqual({ hello: 'k8s', version: '$LATEST' });
  expect(out.ExecutedVersion).toBe('$LATEST');
  const pods = await k.cluster.admin.get<{ items: Array<{ spec: { nodeName: string }; status: { phase: string } }> }>('/api/v1/namespaces/default/pods?labelSelector=klambda.dev%2Ffunction%3Dhello');
  expect(pods.items).toHaveLength(1);
  expect(pods.items[0]).toMatchObject({ spec: { nodeName: k.node.name }, status: { phase: 'Running' } });
}, 120_000);

it('publishes through the Lambda API and moves an alias\'s traffic when its weights change', async () => {
  const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }));
  expect(v1.Version).toBe('1');
  await k.cluster.admin.patch(`${api}/functions/hello`, { spec: { code: handler('hi') } });
  // the router reads the Function as stored: publishing right after the patch publishes the new code
  const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }));
  expect(v2.Version).toBe('2');
  expect(v2.CodeSha256).not.toBe(v1.CodeSha256);
  expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }))).Version).toBe('2');

  await lambda.send(new CreateAliasCommand({ FunctionName: 'hello', Name: 'live', FunctionVersion: '1' }));
  const first = await invokeWhenRouted('hello:live', { name: 'a' });
  expect(decode(first.Payload)).toEqual({ hello: 'a', version: '1' });
  expect(first.ExecutedVersion).toBe('1');

  await k.cluster.admin.patch(`${api}/aliases/hello-live`, { spec: { routingConfig: { additionalVersionWeights: { '2': 0.5 } } } });
  const seen = new Set<string>();
  await waitFor(async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'hello:live', Payload: Buffer.from('{"name":"b"}') }));
    seen.add(out.ExecutedVersion!);
    if (out.ExecutedVersion === '2') expect(decode(out.Payload)).toEqual({ hi: 'b', version: '2' });
    return seen.has('1') && seen.has('2') ? true : undefined;
  }, 60_000, 'both versions serve the alias');

  await k.cluster.admin.patch(`${api}/aliases/hello-live`, { spec: { functionVersion: '2', routingConfig: null } });
  await waitFor(async () => ((await k.table.read('default', 'hello'))?.aliases.live?.functionVersion === '2' ? true : undefined), 20_000, 'alias moved to 2');
  // the router follows the table through pub/sub: give the message a moment beyond the write
  await waitFor(async () => ((await lambda.send(new InvokeCommand({ FunctionName: 'hello:live', Payload: Buffer.from('{}') }))).ExecutedVersion === '2' ? true : undefined), 5_000, 'router follows');
  for (let i = 0; i < 10; i++) {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'hello:live', Payload: Buffer.from('{}') }));
    expect(out.ExecutedVersion).toBe('2');
  }
}, 180_000);

it('answers the Lambda management API from the cluster\'s objects, with AWS errors', async () => {
  const fns = await lambda.send(new ListFunctionsCommand({}));
  expect(fns.Functions?.map((f) => f.FunctionName)).toContain('hello');
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'hello', Qualifier: '1' }));
  expect(got.Configuration).toMatchObject({ FunctionName: 'hello', Version: '1', Runtime: 'nodejs20.x', Handler: 'index.handler', MemorySize: 128 });
  const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'hello' }));
  expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
  expect(await lambda.send(new GetAliasCommand({ FunctionName: 'hello', Name: 'live' }))).toMatchObject({ Name: 'live', FunctionVersion: '2' });
  const updated = await lambda.send(new UpdateAliasCommand({ FunctionName: 'hello', Name: 'live', FunctionVersion: '1', Description: 'rolled back' }));
  expect(updated).toMatchObject({ FunctionVersion: '1', Description: 'rolled back' });
  await lambda.send(new CreateAliasCommand({ FunctionName: 'hello', Name: 'beta', FunctionVersion: '2' }));
  expect((await lambda.send(new ListAliasesCommand({ FunctionName: 'hello' }))).Aliases?.map((a) => a.Name)).toEqual(['beta', 'live']);
  await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'hello', Name: 'beta', FunctionVersion: '1' }))).rejects.toBeInstanceOf(ResourceConflictException);
  await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'hello', Name: 'gamma', FunctionVersion: '9' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  await expect(lambda.send(new PublishVersionCommand({ FunctionName: 'hello', CodeSha256: 'x'.repeat(43) + '=' }))).rejects.toBeInstanceOf(InvalidParameterValueException);
  await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  await lambda.send(new DeleteAliasCommand({ FunctionName: 'hello', Name: 'beta' }));
  await expect(lambda.send(new GetAliasCommand({ FunctionName: 'hello', Name: 'beta' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  await waitFor(async () => ((await k.table.read('default', 'hello'))?.aliases.beta ? undefined : true), 20_000, 'beta unrouted');
}, 60_000);
