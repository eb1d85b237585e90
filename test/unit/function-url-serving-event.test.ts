// A Function URL request as its payload 2.0 event: AWS's field rules, from the raw request.
import { eventHeaders, isTextContentType, queryParameters, requestTime, urlEvent, type UrlRequestFacts } from '../../src/router/url/event.js';
import { anonymousPrincipal } from '../../src/router/auth/principal.js';

const facts = (over: Partial<UrlRequestFacts> = {}): UrlRequestFacts => ({
  method: 'GET', rawPath: '/', rawQueryString: '', rawHeaders: ['Host', 'x.lambda-url.us-east-1.localhost'], body: Buffer.alloc(0),
  sourceIp: '10.0.0.7', protocol: 'HTTP/1.1', urlId: 'u'.repeat(32), domainName: 'd', accountId: '000000000000',
  requestId: 'req-1', traceId: 'Root=1-x', now: Date.parse('2020-03-12T19:03:58.390Z'), ...over,
});

it("writes requestContext.time as Lambda does: 12/Mar/2020:19:03:58 +0000, and timeEpoch in ms", () => {
  expect(requestTime(Date.parse('2020-03-12T19:03:58.390Z'))).toBe('12/Mar/2020:19:03:58 +0000');
  expect(urlEvent(facts()).requestContext).toMatchObject({ time: '12/Mar/2020:19:03:58 +0000', timeEpoch: 1584039838390 });
});

it('lower-cases header names and joins a repeated header with commas; Cookie headers become the cookies list', () => {
  const { headers, cookies } = eventHeaders(['X-Multi', 'a', 'x-multi', 'b', 'Cookie', 'k1=v1; k2=v2', 'cookie', 'k3=v3', 'Connection', 'keep-alive', 'Accept', '*/*']);
  expect(headers).toEqual({ 'x-multi': 'a,b', accept: '*/*' });
  expect(cookies).toEqual(['k1=v1', 'k2=v2', 'k3=v3']);
});

it('decodes query parameters and joins a repeated name with commas; none at all is undefined', () => {
  expect(queryParameters('a=1&a=2&b=%C3%A9&c&d=x+y&e=%zz')).toEqual({ a: '1,2', b: 'é', c: '', d: 'x y', e: '%zz' });
  expect(queryParameters('')).toBeUndefined();
  expect(queryParameters('&&')).toBeUndefined();
});

it('tells text bodies from binary by Content-Type', () => {
  for (const t of ['text/plain', 'text/html; charset=utf-8', 'application/json', 'application/vnd.api+json', 'application/xml', 'application/atom+xml', 'application/javascript']) {
    expect(isTextContentType(t)).toBe(true);
  }
  for (const t of [undefined, '', 'application/octet-stream', 'image/png', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
    expect(isTextContentType(t)).toBe(false);
  }
});

it('passes a text body as text, a binary one (or text that is no UTF-8) as base64', () => {
  const text = urlEvent(facts({ rawHeaders: ['Content-Type', 'application/json'], body: Buffer.from('{"é":1}') }));
  expect(text).toMatchObject({ body: '{"é":1}', isBase64Encoded: false });
  const bin = urlEvent(facts({ rawHeaders: ['Content-Type', 'image/png'], body: Buffer.from([0x89, 0x50]) }));
  expect(bin).toMatchObject({ body: 'iVA=', isBase64Encoded: true });
  const bad = urlEvent(facts({ rawHeaders: ['Content-Type', 'text/plain'], body: Buffer.from([0xff, 0xfe]) }));
  expect(bad).toMatchObject({ body: '//4=', isBase64Encoded: true });
  const form = urlEvent(facts({ rawHeaders: ['Content-Type', 'application/x-www-form-urlencoded'], body: Buffer.from('a=1') }));
  expect(form).toMatchObject({ body: 'YT0x', isBase64Encoded: true });
});

it('leaves out body, cookies, queryStringParameters and authorizer when there are none', () => {
  const e = urlEvent(facts());
  expect(e).toMatchObject({ version: '2.0', routeKey: '$default', rawPath: '/', rawQueryString: '', isBase64Encoded: false });
  for (const k of ['body', 'cookies', 'queryStringParameters']) expect(e).not.toHaveProperty(k);
  expect(e.requestContext).not.toHaveProperty('authorizer');
});

it('fills requestContext from the request: ids, http, the forwarded headers', () => {
  const e = urlEvent(facts({ method: 'POST', rawPath: '/a%20b', rawQueryString: 'x=1', rawHeaders: ['User-Agent', 'ua/1', 'X-Forwarded-For', '1.2.3.4'] }));
  expect(e.requestContext).toMatchObject({
    accountId: '000000000000', apiId: 'u'.repeat(32), domainPrefix: 'u'.repeat(32), domainName: 'd', requestId: 'req-1', routeKey: '$default', stage: '$default',
    http: { method: 'POST', path: '/a%20b', protocol: 'HTTP/1.1', sourceIp: '10.0.0.7', userAgent: 'ua/1' },
  });
  expect(e.headers).toMatchObject({ 'x-forwarded-for': '1.2.3.4,10.0.0.7', 'x-forwarded-proto': 'http', 'x-amzn-trace-id': 'Root=1-x' });
  expect(e.queryStringParameters).toEqual({ x: '1' });
});

it("names an AWS_IAM caller in requestContext.authorizer.iam", () => {
  const caller = { namespace: 'default', accountId: '111122223333', userArn: 'arn:aws:iam::111122223333:user/ada', accessKeyId: 'AKIAEXAMPLE' };
  expect(urlEvent(facts({ caller })).requestContext.authorizer).toEqual({ iam: {
    accessKey: 'AKIAEXAMPLE', accountId: '111122223333', callerId: 'AKIAEXAMPLE', cognitoIdentity: null, principalOrgId: null,
    userArn: 'arn:aws:iam::111122223333:user/ada', userId: 'AKIAEXAMPLE',
  } });
  expect(urlEvent(facts({ caller: anonymousPrincipal('default', '000000000000') })).requestContext.authorizer?.iam.accessKey).toBeNull();
});
