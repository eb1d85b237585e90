// A Rust function on AWS's own runtime client (the lambda_runtime 1.5.0 crate, typed events from aws_lambda_events
// 1.2.1) runs unchanged in the local mode as a `provided` runtime, shipped as a zip whose bootstrap is the Rust binary:
// Function URLs on LambdaFunctionUrlRequest and ApiGatewayV2httpRequest, an SqsEvent from an EventSourceMapping with its batch item failures,
// errors and a panic as lambda_runtime reports them, a timeout, and Init Duration in the REPORT line.
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { urlId } from '../src/core/function-url.js';
import { packageRoot } from '../src/core/package-root.js';
import { makeZip } from '../test/helpers/zips.js';
import { decode, startFixture, waitFor, type Fixture } from './helpers/local.js';

let f: Fixture;

/** The Rust binary from test/fixtures/rust-bootstrap, built once into ~/.cache/klambda (a cold build fetches the crates: about a minute). */
function rustBootstrap(): string {
  const script = join(packageRoot(), 'hack', 'testbin', 'build-rust-bootstrap.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
  return out.trim().split('\n').at(-1)!;
}

/** A Function running the Rust binary with `handler` as its _HANDLER. */
const rustFn = (name: string, handler: string | undefined, extra = '') =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: provided\n${handler ? `  handler: ${handler}\n` : ''}  code: {path: rust-fn.zip}\n${extra}`;

beforeAll(async () => {
  const zip = await makeZip([{ name: 'bootstrap', data: readFileSync(rustBootstrap()), mode: 0o100755 }]);
  f = await startFixture({
    'rust.yaml': rustFn('rustfn', undefined),
    'rust-url.yaml': rustFn('rusturl', 'url', '  url: {authType: NONE}\n'),
    'rust-http.yaml': rustFn('rusthttp', 'http', '  url: {authType: NONE}\n'),
    'rust-sqs.yaml': rustFn('rustsqs', 'sqs'),
    'rust-slow.yaml': rustFn('rustslow', 'sleep', '  timeoutSeconds: 1\n'),
    'mapping.yaml': 'apiVersion: klambda.dev/v1alpha1\nkind: EventSourceMapping\nmetadata: {name: rust-orders}\nspec:\n'
      + '  source: {queue: rust-orders}\n  functionName: rustsqs\n  batchSize: 10\n  functionResponseTypes: [ReportBatchItemFailures]\n',
    'rust-fn.zip': zip,
  });
}, 600_000);
afterAll(async () => { await f?.stop(); });

const invoke = (event: unknown, name = 'rustfn', logType?: 'Tail') =>
  f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), ...(logType ? { LogType: logType } : {}) }));

it('answers through lambda_runtime with the request id of the invoke and its own function name; its first call reports an Init Duration', async () => {
  const out = await invoke({ name: 'ada' }, 'rustfn', 'Tail');
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toEqual({ greeting: 'hello ada from Rust', requestId: out.$metadata.requestId, functionName: 'rustfn' });
  const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
  expect(log).toMatch(new RegExp(`REPORT RequestId: ${out.$metadata.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: \\d+ MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms`));
  const warm = Buffer.from((await invoke({ name: 'bob' }, 'rustfn', 'Tail')).LogResult!, 'base64').toString('utf8');
  expect(warm).toMatch(/REPORT RequestId: /);
  expect(warm).not.toMatch(/Init Duration/);
});

it('reports an error the handler returns as an Unhandled function error, typed as lambda_runtime types it', async () => {
  const out = await invoke({ name: 'x', fail: 'the Rust handler said no' });
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBe('Unhandled');
  // lambda_runtime names a boxed error by its Rust type (std::any::type_name of a reference to it)
  expect(decode(out.Payload)).toEqual({ errorMessage: 'the Rust handler said no', errorType: '&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>' });
  expect(decode((await invoke({ name: 'again' })).Payload)).toMatchObject({ greeting: 'hello again from Rust' });
});

it('reports a panic in the handler as lambda_runtime catches it, and the next call runs', async () => {
  const out = await invoke({ name: 'x', panic: 'index out of bounds' });
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toEqual({ errorMessage: 'Lambda panicked: index out of bounds', errorType: '&alloc::boxed::Box<dyn core::any::Any + core::marker::Send>' });
  expect(decode((await invoke({ name: 'after' })).Payload)).toMatchObject({ greeting: 'hello after from Rust' });
});

it('reports an event its typed handler cannot take as lambda_runtime\'s deserialization error', async () => {
  const out = await invoke({ nom: 'no name field' });
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toMatchObject({ errorType: expect.stringMatching(/DeserializeError/), errorMessage: expect.stringContaining('missing field `name`') });
});

it('times out a handler that runs past timeoutSeconds as Lambda does, and runs the next call', async () => {
  const out = await invoke({ ms: 5000 }, 'rustslow');
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
  expect(decode((await invoke({ ms: 1 }, 'rustslow')).Payload)).toEqual({ slept: 1 });
});

it('serves a Function URL to a handler on LambdaFunctionUrlRequest, its LambdaFunctionUrlResponse back as HTTP', async () => {
  const res = await fetch(`${f.local.url}/lambda-url/${urlId('default', 'rusturl', '$LATEST')}/orders/7?tag=a`, { method: 'PUT', body: 'qty=2' });
  expect(res.status).toBe(201);
  expect(res.headers.get('x-runtime')).toBe('rust');
  expect(await res.json()).toMatchObject({ method: 'PUT', path: '/orders/7', query: { tag: 'a' }, body: 'qty=2', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
});

it('serves a Function URL to a handler on ApiGatewayV2httpRequest (payload 2.0)', async () => {
  const res = await fetch(`${f.local.url}/lambda-url/${urlId('default', 'rusthttp', '$LATEST')}/a/b?x=1&y=2`, { headers: { 'x-tag': 'v2' } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ version: '2.0', routeKey: '$default', method: 'GET', path: '/a/b', x: '1', tag: 'v2', stage: '$default' });
});

it('feeds an SQS queue to a handler on SqsEvent; a batch item failure it reports comes back, the rest is deleted', async () => {
  const sqs = new SQSClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    // the mapping's poller may have made the queue already (with the defaults); a short visibility timeout brings a failed item back soon
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'rust-orders' }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '1' } }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'order-1' }, { Id: 'b', MessageBody: 'fail' }] }));
    const source = 'source=arn:aws:sqs:us-east-1:000000000000:rust-orders';
    await waitFor(() => (f.logs.some((l) => l.includes(`rust sqs body=order-1 ${source}`)) ? true : undefined), 30_000, 'order-1 in the Rust handler');
    await waitFor(() => (f.logs.filter((l) => l.includes(`rust sqs body=fail ${source}`)).length >= 2 ? true : undefined), 30_000, 'the failed item again');
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

it('describes the function as provided.al2023 with the default handler', async () => {
  const got = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'rustfn' }));
  expect(got.Configuration).toMatchObject({ Runtime: 'provided.al2023', Handler: 'bootstrap', PackageType: 'Zip' });
});
