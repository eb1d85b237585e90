// Hostile and malformed requests to the local mode: every one gets an AWS-shaped error (never a stack, never a crash),
// and a body over the limit is refused without the router reading it.
import { GetFunctionCommand, InvalidParameterValueException, InvalidRequestContentException, InvokeCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { request } from 'node:http';
import { connect } from 'node:net';
import { uploadFromAnotherProcess } from '../test/helpers/upload-client.js';
import { fn, startFixture, type Fixture } from './helpers/local.js';

const echo = fn('echo', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (event) => event;' });

let f: Fixture;
let hostPort: string;
beforeAll(async () => {
  f = await startFixture({ 'echo.yaml': echo });
  hostPort = new URL(f.local.url).host;
}, 60_000);
afterAll(async () => { await f?.stop(); });

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

/** One request through node:http (which sends what it is given: odd paths, repeated headers). */
function send(method: string, path: string, headers: Record<string, string | string[]> = {}, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${f.local.url}${path}`, { method, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Bytes written to a raw socket, and everything the router answers until it closes the connection. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(f.local.url).port), '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => { text += d.toString('latin1'); });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(bytes);
  });
}

/** The AWS error shape, without a stack trace or a file path of ours in it. */
function expectAwsError(a: Answer, status: number, type: string): Record<string, string> {
  expect(a.status).toBe(status);
  expect(a.headers['x-amzn-errortype']).toBe(type);
  const body = JSON.parse(a.text) as Record<string, string>;
  expect(body).toMatchObject({ __type: type, Type: 'User' });
  expect(a.text).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|URIError/);
  return body;
}

const invocations = (name: string) => `/2015-03-31/functions/${name}/invocations`;

describe('malformed paths and names', () => {
  it('400 InvalidParameterValueException for a malformed percent-encoding in the path, not a 500 with a stack', async () => {
    expectAwsError(await send('POST', invocations('%zz'), {}, '{}'), 400, 'InvalidParameterValueException');
    expectAwsError(await send('GET', '/2015-03-31/functions/echo%zz/aliases/live'), 400, 'InvalidParameterValueException');
    expectAwsError(await send('GET', '/2015-03-31/functions/echo/aliases/%E0%A4%A'), 400, 'InvalidParameterValueException');
  });

  it('400 for a function name of 10 KB, with a message that does not echo it whole', async () => {
    const body = expectAwsError(await send('POST', invocations('a'.repeat(10_000)), {}, '{}'), 400, 'InvalidParameterValueException');
    expect(body.message).toContain('Member must have length less than or equal to 170');
    expect(String(body.message).length).toBeLessThan(1000);
  });

  it('400 for a qualifier with odd characters, and for the Qualifier parameter given twice', async () => {
    expectAwsError(await send('POST', `${invocations('echo')}?Qualifier=%00%2F..%2F`, {}, '{}'), 400, 'InvalidParameterValueException');
    expectAwsError(await send('POST', `${invocations('echo')}?Qualifier=1&Qualifier=2`, {}, '{}'), 400, 'InvalidParameterValueException');
    expectAwsError(await send('GET', '/2015-03-31/functions/echo?Qualifier=1&Qualifier=2'), 400, 'InvalidParameterValueException');
  });
});

describe('ARNs of another region or account', () => {
  it('Invoke: another region is not reachable (404), another account is refused (403 AccessDeniedException)', async () => {
    const region = await f.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:000000000000:function:echo' })).catch((e: unknown) => e);
    expect(region).toBeInstanceOf(ResourceNotFoundException);
    expect((region as Error).message).toBe("Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:999999999999:function:echo' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: '999999999999:function:echo:$LATEST' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('lambda:InvokeFunction') });
  });

  it('management calls refuse them the same way', async () => {
    await expect(f.lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:999999999999:function:echo' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('lambda:GetFunction on resource') });
    await expect(f.lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:ap-south-1:000000000000:function:echo' })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
    expectAwsError(await send('GET', '/2015-03-31/functions/999999999999:function:echo/aliases'), 403, 'AccessDeniedException');
  });
});

describe('Invoke headers and payload', () => {
  it('400 InvalidParameterValueException for an X-Amz-Log-Type other than Tail or None', async () => {
    const err = await f.lambda.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Everything' as never })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toBe("1 validation error detected: Value 'Everything' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]");
  });

  it('400 InvalidRequestContentException for a client context that is not base64 JSON, or over 3,583 bytes', async () => {
    for (const ClientContext of ['not base64!', Buffer.from('not json').toString('base64'), Buffer.from('[1]').toString('base64')]) {
      const err = await f.lambda.send(new InvokeCommand({ FunctionName: 'echo', ClientContext })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRequestContentException);
      expect((err as Error).message).toBe('Client context must be a valid Base64-encoded JSON object.');
    }
    const big = Buffer.from(JSON.stringify({ custom: { s: 'x'.repeat(3000) } })).toString('base64');
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'echo', ClientContext: big }))).rejects.toMatchObject({ name: 'InvalidRequestContentException', message: expect.stringContaining('too large') });
  });

  it('400 InvalidRequestContentException for a payload that is not UTF-8', async () => {
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    await expect(f.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: body }))).rejects.toBeInstanceOf(InvalidRequestContentException);
  });

  it('400 for a repeated X-Amz-Invocation-Type', async () => {
    expectAwsError(await send('POST', invocations('echo'), { 'X-Amz-Invocation-Type': ['Event', 'DryRun'] }, '{}'), 400, 'InvalidParameterValueException');
  });
});

describe('requests Node\'s HTTP parser refuses', () => {
  it('a header over 16 KB: 431 in the AWS shape, not a bare status line', async () => {
    const text = await raw(`POST ${invocations('echo')} HTTP/1.1\r\nHost: ${hostPort}\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(text).toMatch(/\r\nx-amzn-ErrorType: InvalidRequestContentException\r\n/);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ __type: 'InvalidRequestContentException', message: expect.stringContaining('too large') });
  });

  it('an unparseable request (two Content-Lengths): 400 in the AWS shape', async () => {
    const text = await raw(`POST ${invocations('echo')} HTTP/1.1\r\nHost: ${hostPort}\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ __type: 'InvalidRequestContentException' });
  });
});

describe('a 50 MB body', () => {
  const TOTAL = 50 * 1024 * 1024;

  /** Sends the head and a 50 MB body from another process; resolves with the answer once the router closes the connection. */
  const push = (head: string, chunked: boolean): Promise<string> =>
    uploadFromAnotherProcess({ port: Number(new URL(f.local.url).port), head, bodyBytes: TOTAL, chunked });

  it.each([
    ['with a declared Content-Length', false, `Content-Length: ${TOTAL}`],
    ['chunked', true, 'Transfer-Encoding: chunked'],
  ])('%s: 413 RequestTooLargeException, Connection: close, and the router closes the connection', async (_what, chunked, framing) => {
    const response = await push(`POST ${invocations('echo')} HTTP/1.1\r\nHost: ${hostPort}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`, chunked);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(response).toMatch(/\r\nx-amzn-ErrorType: RequestTooLargeException\r\n/);
    expect((await send('GET', '/healthz')).status).toBe(200);
  });
});
