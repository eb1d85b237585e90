// A function's answer as a Function URL's HTTP response, by Lambda's inference rules; klambda's own URL errors.
import { badGateway, httpResponseOf, unknownUrl, urlError } from '../../src/router/url/response.js';

const of = (value: unknown) => {
  const r = httpResponseOf(JSON.stringify(value));
  return { status: r.statusCode, headers: r.headers, text: r.body.toString('utf8'), body: r.body };
};

it('answers a value without statusCode as 200 application/json: objects, lists and numbers as compact JSON', () => {
  expect(of({ hello: 'world' })).toMatchObject({ status: 200, headers: [['Content-Type', 'application/json']], text: '{"hello":"world"}' });
  expect(of(['hello', 3, true]).text).toBe('["hello",3,true]');
  expect(of(3.1).text).toBe('3.1');
  expect(of(true).text).toBe('true');
  expect(of(null).text).toBe('null');
  // an object with a body but no statusCode is still just a value
  expect(of({ body: 'x', headers: { a: 'b' } }).text).toBe('{"body":"x","headers":{"a":"b"}}');
});

it('answers a string as its own text, not quoted', () => {
  expect(of('hello')).toMatchObject({ status: 200, text: 'hello' });
});

it('reads an object with statusCode as the response: status (a string too), headers, body', () => {
  expect(of({ statusCode: 201, headers: { 'Content-Type': 'text/plain', 'My-Header': 'v', 'X-Num': 7 }, body: 'made' }))
    .toMatchObject({ status: 201, headers: [['Content-Type', 'text/plain'], ['My-Header', 'v'], ['X-Num', '7']], text: 'made' });
  expect(of({ statusCode: '418', body: "i'm a teapot" })).toMatchObject({ status: 418, headers: [['Content-Type', 'application/json']], text: "i'm a teapot" });
  expect(of({ statusCode: 204 })).toMatchObject({ status: 204, text: '' });
  expect(of({ statusCode: 200, body: { nested: 1 } }).text).toBe('{"nested":1}');
});

it('decodes a base64 body and turns cookies into one Set-Cookie each', () => {
  const r = of({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x00]).toString('base64'), isBase64Encoded: true, cookies: ['a=1; HttpOnly', 'b=2'] });
  expect([...r.body]).toEqual([0x89, 0x50, 0x00]);
  expect(r.headers).toEqual([['content-type', 'image/png'], ['Set-Cookie', 'a=1; HttpOnly'], ['Set-Cookie', 'b=2']]);
});

it('drops the length headers of the function (the router sets its own)', () => {
  expect(of({ statusCode: 200, headers: { 'Content-Length': '999', 'Transfer-Encoding': 'chunked' }, body: 'x' }).headers).toEqual([['Content-Type', 'application/json']]);
});

it('answers 502 for a response it cannot send: a bad status, headers that are no object, a header with a line break', () => {
  for (const bad of [{ statusCode: 'abc' }, { statusCode: 99 }, { statusCode: 100 }, { statusCode: 600 }, { statusCode: 200, headers: 'x' }, { statusCode: 200, headers: { a: 'x\r\ny: z' } }, { statusCode: 200, headers: { 'bad name': 'x' } }, { statusCode: 200, cookies: ['a\nb'] }]) {
    expect(of(bad).status).toBe(502);
  }
});

it("writes AWS's URL errors: 502 Internal Server Error, 403 {\"Message\":null} for an unknown URL, {Message} + x-amzn-ErrorType", () => {
  expect(badGateway()).toMatchObject({ statusCode: 502 });
  expect(badGateway().body.toString()).toBe('Internal Server Error');
  const u = unknownUrl();
  expect([u.statusCode, u.body.toString(), u.headers]).toEqual([403, '{"Message":null}', [['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'AccessDeniedException']]]);
  expect(urlError(429, 'TooManyRequestsException', 'Rate Exceeded.').body.toString()).toBe('{"Message":"Rate Exceeded."}');
});
