// One cluster router for every namespace, on the real API server under its own RBAC (config/rbac): access keys from
// Secrets of type klambda.dev/access-key pick the caller's namespace and account; the SDK signs as it does at AWS.
// Invoke uses DryRun (resolved and authorized, nothing run), so no function pod is needed; the streamed answer's test
// runs one agent process (as a pod's agent would) for team-a's greeter.
import {
  CreateAliasCommand, GetFunctionCommand, InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient, LambdaServiceException, ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessBackend } from '../../src/backends/process-backend.js';
import { packageRoot } from '../../src/core/package-root.js';
import { fixtureSpec, memoryLogger } from '../fixtures/functions/specs.js';
import { Redis } from 'ioredis';
import { derivedAccountId } from '../../src/core/accounts.js';
import { urlId } from '../../src/core/function-url.js';
import { silentLogger } from '../../src/core/logger.js';
import { RoutingTable } from '../../src/queue/routing-table.js';
import { startClusterRouter, type ClusterRouter } from '../../src/router/cluster-router.js';
import { startCluster, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let cluster: ClusterFixture;
let redis: TestRedis;
let commands: Redis;
let router: ClusterRouter;
let prefix: string;
let table: RoutingTable;
const clients: LambdaClient[] = [];

const A = { accessKeyId: 'AKIAKLAMBDATEAMA0001', secretAccessKey: 'team-a-secret' };
const B = { accessKeyId: 'AKIAKLAMBDATEAMB0001', secretAccessKey: 'team-b-secret' };
const DEFAULT = { accessKeyId: 'AKIAKLAMBDADEFAULT01', secretAccessKey: 'default-secret' };
const accountA = derivedAccountId('team-a');

async function accessKey(namespace: string, name: string, key: typeof A, policy?: unknown): Promise<void> {
  await cluster.admin.create(`/api/v1/namespaces/${namespace}/secrets`, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'klambda.dev/access-key',
    stringData: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(policy ? { policy: JSON.stringify(policy) } : {}) },
  });
}

function client(key: typeof A): LambdaClient {
  // a copy: the SDK marks the credentials object it is given ($source)
  const c = new LambdaClient({ endpoint: router.url, region: 'us-east-1', maxAttempts: 1, credentials: { ...key } });
  clients.push(c);
  return c;
}

const dryRun = (c: LambdaClient, FunctionName: string) => c.send(new InvokeCommand({ FunctionName, InvocationType: 'DryRun' }));
const failure = (p: Promise<unknown>): Promise<LambdaServiceException> => p.then(
  () => { throw new Error('expected the call to be refused'); },
  (e: unknown) => { if (e instanceof LambdaServiceException) return e; throw e; },
);

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  prefix = randomPrefix();
  commands = new Redis(redis.url);
  table = new RoutingTable(commands, prefix);
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: 'team-a' } });
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: 'team-b', annotations: { 'klambda.dev/account-id': '222222222222' } } });
  for (const ns of ['team-a', 'team-b']) {
    await cluster.admin.create(`/apis/klambda.dev/v1alpha1/namespaces/${ns}/functions`, {
      apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'greeter' },
      spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } }, environment: { TEAM_SECRET: ns } },
    });
    // what the controller would route
    await table.setFunction(ns, 'greeter', { latest: { timeoutSeconds: 3 } });
  }
  await accessKey('team-a', 'deployer', A);
  await accessKey('team-b', 'invoker', B, { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:us-east-1:222222222222:function:*' }] });
  await accessKey('default', 'admin', DEFAULT);
  router = await startClusterRouter({
    client: cluster.router, redisUrl: redis.url, keyPrefix: prefix, region: 'us-east-1', accountId: '000000000000', port: 0, host: '127.0.0.1', logger: silentLogger,
  });
}, 10 * 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await router?.stop();
  commands?.disconnect();
  await cluster?.stop();
  await redis?.stop();
});

it("resolves a name in the key's own namespace: each team reaches its own greeter, the default namespace none", async () => {
  expect((await dryRun(client(A), 'greeter')).StatusCode).toBe(204);
  expect((await dryRun(client(B), 'greeter')).StatusCode).toBe(204);
  expect((await dryRun(client(B), 'arn:aws:lambda:us-east-1:222222222222:function:greeter')).StatusCode).toBe(204);
  await expect(dryRun(client(DEFAULT), 'greeter')).rejects.toBeInstanceOf(ResourceNotFoundException);
});

it("refuses another account's ARN, whichever namespace holds it", async () => {
  const e = await failure(dryRun(client(A), 'arn:aws:lambda:us-east-1:222222222222:function:greeter'));
  expect(e.name).toBe('AccessDeniedException');
  expect(e.$metadata.httpStatusCode).toBe(403);
  expect(e.message).toBe(`User: arn:aws:iam::${accountA}:user/deployer is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:222222222222:function:greeter because no identity-based policy allows the lambda:InvokeFunction action`);
});

it("answers the management API from the key's namespace, with its account in the ARNs and its policy applied", async () => {
  const listed = await client(A).send(new ListFunctionsCommand({}));
  expect(listed.Functions?.map((f) => [f.FunctionArn, f.Environment?.Variables?.TEAM_SECRET])).toEqual([[`arn:aws:lambda:us-east-1:${accountA}:function:greeter`, 'team-a']]);
  expect((await failure(client(B).send(new GetFunctionCommand({ FunctionName: 'greeter' })))).name).toBe('AccessDeniedException');
  expect((await failure(client(B).send(new CreateAliasCommand({ FunctionName: 'greeter', Name: 'live', FunctionVersion: '$LATEST' })))).name).toBe('AccessDeniedException');
  const alias = await client(A).send(new CreateAliasCommand({ FunctionName: 'greeter', Name: 'live', FunctionVersion: '$LATEST' }));
  expect(alias.AliasArn).toBe(`arn:aws:lambda:us-east-1:${accountA}:function:greeter:live`);
  expect((await cluster.admin.get<{ metadata: { namespace: string } }>('/apis/klambda.dev/v1alpha1/namespaces/team-a/aliases/greeter-live')).metadata.namespace).toBe('team-a');
});

it('follows the Secrets: an unknown key is refused, a new key works at once, a deleted one is refused', async () => {
  const later = { accessKeyId: 'AKIAKLAMBDATEAMA0002', secretAccessKey: 'later' };
  expect((await failure(dryRun(client(later), 'greeter'))).name).toBe('UnrecognizedClientException');
  await accessKey('team-a', 'later', later);
  await waitFor(async () => ((await dryRun(client(later), 'greeter').catch(() => undefined))?.StatusCode === 204 ? true : undefined), 10_000, 'the new key accepted');
  await cluster.admin.delete('/api/v1/namespaces/team-a/secrets/later');
  await waitFor(async () => ((await failure(dryRun(client(later), 'greeter')).catch(() => undefined))?.name === 'UnrecognizedClientException' ? true : undefined), 10_000, 'the deleted key refused');
});

it('refuses a wrong secret and an unsigned call', async () => {
  expect((await failure(dryRun(client({ ...A, secretAccessKey: 'wrong' }), 'greeter'))).name).toBe('InvalidSignatureException');
  const res = await fetch(`${router.url}/2015-03-31/functions/`);
  expect(res.status).toBe(403);
  expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
});

it('serves InvokeWithResponseStream under the same gate as Invoke, and streams a real agent\'s chunks before the function returns, through a RESPONSE_STREAM URL too', async () => {
  const stream = (c: LambdaClient, FunctionName: string, Payload?: Uint8Array, InvocationType?: 'DryRun') =>
    c.send(new InvokeWithResponseStreamCommand({ FunctionName, ...(Payload ? { Payload } : {}), ...(InvocationType ? { InvocationType } : {}) }));
  expect((await stream(client(B), 'greeter', undefined, 'DryRun')).StatusCode).toBe(204);
  const e = await failure(stream(client(A), 'arn:aws:lambda:us-east-1:222222222222:function:greeter', undefined, 'DryRun'));
  expect(e.name).toBe('AccessDeniedException');
  expect(e.message).toMatch(/not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:222222222222:function:greeter/);

  // team-a's greeter served by an agent process (the streaming fixture in place of its code)
  const stderr: string[] = [];
  const backend = new ProcessBackend({
    agentRedisUrl: () => Promise.resolve(redis.url), keyPrefix: prefix, visibilityGraceMs: 5000, logger: memoryLogger(),
    agentMain: join(packageRoot(), 'dist', 'agent', 'main.js'),
    onOutput: (_q, s, line) => { if (s === 'stderr') stderr.push(line); return undefined; },
  });
  const gates = mkdtempSync(join(tmpdir(), 'klambda-cluster-stream-'));
  chmodSync(gates, 0o1777);
  try {
    const spec = fixtureSpec('node-stream', 'nodejs20', 'index.handler', { functionName: 'greeter', timeoutSeconds: 3, accountId: accountA });
    await backend.scale({ queue: { namespace: 'team-a', functionName: 'greeter', version: '$LATEST' }, spec }, 1);
    await waitFor(() => (stderr.some((l) => l.includes('"msg":"ready"')) ? true : undefined), 30_000, 'the agent to be ready');
    const gate = join(gates, 'open');
    const out = await stream(client(A), 'greeter', Buffer.from(JSON.stringify({ gate })));
    const text: string[] = [];
    let complete: unknown;
    for await (const ev of out.EventStream ?? []) {
      if (ev.PayloadChunk?.Payload) {
        text.push(Buffer.from(ev.PayloadChunk.Payload).toString());
        if (text.join('') === 'first;') {
          expect(existsSync(gate)).toBe(false); // the function still waits: this chunk came while it ran
          writeFileSync(gate, '');
        }
      }
      if (ev.InvokeComplete) complete = ev.InvokeComplete;
    }
    expect(text.join('')).toBe('first;second');
    expect(complete).toEqual({});

    // the same function behind a RESPONSE_STREAM Function URL (the controller would route its spec.url)
    await table.setFunction('team-a', 'greeter', { latest: { timeoutSeconds: 3 }, url: { authType: 'NONE', invokeMode: 'RESPONSE_STREAM' } });
    const urlGate = join(gates, 'url');
    const url = `${router.url}/lambda-url/${urlId('team-a', 'greeter', '$LATEST')}/?gate=${encodeURIComponent(urlGate)}`;
    const res = await waitFor(async () => { const r = await fetch(url); if (r.status === 200) return r; await r.body?.cancel(); return undefined; }, 10_000, 'the URL to be routed');
    expect(res.headers.get('content-type')).toBe('text/plain');
    const body = res.body!.getReader();
    let got = '';
    for (let r = await body.read(); !r.done; r = await body.read()) {
      got += Buffer.from(r.value).toString();
      if (got === 'first;') {
        expect(existsSync(urlGate)).toBe(false);
        writeFileSync(urlGate, '');
      }
    }
    expect(got).toBe('first;second');
  } finally {
    await backend.stopAll();
    rmSync(gates, { recursive: true, force: true });
  }
}, 120_000);
