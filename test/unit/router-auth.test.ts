// The router's auth edges, pure parts: the local guard's verdicts, the credentials file, access-key Secrets, authorize().
import { parseCredentialsFile, KeyFileError } from '../../src/router/auth/credentials-file.js';
import { isLoopbackHost, localRefusal } from '../../src/router/auth/local-guard.js';
import { accessKeyOfSecret } from '../../src/router/auth/secret-keys.js';
import { authorize } from '../../src/router/auth/sigv4-middleware.js';
import { parsePolicy } from '../../src/core/iam-policy.js';
import type { KlambdaError } from '../../src/core/errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('the local guard (klambda dev without --auth)', () => {
  const ok = { method: 'POST', host: '127.0.0.1:9000', origin: undefined, contentType: 'application/json' };

  it('answers loopback Hosts only, with any port', () => {
    for (const h of ['127.0.0.1', '127.0.0.1:9000', 'localhost:1', 'LOCALHOST', '[::1]:9000', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io:9000', '10.0.0.1:9000', '[::2]:9000', '', undefined]) expect(isLoopbackHost(h)).toBe(false);
    expect(localRefusal({ ...ok, host: 'rebind.evil.example:9000' })).toMatchObject({ statusCode: 403, awsType: 'AccessDeniedException' });
  });

  it('refuses a foreign Origin (and "null"), accepts a loopback one', () => {
    expect(localRefusal({ ...ok, origin: 'https://evil.example' })?.message).toMatch(/^Origin 'https:\/\/evil\.example' refused/);
    expect(localRefusal({ ...ok, origin: 'null' })).toBeDefined();
    expect(localRefusal({ ...ok, origin: 'http://localhost:3000' })).toBeUndefined();
    expect(localRefusal({ ...ok, method: 'GET', origin: 'http://evil.example' })).toBeDefined();
  });

  it('refuses writes with a CORS-simple Content-Type; JSON, binary and none are fine; reads are not writes', () => {
    for (const ct of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'Multipart/Form-Data; boundary=x']) {
      for (const method of ['POST', 'PUT', 'DELETE']) expect(localRefusal({ ...ok, method, contentType: ct })?.awsType).toBe('AccessDeniedException');
    }
    for (const ct of ['application/json', 'application/octet-stream', undefined]) expect(localRefusal({ ...ok, contentType: ct })).toBeUndefined();
    expect(localRefusal({ ...ok, method: 'GET', contentType: 'text/plain' })).toBeUndefined();
  });

  it('takes a form-encoded POST that carries a SigV4 Authorization header (an SNS call); a bare form, or another simple type with one, stays refused', () => {
    const form = 'application/x-www-form-urlencoded; charset=utf-8';
    const sigv4 = 'AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/sns/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
    expect(localRefusal({ ...ok, contentType: form, authorization: sigv4 })).toBeUndefined();
    expect(localRefusal({ ...ok, contentType: form })?.message).toMatch(/an SNS call is a form signed with SigV4/);
    for (const authorization of ['', 'Basic dXNlcjpwYXNz', 'AWS4-HMAC-SHA256', 'aws4-hmac-sha256 Credential=x', 'AWS AKIA:sig']) {
      expect(localRefusal({ ...ok, contentType: form, authorization })?.awsType).toBe('AccessDeniedException');
    }
    for (const ct of ['text/plain', 'multipart/form-data; boundary=x']) expect(localRefusal({ ...ok, contentType: ct, authorization: sigv4 })).toBeDefined();
    // a foreign Origin is refused whatever the request carries
    expect(localRefusal({ ...ok, contentType: form, authorization: sigv4, origin: 'https://evil.example' })).toBeDefined();
  });
});

describe('the credentials file of --auth', () => {
  it('reads profiles, [profile x] headers, comments, inline and file policies, and a policy continued on indented lines', () => {
    const text = [
      '# keys', '[a]', 'aws_access_key_id = AKIA1', 'aws_secret_access_key = s1', 'region = us-east-1', '',
      '[profile b]', '; comment', 'aws_access_key_id=AKIA2', 'aws_secret_access_key=s/2+=', 'klambda_policy = {"Statement":',
      '    {"Effect":"Allow","Action":"lambda:*","Resource":"*"}}', '[c]', 'aws_access_key_id = AKIA3', 'aws_secret_access_key = s3', 'klambda_policy_file = c.json',
    ].join('\n');
    expect(parseCredentialsFile(text)).toEqual([
      { name: 'a', accessKeyId: 'AKIA1', secretAccessKey: 's1' },
      { name: 'b', accessKeyId: 'AKIA2', secretAccessKey: 's/2+=', policy: '{"Statement":\n{"Effect":"Allow","Action":"lambda:*","Resource":"*"}}' },
      { name: 'c', accessKeyId: 'AKIA3', secretAccessKey: 's3', policyFile: 'c.json' },
    ]);
  });

  it.each([
    ['a profile without a secret', '[a]\naws_access_key_id = AKIA1', /:1 \[a\]: needs aws_access_key_id and aws_secret_access_key/],
    ['a key outside any profile', 'aws_access_key_id = AKIA1', /:1: aws_access_key_id is outside any \[profile\]/],
    ['one key id twice', '[a]\naws_access_key_id=K\naws_secret_access_key=s\n[b]\naws_access_key_id=K\naws_secret_access_key=t', /access key K appears in two profiles/],
    ['a misspelt klambda setting', '[a]\naws_access_key_id=K\naws_secret_access_key=s\nklambda_polcy={}', /unknown setting klambda_polcy/],
    ['a key id with a slash', '[a]\naws_access_key_id=A/B\naws_secret_access_key=s', /may hold letters, digits/],
    ['a line that is neither', '[a]\nwhat is this', /:2: expected \[profile\] or key = value/],
  ])('refuses %s, saying where', (_what, text, message) => {
    expect(() => parseCredentialsFile(text, 'keys.ini')).toThrow(KeyFileError);
    expect(() => parseCredentialsFile(text, 'keys.ini')).toThrow(message);
  });
});

describe('access-key Secrets', () => {
  const secret = (data: Record<string, string>) => ({ type: 'klambda.dev/access-key', metadata: { name: 'ci-deployer', namespace: 'team-a' }, data });

  it('decode accessKeyId, secretAccessKey and an optional policy; the Secret names the user, its namespace the account', () => {
    const key = accessKeyOfSecret(secret({ accessKeyId: b64('AKIATEAMA0001'), secretAccessKey: b64('s3cret\n'), policy: b64('{"Statement":{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}}') }), '123456789012');
    expect(key).toEqual({
      accessKeyId: 'AKIATEAMA0001', secretAccessKey: 's3cret', userName: 'ci-deployer', namespace: 'team-a', accountId: '123456789012',
      policy: { Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] }] },
    });
  });

  it('say why a Secret is no key', () => {
    expect(accessKeyOfSecret(secret({ accessKeyId: b64('AKIA') }), '1')).toEqual({ error: 'needs data.accessKeyId and data.secretAccessKey' });
    const conditional = accessKeyOfSecret(secret({ accessKeyId: b64('AKIA'), secretAccessKey: b64('s'), policy: b64('{"Statement":{"Effect":"Allow","Action":"lambda:*","Resource":"*","Condition":{}}}') }), '1');
    expect('error' in conditional && conditional.error).toMatch(/^policy: Statement\[0\]\.Condition is not supported/);
  });
});

describe('authorize', () => {
  const principal = { namespace: 'team-a', accountId: '123456789012', userArn: 'arn:aws:iam::123456789012:user/ci' };
  const refused = (f: () => void): KlambdaError | undefined => { try { f(); return undefined; } catch (e) { return e as KlambdaError; } };

  it('lets a key without a policy do anything in its own account, nothing in another', () => {
    expect(refused(() => authorize(principal, 'DELETE', '/2015-03-31/functions/hello/aliases/live', 'us-east-1'))).toBeUndefined();
    expect(refused(() => authorize(principal, 'POST', `/2015-03-31/functions/${encodeURIComponent('000000000000:function:hello')}/invocations`, 'us-east-1')))
      .toMatchObject({ statusCode: 403, awsType: 'AccessDeniedException', message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:hello because no identity-based policy allows the lambda:InvokeFunction action' });
  });

  it('holds a key to its policy, and sends a request no route serves to 404 before any handler', () => {
    const p = { ...principal, policy: parsePolicy({ Statement: { Effect: 'Allow', Action: 'lambda:Get*', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:*' } }) };
    expect(refused(() => authorize(p, 'GET', '/2015-03-31/functions/hello/aliases/live', 'us-east-1'))).toBeUndefined();
    expect(refused(() => authorize(p, 'PUT', '/2015-03-31/functions/hello/aliases/live', 'us-east-1'))?.awsType).toBe('AccessDeniedException');
    expect(refused(() => authorize(p, 'GET', '/2015-03-31/functions/', 'us-east-1'))?.message).toContain('lambda:ListFunctions on resource: *');
    expect(refused(() => authorize(p, 'GET', '/2015-03-31/functions/hello/nothing', 'us-east-1'))).toMatchObject({ statusCode: 404, awsType: 'UnknownOperationException' });
  });
});
