// The pure parts of response streaming: AWS's event-stream framing, a URL prelude read as Lambda reads it, and the
// IAM action of InvokeWithResponseStream.
import { lambdaAction } from '../../src/core/lambda-actions.js';
import { crc32, eventMessage, invokeComplete, MAX_CHUNK_BYTES, payloadChunks } from '../../src/router/lambda/event-stream.js';
import { preludeHead } from '../../src/router/url/stream.js';

/** Reads one message back: its headers and payload, after checking both CRCs. */
function decode(msg: Buffer): { headers: Record<string, string>; payload: Buffer } {
  const total = msg.readUInt32BE(0);
  const headersLength = msg.readUInt32BE(4);
  expect(total).toBe(msg.length);
  expect(msg.readUInt32BE(8)).toBe(crc32(msg, 0, 8));
  expect(msg.readUInt32BE(total - 4)).toBe(crc32(msg, 0, total - 4));
  const headers: Record<string, string> = {};
  for (let at = 12; at < 12 + headersLength;) {
    const n = msg.readUInt8(at);
    const name = msg.toString('utf8', at + 1, at + 1 + n);
    expect(msg.readUInt8(at + 1 + n)).toBe(7);
    const v = msg.readUInt16BE(at + 2 + n);
    headers[name] = msg.toString('utf8', at + 4 + n, at + 4 + n + v);
    at += 4 + n + v;
  }
  return { headers, payload: msg.subarray(12 + headersLength, total - 4) };
}

describe('event-stream framing', () => {
  it('computes CRC-32 as the framing wants it (the check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('frames a PayloadChunk and an InvokeComplete with their headers and payloads', () => {
    const [chunk] = payloadChunks(Buffer.from('héllo'));
    expect(decode(chunk!)).toEqual({
      headers: { ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' },
      payload: Buffer.from('héllo'),
    });
    const done = decode(invokeComplete({ ErrorCode: 'Error', ErrorDetails: 'boom' }));
    expect(done.headers[':event-type']).toBe('InvokeComplete');
    expect(JSON.parse(done.payload.toString())).toEqual({ ErrorCode: 'Error', ErrorDetails: 'boom' });
    expect(decode(eventMessage({}, Buffer.alloc(0))).payload.length).toBe(0);
  });

  it('splits a large piece into PayloadChunks of at most 64 KB, and sends none for no bytes', () => {
    const data = Buffer.alloc(MAX_CHUNK_BYTES * 2 + 5, 7);
    const chunks = payloadChunks(data);
    expect(chunks.map((c) => decode(c).payload.length)).toEqual([MAX_CHUNK_BYTES, MAX_CHUNK_BYTES, 5]);
    expect(payloadChunks(Buffer.alloc(0))).toEqual([]);
  });
});

describe('a streamed URL answer’s prelude', () => {
  it('gives the status, headers and cookies', () => {
    expect(preludeHead(Buffer.from(JSON.stringify({ statusCode: 201, headers: { 'content-type': 'text/html', 'x-a': 'b' }, cookies: ['c=1'] })))).toEqual({
      statusCode: 201, headers: [['content-type', 'text/html'], ['x-a', 'b'], ['Set-Cookie', 'c=1']], body: Buffer.alloc(0),
    });
  });

  it('is application/octet-stream and 200 when it names neither', () => {
    expect(preludeHead(Buffer.from('{}'))).toMatchObject({ statusCode: 200, headers: [['Content-Type', 'application/octet-stream']] });
  });

  it('is no prelude when it is not a JSON object, and a 502 with a status or header that cannot be sent', () => {
    expect(preludeHead(Buffer.from('not json'))).toBeUndefined();
    expect(preludeHead(Buffer.from('[1]'))).toBeUndefined();
    expect(preludeHead(Buffer.from('{"statusCode":99}'))?.statusCode).toBe(502);
    expect(preludeHead(Buffer.from('{"headers":{"x":"a\\r\\nb"}}'))?.statusCode).toBe(502);
  });
});

describe('InvokeWithResponseStream’s IAM action', () => {
  const ctx = { region: 'us-east-1', accountId: '123456789012' };
  it('is lambda:InvokeFunction on the qualified function ARN, as Invoke is', () => {
    expect(lambdaAction('POST', '/2021-11-15/functions/hello/response-streaming-invocations?Qualifier=live', ctx))
      .toEqual({ action: 'lambda:InvokeFunction', resource: 'arn:aws:lambda:us-east-1:123456789012:function:hello:live' });
    expect(lambdaAction('GET', '/2021-11-15/functions/hello/response-streaming-invocations', ctx)).toBeUndefined();
  });
});
