// spec.url on the Function and Alias kinds: its defaults and Lambda's limits, values that would break a response header
// refused, no URL in a published version's snapshot, and the IAM action of each Function URL call.
import { versionConfig } from '../../src/api/code.js';
import { checkObject } from '../../src/api/parse.js';
import type { UrlConfig } from '../../src/core/function-url.js';
import { lambdaAction } from '../../src/core/lambda-actions.js';
import type { UrlSpec } from '../../src/api/function.js';

const fnWith = (url: unknown) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'web' },
  spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } }, url },
});
const aliasWith = (url: unknown) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name: 'web-live' }, spec: { functionName: 'web', name: 'live', functionVersion: '$LATEST', url } });
const problems = (obj: unknown): string[] => {
  const r = checkObject(obj);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};
const specOf = (obj: unknown) => {
  const r = checkObject(obj);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (r.object as unknown as { spec: { url?: UrlSpec } }).spec;
};

describe('spec.url', () => {
  it("is core/function-url.ts's UrlConfig, with invokeMode BUFFERED by default, on a Function and on an Alias", () => {
    const url: UrlConfig | undefined = specOf(fnWith({ authType: 'NONE' })).url;
    expect(url).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED' });
    expect(specOf(aliasWith({ authType: 'AWS_IAM', invokeMode: 'RESPONSE_STREAM', cors: { allowOrigins: ['*'], maxAge: 86400 } })).url)
      .toEqual({ authType: 'AWS_IAM', invokeMode: 'RESPONSE_STREAM', cors: { allowOrigins: ['*'], maxAge: 86400 } });
  });

  it("keeps Lambda's limits: authType and methods from their sets, at most 100 origins, maxAge 0..86400", () => {
    expect(problems(fnWith({}))).toEqual([expect.stringMatching(/^spec.url.authType: /)]);
    expect(problems(fnWith({ authType: 'OPEN' }))[0]).toMatch(/^spec.url.authType: /);
    expect(problems(fnWith({ authType: 'NONE', cors: { allowMethods: ['GET', 'TRACE'] } }))[0]).toMatch(/^spec.url.cors.allowMethods\[1\]: /);
    expect(problems(fnWith({ authType: 'NONE', cors: { allowMethods: ['GET', 'PUT', 'HEAD', 'POST', 'PATCH', 'DELETE', '*'] } }))[0]).toMatch(/^spec.url.cors.allowMethods: /);
    expect(problems(fnWith({ authType: 'NONE', cors: { allowOrigins: Array.from({ length: 101 }, (_, i) => `https://o${i}.example`) } }))[0]).toMatch(/^spec.url.cors.allowOrigins: /);
    expect(problems(fnWith({ authType: 'NONE', cors: { maxAge: 86401 } }))[0]).toMatch(/^spec.url.cors.maxAge: /);
    expect(problems(fnWith({ authType: 'NONE', cors: { maxAge: 86400, allowOrigins: Array.from({ length: 100 }, (_, i) => `https://o${i}.example`) } }))).toEqual([]);
    expect(problems(fnWith({ authType: 'NONE', extra: 1 }))[0]).toMatch(/^spec.url.extra: unknown field/);
  });

  it('refuses header names and origins that would break (or inject into) a response header, saying why', () => {
    expect(problems(aliasWith({ authType: 'NONE', cors: { allowHeaders: ['x-ok\r\nset-cookie: a=b'] } }))).toEqual([
      expect.stringMatching(/^spec.url.cors.allowHeaders\[0\]: must be an HTTP header name/),
    ]);
    expect(problems(aliasWith({ authType: 'NONE', cors: { exposeHeaders: ['x id'] } }))[0]).toMatch(/^spec.url.cors.exposeHeaders\[0\]: must be an HTTP header name/);
    expect(problems(aliasWith({ authType: 'NONE', cors: { allowOrigins: ['https://a.example, https://b.example'] } }))[0]).toMatch(/^spec.url.cors.allowOrigins\[0\]: must be an origin/);
    expect(problems(aliasWith({ authType: 'NONE', cors: { allowHeaders: ['*', 'Content-Type'], allowOrigins: ['*', 'http://localhost:3000'] } }))).toEqual([]);
  });

  it("is not part of a published version's snapshot (a URL is $LATEST's or an alias's)", () => {
    const spec = specOf(fnWith({ authType: 'NONE' })) as Parameters<typeof versionConfig>[0];
    expect(versionConfig(spec, { kind: 'files', files: { 'index.mjs': '' } })).not.toHaveProperty('url');
    const version = {
      apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', metadata: { name: 'web-v1' },
      spec: { functionName: 'web', version: '1', codeSha256: `${'A'.repeat(43)}=`, function: { ...fnWith({ authType: 'NONE' }).spec } },
    };
    expect(problems(version)).toEqual([expect.stringMatching(/^spec.function.url: unknown field/)]);
  });
});

describe('lambdaAction: the Function URL calls', () => {
  const ctx = { region: 'us-east-1', accountId: '123456789012' };
  const fn = 'arn:aws:lambda:us-east-1:123456789012:function:web';
  it.each([
    ['POST', '/2021-10-31/functions/web/url', 'lambda:CreateFunctionUrlConfig', fn],
    ['POST', '/2021-10-31/functions/web/url?Qualifier=live', 'lambda:CreateFunctionUrlConfig', `${fn}:live`],
    ['GET', '/2021-10-31/functions/web:live/url', 'lambda:GetFunctionUrlConfig', `${fn}:live`],
    ['PUT', '/2021-10-31/functions/web/url/', 'lambda:UpdateFunctionUrlConfig', fn],
    ['DELETE', '/2021-10-31/functions/web/url?Qualifier=live', 'lambda:DeleteFunctionUrlConfig', `${fn}:live`],
    ['GET', '/2021-10-31/functions/web/urls?MaxItems=1', 'lambda:ListFunctionUrlConfigs', fn],
  ])('%s %s is %s on %s', (method, url, action, resource) => {
    expect(lambdaAction(method, url, ctx)).toEqual({ action, resource });
  });

  it('knows no other route of that API version', () => {
    expect(lambdaAction('PATCH', '/2021-10-31/functions/web/url', ctx)).toBeUndefined();
    expect(lambdaAction('GET', '/2021-10-31/functions', ctx)).toBeUndefined();
    expect(lambdaAction('GET', '/2021-10-31/functions/web/invocations', ctx)).toBeUndefined();
  });
});
