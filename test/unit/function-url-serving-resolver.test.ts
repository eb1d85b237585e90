// Which Function or Alias a url-id names (the local resolver over a manifest snapshot), where a request names one,
// and who may invoke an AWS_IAM URL.
import { parseManifestDocuments } from '../../src/api/parse.js';
import { urlId } from '../../src/core/function-url.js';
import { KlambdaError } from '../../src/core/errors.js';
import { ManifestSnapshot } from '../../src/local/manifest-snapshot.js';
import { authorizeUrl, urlResourceArn } from '../../src/router/url/iam.js';
import { localUrlResolver, urlConfigOf } from '../../src/router/url/resolver.js';
import { urlRequestOf } from '../../src/router/url/routes.js';

const fn = (name: string, url = '') =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: nodejs20\n  handler: index.handler\n  code: {inline: {index.mjs: "x"}}\n${url}`;
const alias = (fnName: string, name: string, url = '') =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: ${fnName}-${name}}\nspec:\n  functionName: ${fnName}\n  name: ${name}\n  functionVersion: "$LATEST"\n${url}`;
const snapshot = (...docs: string[]): ManifestSnapshot => new ManifestSnapshot(
  parseManifestDocuments(docs.join('---\n'), 'f.yaml').map((d) => ({ object: d.object, file: '/f.yaml', source: d.source, document: d.document })));

it("finds a Function's URL ($LATEST) and an Alias's (its name), and nothing for one without spec.url", () => {
  let snap = snapshot(fn('web', '  url: {authType: NONE, cors: {allowOrigins: ["*"]}}\n'), fn('plain'), alias('web', 'live', '  url:\n    authType: AWS_IAM\n'), alias('web', 'dev'));
  const resolver = localUrlResolver({ snapshot: () => snap }, 'default');
  expect(resolver.resolve(urlId('default', 'web', '$LATEST'))).toEqual({
    namespace: 'default', functionName: 'web', qualifier: '$LATEST', config: expect.objectContaining({ authType: 'NONE', cors: { allowOrigins: ['*'] } }),
  });
  expect(resolver.resolve(urlId('default', 'web', 'live'))).toMatchObject({ functionName: 'web', qualifier: 'live', config: { authType: 'AWS_IAM' } });
  expect(resolver.resolve(urlId('default', 'web', 'dev'))).toBeUndefined();
  expect(resolver.resolve(urlId('default', 'plain', '$LATEST'))).toBeUndefined();
  expect(resolver.resolve('0'.repeat(32))).toBeUndefined();
  // a new snapshot (the folder reloaded) is read again
  snap = snapshot(fn('web'));
  expect(resolver.resolve(urlId('default', 'web', '$LATEST'))).toBeUndefined();
});

it('reads spec.url defensively: anything that is no UrlConfig is no URL', () => {
  expect(urlConfigOf(undefined)).toBeUndefined();
  expect(urlConfigOf({ authType: 'OPEN' })).toBeUndefined();
  expect(urlConfigOf('NONE')).toBeUndefined();
  expect(urlConfigOf({ authType: 'NONE', invokeMode: 'x', cors: { allowOrigins: 'a', maxAge: -1, allowCredentials: true } }))
    .toEqual({ authType: 'NONE', cors: { allowCredentials: true } });
});

it('names a URL by its Host (any port, any case) or by the /lambda-url/<id>/ path, with the path and query the function sees', () => {
  const id = urlId('default', 'web', '$LATEST');
  expect(urlRequestOf(`${id.toUpperCase()}.LAMBDA-URL.us-east-1.localhost:9000`, '/a/b?x=1')).toEqual({ id, rawPath: '/a/b', rawQueryString: 'x=1', byHost: true });
  expect(urlRequestOf('127.0.0.1:9000', `/lambda-url/${id}/a?x=1&x=2`)).toEqual({ id, rawPath: '/a', rawQueryString: 'x=1&x=2', byHost: false });
  expect(urlRequestOf('127.0.0.1:9000', `/lambda-url/${id}`)).toEqual({ id, rawPath: '/', rawQueryString: '', byHost: false });
  expect(urlRequestOf('127.0.0.1:9000', '/2015-03-31/functions/web/invocations')).toBeUndefined();
  expect(urlRequestOf('127.0.0.1:9000', '/lambda-url/short/')).toBeUndefined();
});

describe('an AWS_IAM URL', () => {
  const arn = { region: 'us-east-1', accountId: '000000000000' };
  const live = urlResourceArn(arn, { namespace: 'default', functionName: 'web', qualifier: 'live', config: { authType: 'AWS_IAM' } });
  const latest = urlResourceArn(arn, { namespace: 'default', functionName: 'web', qualifier: '$LATEST', config: { authType: 'AWS_IAM' } });
  const who = (policy?: object, accountId = '000000000000') => ({ namespace: 'default', accountId, userArn: `arn:aws:iam::${accountId}:user/u`, ...(policy ? { policy: policy as never } : {}) });
  const refusal = (f: () => void) => { try { f(); } catch (e) { return e as KlambdaError; } throw new Error('not refused'); };

  it("is authorized on the function's ARN, with the alias for an alias's URL", () => {
    expect(latest).toBe('arn:aws:lambda:us-east-1:000000000000:function:web');
    expect(live).toBe('arn:aws:lambda:us-east-1:000000000000:function:web:live');
  });

  it('lets a key without a policy in, and one whose policy allows lambda:InvokeFunctionUrl', () => {
    expect(() => authorizeUrl(who(), '000000000000', latest)).not.toThrow();
    expect(() => authorizeUrl(who({ Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunctionUrl'], Resource: ['arn:aws:lambda:*:*:function:web*'] }] }), '000000000000', live)).not.toThrow();
  });

  it('refuses another account, a policy without the action, and an explicit deny', () => {
    expect(refusal(() => authorizeUrl(who(undefined, '111122223333'), '000000000000', latest)).awsType).toBe('AccessDeniedException');
    const onlyInvoke = who({ Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] }] });
    expect(refusal(() => authorizeUrl(onlyInvoke, '000000000000', latest)).message).toMatch(/not authorized to perform: lambda:InvokeFunctionUrl on resource: arn:aws:lambda:us-east-1:000000000000:function:web because/);
    const denied = who({ Statement: [{ Effect: 'Allow', Action: ['lambda:*'], Resource: ['*'] }, { Effect: 'Deny', Action: ['lambda:InvokeFunctionUrl'], Resource: [live] }] });
    expect(refusal(() => authorizeUrl(denied, '000000000000', live)).message).toMatch(/explicit deny/);
    expect(() => authorizeUrl(denied, '000000000000', latest)).not.toThrow();
  });
});
