// A Go function on AWS's own runtime client (github.com/aws/aws-lambda-go v1.55.1) runs unchanged in the local mode as a
// `provided` runtime, shipped as a zip whose bootstrap is the Go binary: typed events (events.LambdaFunctionURLRequest
// and events.APIGatewayV2HTTPRequest behind Function URLs, events.SQSEvent from an EventSourceMapping with its batch item
// failures), errors with the errorType aws-lambda-go gives them, a panic, a timeout, and Init Duration in the REPORT line.
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { urlId } from '../src/core/function-url.js';
import { packageRoot } from '../src/core/package-root.js';
import { makeZip } from '../test/helpers/zips.js';
import { decode, startFixture, waitFor, type Fixture } from './helpers/local.js';

let f: Fixture;
let zip: Buffer;

/** The Go binary from test/fixtures/go-bootstrap, built once into ~/.cache/klambda (a cold build downloads the module). */
function goBootstrap(): string {
  const script = join(packageRoot(), 'hack', 'testbin', 'build-go-bootstrap.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
  return out.trim().split('\n').at(-1)!;
}

/** A Function running the Go binary with `handler` as its _HANDLER. */
const goFn = (name: string, handler: string | undefined, extra = '') =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: provided\n${handler ? `  handler: ${handler}\n` : ''}  code: {path: go-fn.zip}\n${extra}`;

beforeAll(async () => {
  zip = await makeZip([{ name: 'bootstrap', data: readFileSync(goBootstrap()), mode: 0o100755 }]);
  f = await startFixture({
    'go.yaml': goFn('gofn', undefined),
    'go-url.yaml': goFn('gourl', 'url', '  url: {authType: NONE}\n'),
    'go-http.yaml': goFn('gohttp', 'http', '  url: {authType: NONE}\n'),
    'go-sqs.yaml': goFn('gosqs', 'sqs'),
    'go-slow.yaml': goFn('goslow', 'sleep', '  timeoutSeconds: 1\n'),
    'mapping.yaml': 'apiVersion: klambda.dev/v1alpha1\nkind: EventSourceMapping\nmetadata: {name: go-orders}\nspec:\n'
      + '  source: {queue: go-orders}\n  functionName: gosqs\n  batchSize: 10\n  functionResponseTypes: [ReportBatchItemFailures]\n',
    'go-fn.zip': zip,
  });
}, 300_000);
afterAll(async () => { await f?.stop(); });

const invoke = (event: unknown, name = 'gofn', logType?: 'Tail') =>
  f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), ...(logType ? { LogType: logType } : {}) }));

/** One HTTP request to a Function URL of the local mode, by its path. */
async function callUrl(name: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${f.local.url}/lambda-url/${urlId('default', name, '$LATEST')}${path}`, init);
}

it('answers through aws-lambda-go with the request id of the invoke and its own function name; its first call reports an Init Duration', async () => {
  const out = await invoke({ name: 'ada' }, 'gofn', 'Tail');
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(decode(out.Payload)).toEqual({ greeting: 'hello ada from Go', requestId: out.$metadata.requestId, functionName: 'gofn' });
  const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
  expect(log).toMatch(new RegExp(`REPORT RequestId: ${out.$metadata.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: \\d+ MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms`));
  // warm afterwards: no Init Duration
  const warm = Buffer.from((await invoke({ name: 'bob' }, 'gofn', 'Tail')).LogResult!, 'base64').toString('utf8');
  expect(warm).toMatch(/REPORT RequestId: /);
  expect(warm).not.toMatch(/Init Duration/);
});

it('gives each invoke its own request id', async () => {
  const [a, b] = await Promise.all([invoke({ name: 'a' }), invoke({ name: 'b' })]);
  expect(decode(a.Payload)).toMatchObject({ greeting: 'hello a from Go', requestId: a.$metadata.requestId });
  expect(decode(b.Payload)).toMatchObject({ greeting: 'hello b from Go', requestId: b.$metadata.requestId });
  expect(a.$metadata.requestId).not.toBe(b.$metadata.requestId);
});

it('reports an error the Go handler returns as an Unhandled function error carrying its message', async () => {
  const out = await invoke({ name: 'x', fail: 'the Go handler said no' });
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toMatchObject({ errorMessage: 'the Go handler said no', errorType: 'errorString' });
  // the function still answers afterwards
  expect(decode((await invoke({ name: 'again' })).Payload)).toMatchObject({ greeting: 'hello again from Go' });
});

it('reports an error of the function\'s own type with that type\'s name as its errorType', async () => {
  const out = await invoke({ name: 'x', reject: 'out of stock' });
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toEqual({ errorMessage: 'order rejected: out of stock', errorType: 'OrderRejected' });
});

it('reports a panic with its stack, and the next call gets a working environment', async () => {
  const out = await invoke({ name: 'x', panic: 'nil map' });
  expect(out.FunctionError).toBe('Unhandled');
  const err = decode(out.Payload) as { errorMessage: string; errorType: string; stackTrace: unknown[] };
  expect(err).toMatchObject({ errorMessage: 'nil map', errorType: 'string' });
  expect(err.stackTrace.length).toBeGreaterThan(0);
  expect(decode((await invoke({ name: 'after' })).Payload)).toMatchObject({ greeting: 'hello after from Go' });
});

it('times out a handler that runs past timeoutSeconds as Lambda does, and runs the next call', async () => {
  const out = await invoke({ ms: 5000 }, 'goslow');
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
  expect(decode((await invoke({ ms: 1 }, 'goslow')).Payload)).toEqual({ slept: 1 });
});

it('serves a Function URL to a handler on events.LambdaFunctionURLRequest, its LambdaFunctionURLResponse back as HTTP', async () => {
  const res = await callUrl('gourl', '/orders/7?tag=a', { method: 'POST', body: '{"qty":2}', headers: { 'content-type': 'application/json', cookie: 'sid=1', 'user-agent': 'go-test' } });
  expect(res.status).toBe(201);
  expect(res.headers.get('x-runtime')).toBe('go');
  expect(res.headers.get('set-cookie')).toBe('seen=POST');
  expect(await res.json()).toMatchObject({
    method: 'POST', path: '/orders/7', query: { tag: 'a' }, body: '{"qty":2}', base64: false, cookies: ['sid=1'], userAgent: 'go-test',
    requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
});

it('serves a Function URL to a handler on events.APIGatewayV2HTTPRequest (payload 2.0)', async () => {
  const res = await callUrl('gohttp', '/a/b?x=1&y=2', { headers: { 'x-tag': 'v2' } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    version: '2.0', routeKey: '$default', method: 'GET', path: '/a/b', rawQuery: 'x=1&y=2', header: 'v2', body: '', stage: '$default',
  });
});

it('feeds an SQS queue to a handler on events.SQSEvent; a batch item failure it reports comes back, the rest is deleted', async () => {
  const sqs = new SQSClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    // the mapping's poller may have made the queue already (with the defaults); a short visibility timeout brings a failed item back soon
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'go-orders' }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '1' } }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'order-1' }, { Id: 'b', MessageBody: 'fail' }] }));
    const source = 'source=arn:aws:sqs:us-east-1:000000000000:go-orders';
    await waitFor(() => (f.logs.some((l) => l.includes(`go sqs body=order-1 ${source}`)) ? true : undefined), 30_000, 'order-1 in the Go handler');
    // the failed item is delivered again once its visibility timeout ends
    await waitFor(() => (f.logs.filter((l) => l.includes(`go sqs body=fail ${source}`)).length >= 2 ? true : undefined), 30_000, 'the failed item again');
    // order-1 is deleted (a slow machine may deliver it twice past the 1 s visibility: SQS is at least once); the failed item stays
    const left = async () => {
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
    };
    await waitFor(async () => ((await left()) === 1 ? true : undefined), 30_000, 'only the failed item left in the queue');
  } finally {
    sqs.destroy();
  }
});

it('describes the function as provided.al2023 whose CodeSha256 and CodeSize are the zip\'s', async () => {
  const got = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'gofn' }));
  expect(got.Configuration).toMatchObject({
    Runtime: 'provided.al2023', Handler: 'bootstrap', PackageType: 'Zip',
    CodeSha256: createHash('sha256').update(zip).digest('base64'), CodeSize: zip.length,
  });
});
