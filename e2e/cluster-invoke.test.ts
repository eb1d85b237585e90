// The whole path on a real control plane: kubectl-apply a Function → the controller makes its Deployment → the scaler
// starts a pod on the process node (the runtime agent really runs) → the AWS SDK invokes through the router.
import {
  CreateAliasCommand, DeleteAliasCommand, GetAliasCommand, GetFunctionCommand, InvalidParameterValueException, InvokeCommand, LambdaClient,
  ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand, PublishVersionCommand, ResourceConflictException,
  LambdaServiceException, ResourceNotFoundException, UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { EventBridgeClient, InvalidEventPatternException, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { decode, waitFor } from './helpers/local.js';
import { ADMIN_KEY, createAccessKey, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';
import { derivedAccountId } from '../src/core/accounts.js';
import { OutcomeQueue } from '../src/queue/outcomes.js';

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
async function invokeWhenRouted(name: string, payload: unknown, client: LambdaClient = lambda) {
  return waitFor(async () => {
    try {
      const out = await client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
      return out;
    } catch (e) {
      // not routed yet, or (for a key just created) not yet in the router's informer
      if (e instanceof ResourceNotFoundException || (e instanceof LambdaServiceException && e.name === 'UnrecognizedClientException')) return undefined;
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

it('answers EventBridge\'s TestEventPattern (AWS JSON 1.1, signed for events) through the same router', async () => {
  const events = new EventBridgeClient({ endpoint: k.routerUrl, region: 'us-east-1', maxAttempts: 1, credentials: ADMIN_KEY });
  try {
    const Event = JSON.stringify({ id: '1', 'detail-type': 'Order Placed', source: 'com.example.shop', account: '000000000000', time: '2026-01-02T03:04:05Z', region: 'us-east-1', resources: [], detail: { amount: 250 } });
    const test = (pattern: unknown) => events.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event }));
    expect((await test({ source: [{ prefix: 'com.example' }], detail: { amount: [{ numeric: ['>', 100] }] } })).Result).toBe(true);
    expect((await test({ detail: { amount: [{ numeric: ['>', 1000] }] } })).Result).toBe(false);
    await expect(test({ source: 'com.example.shop' })).rejects.toBeInstanceOf(InvalidEventPatternException);
  } finally {
    events.destroy();
  }
}, 30_000);

it('serves every namespace with SigV4: a key of team-a runs team-a\'s function and is refused team-b\'s; ARNs carry each namespace\'s account', async () => {
  const admin = k.cluster.admin;
  await admin.create('/api/v1/namespaces', { metadata: { name: 'team-a' } });
  await admin.create('/api/v1/namespaces', { metadata: { name: 'team-b', annotations: { 'klambda.dev/account-id': '222222222222' } } });
  const code = (team: string) => ({ inline: { 'index.mjs': `export const handler = async (e, context) => ({ team: '${team}', arn: context.invokedFunctionArn });` } });
  for (const team of ['team-a', 'team-b']) {
    await admin.create(`/apis/klambda.dev/v1alpha1/namespaces/${team}/functions`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'greeter' }, spec: { runtime: 'nodejs20', handler: 'index.handler', code: code(team), environment: { TEAM_SECRET: team } } });
  }
  const aKey = { accessKeyId: 'AKIAKLAMBDATEAMA0001', secretAccessKey: 'team-a-secret' };
  const bKey = { accessKeyId: 'AKIAKLAMBDATEAMB0001', secretAccessKey: 'team-b-secret' };
  await createAccessKey(admin, 'team-a', 'deployer', aKey);
  await createAccessKey(admin, 'team-b', 'invoker', bKey, { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:us-east-1:222222222222:function:*' }] });
  const a = k.client(aKey);
  const b = k.client(bKey);
  const accountA = derivedAccountId('team-a');

  const fromA = await invokeWhenRouted('greeter', {}, a);
  expect(decode(fromA.Payload)).toEqual({ team: 'team-a', arn: `arn:aws:lambda:us-east-1:${accountA}:function:greeter` });
  const fromB = await invokeWhenRouted('greeter', {}, b);
  expect(decode(fromB.Payload)).toEqual({ team: 'team-b', arn: 'arn:aws:lambda:us-east-1:222222222222:function:greeter' });

  // team-b's function by its ARN, with team-a's key: another account
  const other = await a.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:222222222222:function:greeter' })).catch((e: unknown) => e);
  expect(other).toBeInstanceOf(LambdaServiceException);
  expect((other as LambdaServiceException).name).toBe('AccessDeniedException');
  expect((other as LambdaServiceException).message).toBe(`User: arn:aws:iam::${accountA}:user/deployer is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:222222222222:function:greeter because no identity-based policy allows the lambda:InvokeFunction action`);
  // team-a's key sees only team-a's functions, with team-a's account and environment; the default namespace's are not there
  const listed = await a.send(new ListFunctionsCommand({}));
  expect(listed.Functions?.map((f) => [f.FunctionArn, f.Environment?.Variables?.TEAM_SECRET])).toEqual([[`arn:aws:lambda:us-east-1:${accountA}:function:greeter`, 'team-a']]);
  // team-b's key may only invoke
  const denied = await b.send(new GetFunctionCommand({ FunctionName: 'greeter' })).catch((e: unknown) => e);
  expect((denied as LambdaServiceException).name).toBe('AccessDeniedException');
  // the admin key of the namespace default does not reach team-a's function by name
  await expect(lambda.send(new InvokeCommand({ FunctionName: 'greeter' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  // a key deleted is refused at once
  await admin.delete('/api/v1/namespaces/team-a/secrets/deployer');
  await waitFor(async () => {
    const e = await a.send(new ListFunctionsCommand({})).then(() => undefined, (err: unknown) => err);
    return e instanceof LambdaServiceException && e.name === 'UnrecognizedClientException' ? true : undefined;
  }, 10_000, 'the deleted key refused');
}, 120_000);

it("retries a failing async invocation and sends its record to the onFailure queue: the controller's dispatcher", async () => {
  await k.cluster.admin.create(`${api}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'failer' },
    spec: {
      runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': "export const handler = async (event) => { throw new Error('no: ' + event.n); };" } },
      async: { maximumRetryAttempts: 1, onFailure: { queue: 'failures' } },
    },
  });
  await invokeWhenRouted('failer', { n: 0 }); // routed and warm
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'failer', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }));
  expect(out.StatusCode).toBe(202);
  const id = out.$metadata.requestId!;
  const outcomes = new OutcomeQueue(k.redis, k.keyPrefix);
  const message = await waitFor(async () => (await outcomes.messages('default', 'failures')).find((m) => m.Body.includes(id)), 60_000, 'the onFailure record');
  expect(JSON.parse(message.Body)).toMatchObject({
    requestContext: { requestId: id, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:failer', condition: 'RetriesExhausted', approximateInvokeCount: 2 },
    requestPayload: { n: 1 }, responsePayload: { errorMessage: 'no: 1' },
  });
}, 120_000);
