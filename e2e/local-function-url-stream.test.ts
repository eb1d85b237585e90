// Response streaming in klambda dev: RESPONSE_STREAM Function URLs and InvokeWithResponseStream through the official
// SDK. A streaming handler (awslambda.streamifyResponse) writes its first chunk, then waits for a file the test creates
// only once it has received that chunk: the first byte reaches the caller before the handler returns, with no timing.
// Also: HttpResponseStream's prelude (status, headers, cookies), a mid-stream error, a function that does not stream,
// Lambda's 20 MiB limit, the log tail, and an AWS_IAM URL that streams under --auth.
import { InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient, type InvokeWithResponseStreamResponseEvent } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { urlId } from '../src/core/function-url.js';
import { Sha256 } from '../test/helpers/sdk-sha256.js';
import { fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

/** Writes "first;", waits for the file the event names, then writes "second" and ends. */
const GATED = `import { existsSync } from 'node:fs';
const until = async (file) => { while (!existsSync(file)) await new Promise((r) => setTimeout(r, 10)); };
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const gate = event.queryStringParameters?.gate ?? JSON.parse(event.body ?? 'null')?.gate ?? event.gate;
  responseStream.setContentType('text/plain');
  responseStream.write('first;');
  await until(gate);
  responseStream.write('second');
  responseStream.end();
});`;

const PRELUDE = `export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  const out = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201, headers: { 'content-type': 'text/html', 'x-custom': 'yes' }, cookies: ['a=1; Path=/', 'b=2'],
  });
  out.write('<p>');
  out.end('hi</p>');
});`;

const BROKEN = `export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  responseStream.write('partial');
  await new Promise((r) => setTimeout(r, 1));
  throw new Error('boom mid-stream');
});`;

/** 21 MiB in 1 MiB writes, each waiting for the stream to take it. */
const HUGE = `import { once } from 'node:events';
const MB = Buffer.alloc(1024 * 1024, 'x');
export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  for (let i = 0; i < 21; i++) if (!responseStream.write(MB)) await once(responseStream, 'drain');
  responseStream.end();
});`;

const LOGGED = `export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  console.log('streaming-log-line');
  responseStream.end('done');
});`;

/** Writes, returns, and never ends its stream. */
const UNENDED = `export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  responseStream.write('left open');
});`;

/** 5 MB at once, then the end: more than the sockets between the router and a caller that does not read can hold. */
const BULK = `export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  responseStream.end(Buffer.alloc(5 * 1024 * 1024, 'y'));
});`;

const PLAIN = `export const handler = async () => ({ statusCode: 202, headers: { 'x-plain': '1' }, body: 'whole' });`;

interface Streamed { status: number; headers: IncomingHttpHeaders; body: Buffer; complete: boolean }

/**
 * One HTTP request; `onData` sees the body so far after each piece (it may act, e.g. open a gate). Resolves when the
 * answer ended or was cut short (complete false).
 */
function stream(base: string, method: string, path: string, headers: Record<string, string> = {}, onData?: (soFar: string) => void, body?: string): Promise<Streamed> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (complete: boolean) => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), complete });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        onData?.(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('end', () => finish(res.complete));
      res.on('aborted', () => finish(false));
      res.on('error', () => finish(false));
      res.on('close', () => finish(res.complete));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pathOf = (name: string, rest = '/') => `/lambda-url/${urlId('default', name, '$LATEST')}${rest}`;
const STREAM_URL = '  url: {authType: NONE, invokeMode: RESPONSE_STREAM}\n';

/** The SDK's event stream, read whole; `onChunk` sees the text so far after each PayloadChunk. */
async function readEvents(events: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined, onChunk?: (soFar: string) => void) {
  const chunks: Buffer[] = [];
  let complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } | undefined;
  let chunkEvents = 0;
  for await (const e of events ?? []) {
    if (e.PayloadChunk?.Payload) {
      chunkEvents += 1;
      chunks.push(Buffer.from(e.PayloadChunk.Payload));
      onChunk?.(Buffer.concat(chunks).toString('utf8'));
    }
    if (e.InvokeComplete) complete = e.InvokeComplete;
  }
  return { payload: Buffer.concat(chunks), complete, chunkEvents };
}

describe('klambda dev: response streaming', () => {
  let f: Fixture;
  const gates = sharedOutDir('klambda-stream-gates-');
  let n = 0;
  const newGate = () => join(gates, `gate-${++n}`);

  beforeAll(async () => {
    f = await startFixture({
      'gated.yaml': fn('gated', 'nodejs20', 'index.handler', { 'index.mjs': GATED }, `  timeoutSeconds: 60\n${STREAM_URL}`),
      'prelude.yaml': fn('prelude', 'nodejs20', 'index.handler', { 'index.mjs': PRELUDE }, STREAM_URL),
      'broken.yaml': fn('broken', 'nodejs20', 'index.handler', { 'index.mjs': BROKEN }, STREAM_URL),
      'huge.yaml': fn('huge', 'nodejs20', 'index.handler', { 'index.mjs': HUGE }, `  timeoutSeconds: 60\n${STREAM_URL}`),
      'logged.yaml': fn('logged', 'nodejs20', 'index.handler', { 'index.mjs': LOGGED }),
      'plain.yaml': fn('plain', 'nodejs20', 'index.handler', { 'index.mjs': PLAIN }, STREAM_URL),
      'unended.yaml': fn('unended', 'nodejs20', 'index.handler', { 'index.mjs': UNENDED }),
      'bulk.yaml': fn('bulk', 'nodejs20', 'index.handler', { 'index.mjs': BULK }, `  reservedConcurrency: 1\n${STREAM_URL}`),
    });
  }, 60_000);
  afterAll(async () => {
    await f?.stop();
    rmSync(gates, { recursive: true, force: true });
  });

  it('a URL streams: the first chunk arrives before the handler returns, the rest after', async () => {
    const gate = newGate();
    let openedAfter: string | undefined;
    const r = await stream(f.local.url, 'GET', pathOf('gated', `/?gate=${encodeURIComponent(gate)}`), {}, (soFar) => {
      if (openedAfter === undefined && soFar.length > 0) {
        openedAfter = soFar;
        writeFileSync(gate, '');
      }
    });
    expect(openedAfter).toBe('first;');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body.toString()).toBe('first;second');
    expect(r.complete).toBe(true);
  }, 60_000);

  it('HttpResponseStream.from sets the status, headers and cookies of the URL answer', async () => {
    const r = await stream(f.local.url, 'GET', pathOf('prelude'));
    expect(r.status).toBe(201);
    expect(r.headers['content-type']).toBe('text/html');
    expect(r.headers['x-custom']).toBe('yes');
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
    expect(r.body.toString()).toBe('<p>hi</p>');
  }, 60_000);

  it('an error after the first bytes cuts the URL answer short', async () => {
    const r = await stream(f.local.url, 'GET', pathOf('broken'));
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('partial');
    expect(r.complete).toBe(false);
  }, 60_000);

  it('a caller that stops reading holds no concurrency once the function has run', async () => {
    const u = new URL(f.local.url);
    let body = 0;
    let paused: import('node:http').IncomingMessage | undefined;
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: u.hostname, port: u.port, path: pathOf('bulk') }, (res) => {
        paused = res;
        res.pause();
        res.on('data', (c: Buffer) => { body += c.length; });
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
    // the run is over (its REPORT is out) while its caller has read nothing
    await waitFor(() => {
      const id = paused?.headers['x-amzn-requestid'];
      return id && f.logs.some((l) => l.startsWith(`REPORT RequestId: ${String(id)}`)) ? true : undefined;
    }, 30_000, 'the streamed run to end');
    // reservedConcurrency 1: a second call runs, not throttled by the first caller's slow read
    const second = await f.lambda.send(new InvokeCommand({ FunctionName: 'bulk' }));
    expect(second.FunctionError).toBeUndefined();
    expect(second.Payload?.length).toBe(5 * 1024 * 1024);
    paused!.resume();
    await done;
    expect(body).toBe(5 * 1024 * 1024);
  }, 60_000);

  it('a function that does not stream answers a RESPONSE_STREAM URL whole', async () => {
    const r = await stream(f.local.url, 'GET', pathOf('plain'));
    expect(r.status).toBe(202);
    expect(r.headers['x-plain']).toBe('1');
    expect(r.body.toString()).toBe('whole');
  }, 60_000);

  it('InvokeWithResponseStream: PayloadChunk events as the function writes, then InvokeComplete', async () => {
    const gate = newGate();
    let firstSeen: string | undefined;
    const out = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'gated', Payload: Buffer.from(JSON.stringify({ gate })) }));
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    const { payload, complete } = await readEvents(out.EventStream, (soFar) => {
      if (firstSeen === undefined) {
        firstSeen = soFar;
        writeFileSync(gate, '');
      }
    });
    expect(firstSeen).toBe('first;');
    expect(payload.toString()).toBe('first;second');
    expect(complete).toEqual({});
  }, 60_000);

  it('InvokeWithResponseStream of a function that does not stream: its answer in one PayloadChunk', async () => {
    const out = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'plain' }));
    const { payload, complete, chunkEvents } = await readEvents(out.EventStream);
    expect(chunkEvents).toBe(1);
    expect(JSON.parse(payload.toString())).toEqual({ statusCode: 202, headers: { 'x-plain': '1' }, body: 'whole' });
    expect(complete).toEqual({});
  }, 60_000);

  it('InvokeWithResponseStream: a mid-stream error ends with InvokeComplete ErrorCode and ErrorDetails', async () => {
    const out = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'broken' }));
    const { payload, complete } = await readEvents(out.EventStream);
    expect(payload.toString()).toBe('partial');
    expect(complete).toEqual({ ErrorCode: 'Error', ErrorDetails: 'boom mid-stream' });
  }, 60_000);

  it('a handler that returns without ending its stream runs until its timeout, as on AWS', async () => {
    const out = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'unended' }));
    const { payload, complete } = await readEvents(out.EventStream);
    expect(payload.toString()).toBe('left open');
    expect(complete).toMatchObject({ ErrorCode: 'Sandbox.Timedout', ErrorDetails: expect.stringMatching(/Task timed out after 3\.00 seconds/) });
  }, 60_000);

  it("InvokeWithResponseStream: past Lambda's 20 MiB the stream ends with Function.ResponseSizeTooLarge", async () => {
    const out = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'huge' }));
    const { payload, complete } = await readEvents(out.EventStream);
    expect(payload.length).toBeLessThanOrEqual(20 * 1024 * 1024);
    expect(complete?.ErrorCode).toBe('Function.ResponseSizeTooLarge');
    // the environment serves the next call
    const again = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'prelude' }));
    const next = await readEvents(again.EventStream);
    expect(next.complete).toEqual({});
  }, 120_000);

  it('InvokeWithResponseStream: the log tail in InvokeComplete, DryRun answered 204', async () => {
    const out = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'logged', LogType: 'Tail' }));
    const { payload, complete } = await readEvents(out.EventStream);
    expect(payload.toString()).toBe('done');
    expect(Buffer.from(complete?.LogResult ?? '', 'base64').toString()).toMatch(/streaming-log-line[\s\S]*REPORT RequestId/);
    const dry = await f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'logged', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
  }, 60_000);

  it('Invoke of a streaming function reads its response whole', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'logged' }));
    expect(out.FunctionError).toBeUndefined();
    expect(Buffer.from(out.Payload ?? []).toString()).toBe('done');
  }, 60_000);

  it('InvokeWithResponseStream of a function that does not exist: ResourceNotFoundException', async () => {
    await expect(f.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  }, 60_000);
});

describe('klambda dev --auth: a streamed AWS_IAM URL', () => {
  let f: Fixture;
  const keysDir = mkdtempSync(join(tmpdir(), 'klambda-stream-keys-'));
  const ADMIN = { accessKeyId: 'AKIAKLAMBDASTREAMAD1', secretAccessKey: 'stream-admin-secret' };
  const READER = { accessKeyId: 'AKIAKLAMBDASTREAMRD1', secretAccessKey: 'stream-reader-secret' };
  const keyFile = join(keysDir, 'keys.ini');
  writeFileSync(keyFile, `[admin]\naws_access_key_id = ${ADMIN.accessKeyId}\naws_secret_access_key = ${ADMIN.secretAccessKey}\n
[reader]\naws_access_key_id = ${READER.accessKeyId}\naws_secret_access_key = ${READER.secretAccessKey}
klambda_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*"}]}\n`);

  beforeAll(async () => {
    f = await startFixture({
      'secure.yaml': fn('secure', 'nodejs20', 'index.handler', { 'index.mjs': PRELUDE }, '  url: {authType: AWS_IAM, invokeMode: RESPONSE_STREAM}\n'),
    }, { auth: keyFile });
  }, 60_000);
  afterAll(async () => {
    await f?.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('refuses an unsigned request (403) and streams a signed one', async () => {
    const refused = await stream(f.local.url, 'GET', pathOf('secure'));
    expect(refused.status).toBe(403);
    expect(refused.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    const u = new URL(f.local.url);
    const signer = new SignatureV4({ credentials: ADMIN, region: 'us-east-1', service: 'lambda', sha256: Sha256, uriEscapePath: true });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: pathOf('secure'), headers: { host: u.host }, body: '' });
    const r = await stream(f.local.url, 'POST', pathOf('secure'), signed.headers, undefined, '');
    expect(r.status).toBe(201);
    expect(r.body.toString()).toBe('<p>hi</p>');
  }, 60_000);

  it('InvokeWithResponseStream is authorized as Invoke: lambda:InvokeFunction', async () => {
    const client = (key: typeof ADMIN) => new LambdaClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials: key });
    const reader = client(READER);
    const admin = client(ADMIN);
    try {
      await expect(reader.send(new InvokeWithResponseStreamCommand({ FunctionName: 'secure' })))
        .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/lambda:InvokeFunction/) });
      const out = await admin.send(new InvokeWithResponseStreamCommand({ FunctionName: 'secure' }));
      expect((await readEvents(out.EventStream)).complete).toEqual({});
    } finally {
      reader.destroy();
      admin.destroy();
    }
  }, 60_000);
});
