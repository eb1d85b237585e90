// The Invoke API of the local mode through the official AWS SDK: sync, async, dry run, errors, logs, timeouts.
import { InvokeCommand, ResourceNotFoundException, TooManyRequestsException, InvalidRequestContentException, RequestTooLargeException } from '@aws-sdk/client-lambda';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const outDir = sharedOutDir('klambda-e2e-out-');

const echo = fn('echo', 'nodejs20', 'index.handler', {
  'index.mjs': `let count = 0;
export const handler = async (event, context) => {
  count += 1;
  console.log('echo says', JSON.stringify(event));
  if (event.fail) throw new TypeError('boom: ' + event.fail);
  return { event, requestId: context.awsRequestId, version: context.functionVersion, arn: context.invokedFunctionArn,
    greeting: process.env.GREETING, remaining: context.getRemainingTimeInMillis(), count };
};`,
}, `  environment: {GREETING: hi}\n`);

const pyecho = fn('pyecho', 'python3.11', 'app.handler', {
  'app.py': `def handler(event, context):
    print("python got", event)
    return {"event": event, "requestId": context.aws_request_id, "remaining": context.get_remaining_time_in_millis()}`,
});

const slow = fn('slow', 'nodejs20', 'index.handler', {
  'index.mjs': `export const handler = async () => { await new Promise((r) => setTimeout(r, 5000)); return 'late'; };`,
}, '  timeoutSeconds: 1\n');

const writer = fn('writer', 'nodejs20', 'index.handler', {
  'index.mjs': `import { writeFileSync } from 'node:fs';
export const handler = async (event, context) => {
  writeFileSync(process.env.OUT_DIR + '/' + context.awsRequestId + '.json', JSON.stringify(event));
  return 'ok';
};`,
}, `  environment: {OUT_DIR: "${outDir}"}\n`);

const blocked = fn('blocked', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => 1;' }, '  reservedConcurrency: 0\n');

const broken = fn('broken', 'nodejs20', 'index.nothere', { 'index.mjs': 'export const handler = async () => 1;' });

// A custom runtime: AWS's tutorial bootstrap, bash + curl against the Runtime API.
const custom = fn('custom', 'provided', 'function.handler', {
  bootstrap: `#!/bin/bash
set -euo pipefail
while true; do
  HEADERS="$(mktemp)"
  EVENT_DATA=$(curl -sS -LD "$HEADERS" "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -X POST "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d "$(printf '{"echo":%s}' "$EVENT_DATA")" > /dev/null
done`,
});

let f: Fixture;
const payload = (v: unknown) => Buffer.from(JSON.stringify(v));

beforeAll(async () => {
  f = await startFixture({ 'echo.yaml': echo, 'pyecho.yaml': pyecho, 'slow.yaml': slow, 'writer.yaml': writer, 'blocked.yaml': blocked, 'broken.yaml': broken, 'custom.yaml': custom });
}, 60_000);
afterAll(async () => { await f?.stop(); });

describe('synchronous invoke (RequestResponse)', () => {
  it('returns the handler result with the executed version and the request id the handler saw', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ name: 'klambda' }) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    const body = decode(out.Payload) as Record<string, unknown>;
    expect(body).toMatchObject({ event: { name: 'klambda' }, version: '$LATEST', greeting: 'hi', arn: 'arn:aws:lambda:us-east-1:000000000000:function:echo' });
    expect(body.requestId).toBe(out.$metadata.requestId);
    expect(body.remaining).toBeGreaterThan(0);
    expect(body.remaining).toBeLessThanOrEqual(3000);
  });

  it('reuses the warm execution environment', async () => {
    const a = decode((await f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({}) }))).Payload) as { count: number };
    const b = decode((await f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({}) }))).Payload) as { count: number };
    expect(b.count).toBe(a.count + 1);
  });

  it('accepts an ARN and name:qualifier as the function name', async () => {
    const byArn = await f.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo', Payload: payload({}) }));
    expect(byArn.StatusCode).toBe(200);
    const byQualifier = await f.lambda.send(new InvokeCommand({ FunctionName: 'echo:$LATEST', Payload: payload({}) }));
    expect((decode(byQualifier.Payload) as { arn: string }).arn).toBe('arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST');
  });

  it('runs python functions', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'pyecho', Payload: payload({ n: 1 }) }));
    expect(decode(out.Payload)).toMatchObject({ event: { n: 1 }, requestId: out.$metadata.requestId });
  });

  it('runs a provided runtime: an executable bootstrap speaking the Runtime API', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'custom', Payload: payload({ a: 1 }) }));
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ echo: { a: 1 } });
  });

  it('answers an init failure (handler not found) as an Unhandled function error', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'broken', Payload: payload({}) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect((decode(out.Payload) as { errorType: string }).errorType).toBe('Runtime.HandlerNotFound');
  });

  it('reports a thrown error as X-Amz-Function-Error: Unhandled with the error payload, status 200', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ fail: 'x' }) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom: x' });
  });

  it('returns the last 4 KB of the log, base64, for LogType Tail', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail', Payload: payload({ tail: 'me' }) }));
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    const id = out.$metadata.requestId;
    expect(log).toContain(`START RequestId: ${id} Version: $LATEST`);
    expect(log).toContain('echo says {"tail":"me"}');
    expect(log).toContain(`END RequestId: ${id}`);
    expect(log).toMatch(new RegExp(`REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`));
    expect(Buffer.from(out.LogResult ?? '', 'base64').length).toBeLessThanOrEqual(4096);
  });

  it('times out a slow handler with AWS\'s message and serves the next call from a fresh environment', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: payload({}) }));
    expect(out.FunctionError).toBe('Unhandled');
    expect((decode(out.Payload) as { errorMessage: string }).errorMessage).toContain('Task timed out after 1.00 seconds');
    const again = await f.lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: payload({}) }));
    expect(again.FunctionError).toBe('Unhandled');
  }, 30_000);
});

describe('asynchronous invoke (Event) and DryRun', () => {
  it('answers 202 at once and runs the event', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'writer', InvocationType: 'Event', Payload: payload({ async: true }) }));
    expect(out.StatusCode).toBe(202);
    const file = join(outDir, `${out.$metadata.requestId}.json`);
    await waitFor(() => (existsSync(file) ? true : undefined), 20_000, 'the async event to run');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ async: true });
  });

  it('answers 204 to DryRun without running anything', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'writer', InvocationType: 'DryRun', Payload: payload({}) }));
    expect(out.StatusCode).toBe(204);
    expect(existsSync(join(outDir, `${out.$metadata.requestId}.json`))).toBe(false);
  });
});

describe('errors in the AWS shape', () => {
  it('404 ResourceNotFoundException for an unknown function, version or alias', async () => {
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: '42' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: 'nosuchalias' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('400 InvalidRequestContentException for a body that is not JSON', async () => {
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') })))
      .rejects.toBeInstanceOf(InvalidRequestContentException);
  });

  it('413 RequestTooLargeException over 6 MB sync and over 1 MB async', async () => {
    const big = Buffer.from(JSON.stringify({ s: 'x'.repeat(6 * 1024 * 1024) }));
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: big }))).rejects.toBeInstanceOf(RequestTooLargeException);
    const medium = Buffer.from(JSON.stringify({ s: 'x'.repeat(1024 * 1024) }));
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'writer', InvocationType: 'Event', Payload: medium })))
      .rejects.toMatchObject({ name: 'RequestTooLargeException', $metadata: { httpStatusCode: 413 } });
  });

  it('429 TooManyRequestsException with a Reason when reserved concurrency is exhausted', async () => {
    const err = await f.lambda.send(new InvokeCommand({ FunctionName: 'blocked', Payload: payload({}) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect(err).toMatchObject({ Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', $metadata: { httpStatusCode: 429 } });
  });

  it('400 InvalidParameterValueException for a malformed function name', async () => {
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'a:b:c' }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });
});
