// SigV4 verification (pure): AWS's published test-suite vectors, requests the AWS CLI v1 really sent, the SDK's own
// signer (header and presigned forms), and every way a request is refused.
import { SignatureV4 } from '@smithy/signature-v4';
import { canonicalUri, escapeUri, SigningKeyCache, verifySigV4, sha256Hex, EMPTY_SHA256, type SigV4Request } from '../../src/core/sigv4/index.js';
import { KlambdaError } from '../../src/core/errors.js';
import { Sha256 } from '../helpers/sdk-sha256.js';

const SUITE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SUITE_NOW = Date.parse('2015-08-30T12:36:00Z');

/** A request as Node would hand it over: rawHeaders in order, headers lower-cased (repeats joined with ", "). */
function wire(method: string, url: string, headers: Array<[string, string]>, body: Buffer | string = ''): SigV4Request {
  const lower: Record<string, string> = {};
  for (const [k, v] of headers) lower[k.toLowerCase()] = lower[k.toLowerCase()] === undefined ? v : `${lower[k.toLowerCase()]}, ${v}`;
  return { method, url, headers: lower, rawHeaders: headers.flat(), bodySha256: sha256Hex(body) };
}

const suiteAuth = (signature: string, signed = 'host;x-amz-date') =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signed}, Signature=${signature}`;

function suiteRequest(method: string, url: string, signature: string, extra: Array<[string, string]> = [], signed?: string): SigV4Request {
  return wire(method, url, [['Host', 'example.amazonaws.com'], ...extra, ['X-Amz-Date', '20150830T123600Z'], ['Authorization', suiteAuth(signature, signed)]]);
}

const suiteOpts = (cache = new SigningKeyCache()) => ({ region: 'us-east-1', services: ['service'], now: SUITE_NOW, cache });
const suiteLookup = (id: string) => (id === SUITE.accessKeyId ? SUITE : undefined);

function refusal(f: () => unknown): KlambdaError {
  try {
    f();
  } catch (e) {
    if (e instanceof KlambdaError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe("AWS's Signature Version 4 test suite", () => {
  const vectors: Array<[string, string, string, string, Array<[string, string]>?, string?]> = [
    ['get-vanilla', 'GET', '/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    ['get-vanilla-query-order-key-case', 'GET', '/?Param2=value2&Param1=value1', 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'],
    ['get-vanilla-empty-query-key', 'GET', '/?Param1=value1', 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb'],
    ['get-vanilla-query-unreserved', 'GET', `/?${'-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'}=${'-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'}`, '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197'],
    ['get-utf8', 'GET', '/ሴ', '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'],
    ['get-space', 'GET', '/example space/', '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741'],
    ['post-vanilla', 'POST', '/', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
    ['get-header-key-duplicate', 'GET', '/', 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
      [['My-Header1', 'value2'], ['My-Header1', 'value2'], ['My-Header1', 'value1']], 'host;my-header1;x-amz-date'],
  ];
  it.each(vectors.map(([name, method, url, signature, extra, signed]) => ({ name, method, url, signature, extra, signed })))('$name verifies', ({ method, url, signature, extra, signed }) => {
    const out = verifySigV4(suiteRequest(method, url, signature, extra ?? [], signed), suiteLookup, suiteOpts());
    expect(out.key).toBe(SUITE);
    expect(out.auth.scope).toEqual({ accessKeyId: 'AKIDEXAMPLE', date: '20150830', region: 'us-east-1', service: 'service' });
  });

  it('refuses get-vanilla with one hex digit of its signature changed', () => {
    const e = refusal(() => verifySigV4(suiteRequest('GET', '/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30'), suiteLookup, suiteOpts()));
    expect(e).toMatchObject({ statusCode: 403, awsType: 'InvalidSignatureException' });
    expect(e.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
    expect(e.message).toContain("The Canonical String for this request should have been\n'GET\n/\n\nhost:example.amazonaws.com\n");
  });
});

describe('requests the AWS CLI v1 (botocore 1.43) sent to a capture server, secret "y"', () => {
  const cli = (method: string, url: string, date: string, signed: string, signature: string, extra: Array<[string, string]>, body = '') => wire(method, url, [
    ['Host', '127.0.0.1:9347'], ['Accept-Encoding', 'identity'], ...extra, ['User-Agent', 'aws-cli/1.45.11 md/Botocore#1.43.11'],
    ['X-Amz-Date', date], ['Authorization', `AWS4-HMAC-SHA256 Credential=x/20261202/us-east-1/lambda/aws4_request, SignedHeaders=${signed}, Signature=${signature}`],
    ['amz-sdk-invocation-id', 'eaa8e9a5-fc33-4ed8-a8c7-7d5480309b4a'], ['amz-sdk-request', 'attempt=1'], ['Content-Length', String(body.length)],
  ], body);
  const opts = (date: string) => ({ region: 'us-east-1', services: ['lambda'], now: Date.parse(date), cache: new SigningKeyCache() });
  const lookup = (id: string) => (id === 'x' ? { accessKeyId: 'x', secretAccessKey: 'y' } : undefined);

  it('invoke hello:live with a payload: the ":" sent as %3A is encoded again in the canonical URI', () => {
    const req = cli('POST', '/2015-03-31/functions/hello%3Alive/invocations', '20261202T012808Z', 'host;x-amz-date',
      'a81568693ef12f1295e1f7b93eaf91ccd3e86091fe108d135c9fc986e6039cba', [], '{"a":1}');
    expect(verifySigV4(req, lookup, opts('2026-12-02T01:28:08Z')).key.accessKeyId).toBe('x');
    expect(canonicalUri('/2015-03-31/functions/hello%3Alive/invocations')).toBe('/2015-03-31/functions/hello%253Alive/invocations');
  });

  it('the same invoke with another payload is refused (the payload hash is part of the signature)', () => {
    const req = cli('POST', '/2015-03-31/functions/hello%3Alive/invocations', '20261202T012808Z', 'host;x-amz-date',
      'a81568693ef12f1295e1f7b93eaf91ccd3e86091fe108d135c9fc986e6039cba', [], '{"a":2}');
    expect(refusal(() => verifySigV4(req, lookup, opts('2026-12-02T01:28:08Z'))).awsType).toBe('InvalidSignatureException');
  });

  it('create-alias with a signed content-type, and get-function with ?Qualifier=%24LATEST', () => {
    const create = cli('POST', '/2015-03-31/functions/hello/aliases', '20261202T012814Z', 'content-type;host;x-amz-date',
      '209caccece681273ec7c5bffaf059c4838ce28ed0414cf1cd87e0a2154d96531', [['Content-Type', 'application/json']], '{"Name": "live", "FunctionVersion": "1"}');
    expect(verifySigV4(create, lookup, opts('2026-12-02T01:28:20Z')).key.accessKeyId).toBe('x');
    const get = wire('GET', '/2015-03-31/functions/hello?Qualifier=%24LATEST', [['Host', '127.0.0.1:9347'], ['X-Amz-Date', '20261202T012815Z'],
      ['Authorization', 'AWS4-HMAC-SHA256 Credential=x/20261202/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=8a1aa538f9fdda69acc7d8b19e4e8fa484f2309606efdd2e77e58e31e4d4e384']]);
    expect(verifySigV4(get, lookup, opts('2026-12-02T01:28:15Z')).key.accessKeyId).toBe('x');
  });
});

describe("the SDK's own signer (@smithy/signature-v4), as the official SDKs sign", () => {
  const key = { accessKeyId: 'AKIAKLAMBDATEST0001', secretAccessKey: 'test/secret+key' };
  const signer = new SignatureV4({ credentials: key, region: 'us-east-1', service: 'lambda', sha256: Sha256, uriEscapePath: true });
  const lookup = (id: string) => (id === key.accessKeyId ? key : undefined);
  const now = Date.parse('2026-12-02T10:15:00Z');
  const opts = () => ({ region: 'us-east-1', services: ['lambda', 'sns'], now, cache: new SigningKeyCache() });
  const asWire = (r: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string>; body?: unknown }, body = ''): SigV4Request => {
    const qs = Object.entries(r.query ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v : [v ?? '']).map((x) => `${escapeUri(k)}=${escapeUri(x)}`)).join('&');
    return wire(r.method, qs ? `${r.path}?${qs}` : r.path, Object.entries(r.headers), body);
  };
  const request = (method: string, path: string, body?: string, query: Record<string, string> = {}) => ({
    method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query,
    headers: { host: '127.0.0.1:9000', 'content-type': 'application/octet-stream', 'x-amz-invocation-type': 'RequestResponse', 'x-custom': '  a   b\tc  ' },
    ...(body !== undefined ? { body } : {}),
  });

  it('verifies a signed invoke whose name is an ARN, with a qualifier in the query and odd header spacing', async () => {
    const path = `/2015-03-31/functions/${encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:hello')}/invocations`;
    const signed = await signer.sign(request('POST', path, '{"x":1}', { Qualifier: '$LATEST', b: 'x y', a: '*' }) as never, { signingDate: new Date(now) });
    expect(verifySigV4(asWire(signed as never, '{"x":1}'), lookup, opts()).key).toBe(key);
  });

  it('verifies a call the SDK signed for HTTP/2 (:authority in place of Host), read with its authority as Host', async () => {
    const h2 = request('POST', '/', '{}');
    const { host, ...headers } = h2.headers;
    const signed = await signer.sign({ ...h2, headers: { ...headers, ':authority': host } } as never, { signingDate: new Date(now) }) as unknown as { headers: Record<string, string> };
    expect(signed.headers.authorization).toContain('SignedHeaders=:authority;');
    // the router's HTTP/2 bridge hands the app the authority as Host
    const { ':authority': authority, ...rest } = signed.headers;
    const bridged = { ...signed, headers: { host: authority!, ...rest } };
    expect(verifySigV4(asWire(bridged as never, '{}'), lookup, opts()).key).toBe(key);
    // another authority than the one signed does not verify
    expect(refusal(() => verifySigV4(asWire({ ...bridged, headers: { ...bridged.headers, host: '127.0.0.1:9001' } } as never, '{}'), lookup, opts())).awsType).toBe('InvalidSignatureException');
  });

  it('normalizes ".", ".." and empty path segments as the SDK does', async () => {
    const signed = await signer.sign(request('GET', '/a/./b//c/../d/') as never, { signingDate: new Date(now) });
    expect(verifySigV4(asWire(signed as never), lookup, opts()).key).toBe(key);
  });

  it('verifies a presigned URL (query form) within X-Amz-Expires, and refuses it after', async () => {
    const presigned = await signer.presign(request('GET', '/2015-03-31/functions/hello') as never, { signingDate: new Date(now), expiresIn: 60 });
    const req = asWire(presigned as never);
    expect(req.url).toContain('X-Amz-Signature=');
    expect(verifySigV4(req, lookup, { ...opts(), now: now + 59_000 }).auth.form).toBe('query');
    const e = refusal(() => verifySigV4(req, lookup, { ...opts(), now: now + 61_000 }));
    expect(e).toMatchObject({ awsType: 'InvalidSignatureException', message: 'Signature expired: 20261202T101600Z is now earlier than 20261202T101601Z (20261202T101500Z + 60 sec.)' });
  });

  it('honours x-amz-content-sha256 when it is the true hash, refuses it when not, and refuses UNSIGNED-PAYLOAD for lambda', async () => {
    const body = '{"big":true}';
    const withHash = request('POST', '/2015-03-31/functions/hello/invocations', body);
    (withHash.headers as Record<string, string>)['x-amz-content-sha256'] = sha256Hex(body);
    const ok = await signer.sign(withHash as never, { signingDate: new Date(now) });
    expect(verifySigV4(asWire(ok as never, body), lookup, opts()).key).toBe(key);
    expect(refusal(() => verifySigV4(asWire(ok as never, '{"big":false}'), lookup, opts())).message).toBe("The provided 'x-amz-content-sha256' header does not match what was computed.");
    const unsigned = request('POST', '/2015-03-31/functions/hello/invocations', body);
    (unsigned.headers as Record<string, string>)['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const u = asWire(await signer.sign(unsigned as never, { signingDate: new Date(now) }) as never, body);
    expect(refusal(() => verifySigV4(u, lookup, opts())).awsType).toBe('InvalidSignatureException');
    expect(verifySigV4(u, lookup, { ...opts(), unsignedPayloadServices: ['lambda'] }).key).toBe(key);
  });

  describe('refusals', () => {
    const signedAt = async (at: number, over: Partial<{ region: string; service: string; secret: string; id: string }> = {}) => {
      const s = new SignatureV4({
        credentials: { accessKeyId: over.id ?? key.accessKeyId, secretAccessKey: over.secret ?? key.secretAccessKey },
        region: over.region ?? 'us-east-1', service: over.service ?? 'lambda', sha256: Sha256, uriEscapePath: true,
      });
      return asWire(await s.sign(request('GET', '/2015-03-31/functions/') as never, { signingDate: new Date(at) }) as never);
    };
    const check = (req: SigV4Request) => refusal(() => verifySigV4(req, lookup, opts()));

    it('an unknown key: UnrecognizedClientException', async () => {
      expect(check(await signedAt(now, { id: 'AKIANOBODY' }))).toMatchObject({ statusCode: 403, awsType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    });
    it('a wrong secret: InvalidSignatureException', async () => {
      expect(check(await signedAt(now, { secret: 'wrong' })).awsType).toBe('InvalidSignatureException');
    });
    it('a clock 10 minutes behind: Signature expired, in AWS words', async () => {
      expect(check(await signedAt(now - 10 * 60_000)).message).toBe('Signature expired: 20261202T100500Z is now earlier than 20261202T101000Z (20261202T101500Z - 5 min.)');
    });
    it('a clock 10 minutes ahead: Signature not yet current', async () => {
      expect(check(await signedAt(now + 10 * 60_000)).message).toBe('Signature not yet current: 20261202T102500Z is still later than 20261202T102000Z (20261202T101500Z + 5 min.)');
    });
    it('4 minutes off either way is fine', async () => {
      expect(verifySigV4(await signedAt(now - 4 * 60_000), lookup, opts()).key).toBe(key);
      expect(verifySigV4(await signedAt(now + 4 * 60_000), lookup, opts()).key).toBe(key);
    });
    it('another region or a service we do not serve', async () => {
      expect(check(await signedAt(now, { region: 'eu-west-1' }))).toMatchObject({ awsType: 'InvalidSignatureException', message: "Credential should be scoped to a valid region, not 'eu-west-1'. " });
      expect(check(await signedAt(now, { service: 's3' })).message).toBe("Credential should be scoped to correct service: 'lambda'. ");
      expect(verifySigV4(await signedAt(now, { service: 'sns' }), lookup, opts()).key).toBe(key);
    });
    it('no credentials at all: MissingAuthenticationTokenException', () => {
      expect(check(wire('GET', '/2015-03-31/functions/', [['Host', 'x']]))).toMatchObject({ awsType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    });
    it('a header without Signature or date: IncompleteSignatureException naming what is missing', () => {
      const e = check(wire('GET', '/', [['Host', 'x'], ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKIAKLAMBDATEST0001/20261202/us-east-1/lambda/aws4_request, SignedHeaders=host']]));
      expect(e.awsType).toBe('IncompleteSignatureException');
      expect(e.message).toContain("Authorization header requires 'Signature' parameter.");
      expect(e.message).toContain("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    });
    it('another algorithm, a short credential, an unsigned Host', () => {
      expect(check(wire('GET', '/', [['Host', 'x'], ['Authorization', 'AWS AKID:sig']])).awsType).toBe('IncompleteSignatureException');
      expect(check(wire('GET', '/', [['Host', 'x'], ['X-Amz-Date', '20261202T101500Z'], ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKIAKLAMBDATEST0001/20261202/us-east-1, SignedHeaders=host, Signature=ab']])).awsType).toBe('IncompleteSignatureException');
      expect(check(wire('GET', '/', [['Host', 'x'], ['X-Amz-Date', '20261202T101500Z'], ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKIAKLAMBDATEST0001/20261202/us-east-1/lambda/aws4_request, SignedHeaders=x-amz-date, Signature=ab']])).message)
        .toBe("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    });
    it('a scope date that is not the request date', () => {
      const e = check(wire('GET', '/', [['Host', 'x'], ['X-Amz-Date', '20261202T101500Z'], ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKIAKLAMBDATEST0001/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=ab']]));
      expect(e.message).toMatch(/^Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261201' != '20261202'/);
    });
    it('a session token (klambda issues none): UnrecognizedClientException', async () => {
      const req = await signedAt(now);
      req.headers['x-amz-security-token'] = 'token';
      expect(check(req).awsType).toBe('UnrecognizedClientException');
    });
  });
});

describe('the derived signing key cache', () => {
  it('derives once per (secret, date, region, service) and keeps at most its bound', () => {
    const cache = new SigningKeyCache(2);
    const a = cache.get('s', '20261202', 'us-east-1', 'lambda');
    expect(cache.get('s', '20261202', 'us-east-1', 'lambda')).toBe(a);
    expect(cache.get('t', '20261202', 'us-east-1', 'lambda')).not.toBe(a);
    cache.get('s', '20261203', 'us-east-1', 'lambda');
    expect(cache.size).toBe(2);
  });

  it('a warm cache derives nothing: 1,000 verifications of one key on one day keep one derived key', () => {
    const cache = new SigningKeyCache();
    const req = suiteRequest('GET', '/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    for (let i = 0; i < 1000; i++) verifySigV4(req, suiteLookup, suiteOpts(cache));
    expect(cache.size).toBe(1);
  });

  it('EMPTY_SHA256 is the hash of no body', () => {
    expect(sha256Hex('')).toBe(EMPTY_SHA256);
  });
});
