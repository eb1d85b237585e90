// The per-key IAM-style policy (pure): parsing, wildcards, explicit Deny first, and the route → action map.
import { evaluate, isAllowed, parsePolicy, PolicyError, wildcardMatch } from '../../src/core/iam-policy.js';
import { isCodeUpload, lambdaAction, namesResourceInBody } from '../../src/core/lambda-actions.js';
import { accountIdFor, derivedAccountId } from '../../src/core/accounts.js';

const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

describe('parsePolicy', () => {
  it('reads IAM JSON: one statement or a list, Action and Resource as a string or a list', () => {
    expect(parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}}')).toEqual({
      Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] }],
    });
    expect(parsePolicy({ Statement: [{ Sid: 'a', Effect: 'Deny', Action: ['lambda:Get*', 'lambda:List*'], Resource: [fn('x'), fn('y*')] }]}).Statement[0])
      .toEqual({ Sid: 'a', Effect: 'Deny', Action: ['lambda:Get*', 'lambda:List*'], Resource: [fn('x'), fn('y*')] });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['no statement', '{"Statement":[]}', /at least one Statement/],
    ['a Condition it would ignore', '{"Statement":{"Effect":"Allow","Action":"lambda:*","Resource":"*","Condition":{}}}', /Statement\[0\]\.Condition is not supported/],
    ['NotAction', '{"Statement":{"Effect":"Allow","NotAction":"lambda:*","Resource":"*"}}', /NotAction is not supported/],
    ['a bad Effect', '{"Statement":{"Effect":"allow","Action":"lambda:*","Resource":"*"}}', /Effect must be "Allow" or "Deny"/],
    ['an action without a service', '{"Statement":{"Effect":"Allow","Action":"InvokeFunction","Resource":"*"}}', /is not service:Action/],
    ['an empty resource list', '{"Statement":{"Effect":"Allow","Action":"lambda:*","Resource":[]}}', /Resource must be a non-empty/],
    ['an unknown version', '{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"lambda:*","Resource":"*"}}', /Version must be/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parsePolicy(text)).toThrow(PolicyError);
    expect(() => parsePolicy(text)).toThrow(message);
  });
});

describe('wildcards', () => {
  it('* is any run (also none), ? exactly one character; other characters are literal', () => {
    expect(wildcardMatch('lambda:Get*', 'lambda:GetFunction')).toBe(true);
    expect(wildcardMatch('lambda:Get*', 'lambda:Get')).toBe(true);
    expect(wildcardMatch('lambda:Get*', 'lambda:ListFunctions')).toBe(false);
    expect(wildcardMatch(fn('hello?'), fn('hello1'))).toBe(true);
    expect(wildcardMatch(fn('hello?'), fn('hello'))).toBe(false);
    expect(wildcardMatch(fn('a.b'), fn('aXb'))).toBe(false);
    expect(wildcardMatch(fn('hello'), fn('hello:live'))).toBe(false);
    expect(wildcardMatch(fn('hello*'), fn('hello:live'))).toBe(true);
  });

  it('actions match case-insensitively, resources case-sensitively (as IAM does)', () => {
    const p = parsePolicy({ Statement: { Effect: 'Allow', Action: 'LAMBDA:invokefunction', Resource: fn('Hello') } });
    expect(evaluate(p, 'lambda:InvokeFunction', fn('Hello'))).toBe('Allow');
    expect(evaluate(p, 'lambda:InvokeFunction', fn('hello'))).toBe('ImplicitDeny');
  });
});

describe('evaluate', () => {
  const policy = parsePolicy({
    Statement: [
      { Effect: 'Allow', Action: 'lambda:*', Resource: '*' },
      { Effect: 'Deny', Action: ['lambda:CreateAlias', 'lambda:UpdateAlias', 'lambda:DeleteAlias'], Resource: fn('prod-*') },
    ],
  });

  it('an explicit Deny wins over any Allow', () => {
    expect(evaluate(policy, 'lambda:UpdateAlias', fn('prod-api'))).toBe('ExplicitDeny');
    expect(evaluate(policy, 'lambda:UpdateAlias', fn('dev-api'))).toBe('Allow');
    expect(evaluate(policy, 'lambda:InvokeFunction', fn('prod-api'))).toBe('Allow');
  });

  it('nothing allowed is an implicit deny; no policy at all allows everything', () => {
    const invokeOnly = parsePolicy({ Statement: { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fn('hello*') } });
    expect(evaluate(invokeOnly, 'lambda:GetFunction', fn('hello'))).toBe('ImplicitDeny');
    expect(evaluate(invokeOnly, 'lambda:InvokeFunction', fn('hello:live'))).toBe('Allow');
    expect(isAllowed(invokeOnly, 'lambda:ListFunctions', '*')).toBe(false);
    expect(isAllowed(undefined, 'lambda:DeleteAlias', fn('anything'))).toBe(true);
  });
});

describe('lambdaAction: every route of the router, its action and resource', () => {
  const ctx = { region: 'us-east-1', accountId: '000000000000' };
  const arn = encodeURIComponent;
  it.each([
    ['POST', '/2015-03-31/functions/hello/invocations', 'lambda:InvokeFunction', fn('hello')],
    ['POST', '/2015-03-31/functions/hello%3Alive/invocations', 'lambda:InvokeFunction', fn('hello:live')],
    ['POST', '/2015-03-31/functions/hello/invocations?Qualifier=%24LATEST', 'lambda:InvokeFunction', fn('hello:$LATEST')],
    ['POST', `/2015-03-31/functions/${arn(fn('hello:2'))}/invocations`, 'lambda:InvokeFunction', fn('hello:2')],
    ['GET', '/2015-03-31/functions/', 'lambda:ListFunctions', '*'],
    ['GET', '/2015-03-31/functions?MaxItems=2', 'lambda:ListFunctions', '*'],
    ['GET', '/2015-03-31/functions/hello?Qualifier=1', 'lambda:GetFunction', fn('hello:1')],
    ['GET', '/2015-03-31/functions/hello/configuration', 'lambda:GetFunctionConfiguration', fn('hello')],
    ['POST', '/2015-03-31/functions/hello/versions', 'lambda:PublishVersion', fn('hello')],
    ['GET', '/2015-03-31/functions/hello/versions', 'lambda:ListVersionsByFunction', fn('hello')],
    ['POST', '/2015-03-31/functions/hello/aliases', 'lambda:CreateAlias', fn('hello')],
    ['GET', '/2015-03-31/functions/hello/aliases?FunctionVersion=1', 'lambda:ListAliases', fn('hello')],
    ['GET', '/2015-03-31/functions/hello/aliases/live', 'lambda:GetAlias', fn('hello')],
    ['PUT', '/2015-03-31/functions/hello/aliases/live', 'lambda:UpdateAlias', fn('hello')],
    ['DELETE', '/2015-03-31/functions/hello/aliases/live/', 'lambda:DeleteAlias', fn('hello')],
    ['POST', '/2015-03-31/FUNCTIONS/hello/Invocations', 'lambda:InvokeFunction', fn('hello')],
    ['PUT', '/2019-09-25/functions/hello/event-invoke-config', 'lambda:PutFunctionEventInvokeConfig', fn('hello')],
    ['PUT', '/2019-09-25/functions/hello/event-invoke-config?Qualifier=live', 'lambda:PutFunctionEventInvokeConfig', fn('hello:live')],
    ['POST', '/2019-09-25/functions/hello%3Alive/event-invoke-config', 'lambda:UpdateFunctionEventInvokeConfig', fn('hello:live')],
    ['GET', '/2019-09-25/functions/hello/event-invoke-config?Qualifier=1', 'lambda:GetFunctionEventInvokeConfig', fn('hello:1')],
    ['DELETE', '/2019-09-25/functions/hello/event-invoke-config', 'lambda:DeleteFunctionEventInvokeConfig', fn('hello')],
    ['GET', '/2019-09-25/functions/hello/event-invoke-config/list?MaxItems=1', 'lambda:ListFunctionEventInvokeConfigs', fn('hello')],
  ])('%s %s → %s on %s', (method, url, action, resource) => {
    expect(lambdaAction(method, url, ctx)).toMatchObject({ action, resource });
  });

  it('reports the account an ARN names, so another account is refused before any handler runs', () => {
    expect(lambdaAction('POST', `/2015-03-31/functions/${arn('arn:aws:lambda:us-east-1:111111111111:function:hello')}/invocations`, ctx))
      .toEqual({ action: 'lambda:InvokeFunction', resource: 'arn:aws:lambda:us-east-1:111111111111:function:hello', account: '111111111111' });
    expect(lambdaAction('GET', `/2015-03-31/functions/${arn('111111111111:function:hello')}/aliases`, ctx))
      .toEqual({ action: 'lambda:ListAliases', resource: 'arn:aws:lambda:us-east-1:111111111111:function:hello', account: '111111111111' });
  });

  it('maps the calls that write functions, the tag calls and GetAccountSettings', () => {
    const fnArn = 'arn:aws:lambda:us-east-1:000000000000:function:hello';
    // CreateFunction's function is in its body: its ARN once the body is parsed, "*" without a name
    expect(lambdaAction('POST', '/2015-03-31/functions', ctx)).toEqual({ action: 'lambda:CreateFunction', resource: '*' });
    expect(lambdaAction('POST', '/2015-03-31/functions', ctx, { FunctionName: 'hello', Tags: { FunctionName: 'other' } })).toEqual({ action: 'lambda:CreateFunction', resource: fnArn });
    expect(lambdaAction('POST', '/2015-03-31/functions', ctx, { FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:x' }))
      .toEqual({ action: 'lambda:CreateFunction', resource: 'arn:aws:lambda:us-east-1:111111111111:function:x', account: '111111111111' });
    expect(lambdaAction('POST', '/2015-03-31/functions', ctx, { FunctionName: 7 })).toEqual({ action: 'lambda:CreateFunction', resource: '*' });
    expect(namesResourceInBody('POST', '/2015-03-31/functions')).toBe(true);
    expect(namesResourceInBody('POST', '/2015-03-31/functions/hello/invocations')).toBe(false);
    expect(namesResourceInBody('GET', '/2015-03-31/functions')).toBe(false);
    expect(lambdaAction('PUT', '/2015-03-31/functions/hello/code', ctx)).toEqual({ action: 'lambda:UpdateFunctionCode', resource: fnArn });
    expect(lambdaAction('PUT', '/2015-03-31/functions/hello/configuration', ctx)).toEqual({ action: 'lambda:UpdateFunctionConfiguration', resource: fnArn });
    expect(lambdaAction('DELETE', '/2015-03-31/functions/hello?Qualifier=2', ctx)).toEqual({ action: 'lambda:DeleteFunction', resource: `${fnArn}:2` });
    expect(lambdaAction('POST', `/2017-03-31/tags/${encodeURIComponent(fnArn)}`, ctx)).toEqual({ action: 'lambda:TagResource', resource: fnArn, account: '000000000000' });
    expect(lambdaAction('GET', '/2016-08-19/account-settings', ctx)).toEqual({ action: 'lambda:GetAccountSettings', resource: '*' });
  });

  it('maps the layer calls: Publish on the layer, Get/Delete on the version (ByArn: its Arn), the lists on *', () => {
    const layer = 'arn:aws:lambda:us-east-1:000000000000:layer:shared';
    expect(lambdaAction('POST', '/2018-10-31/layers/shared/versions', ctx)).toEqual({ action: 'lambda:PublishLayerVersion', resource: layer });
    expect(lambdaAction('GET', '/2018-10-31/layers/shared/versions', ctx)).toEqual({ action: 'lambda:ListLayerVersions', resource: '*' });
    expect(lambdaAction('GET', '/2018-10-31/layers/shared/versions/3', ctx)).toEqual({ action: 'lambda:GetLayerVersion', resource: `${layer}:3` });
    expect(lambdaAction('DELETE', '/2018-10-31/layers/shared/versions/3', ctx)).toEqual({ action: 'lambda:DeleteLayerVersion', resource: `${layer}:3` });
    expect(lambdaAction('GET', '/2018-10-31/layers?CompatibleRuntime=python3.11', ctx)).toEqual({ action: 'lambda:ListLayers', resource: '*' });
    expect(lambdaAction('GET', `/2018-10-31/layers?find=LayerVersion&Arn=${encodeURIComponent(`${layer}:3`)}`, ctx)).toEqual({ action: 'lambda:GetLayerVersion', resource: `${layer}:3`, account: '000000000000' });
    const other = 'arn:aws:lambda:us-east-1:111111111111:layer:shared';
    expect(lambdaAction('GET', `/2018-10-31/layers/${encodeURIComponent(other)}/versions/1`, ctx)).toEqual({ action: 'lambda:GetLayerVersion', resource: `${other}:1`, account: '111111111111' });
    expect(lambdaAction('PUT', '/2018-10-31/layers/shared/versions/3', ctx)).toBeUndefined();
    expect(lambdaAction('POST', '/2018-10-31/layers', ctx)).toBeUndefined();
    expect(isCodeUpload('POST', '/2018-10-31/layers/shared/versions')).toBe(true);
    expect(isCodeUpload('GET', '/2018-10-31/layers/shared/versions')).toBe(false);
  });

  it('anything else is no Lambda action', () => {
    expect(lambdaAction('PATCH', '/2015-03-31/functions/hello', ctx)).toBeUndefined();
    expect(lambdaAction('DELETE', '/2015-03-31/functions', ctx)).toBeUndefined();
    expect(lambdaAction('PUT', '/2016-08-19/account-settings', ctx)).toBeUndefined();
    expect(lambdaAction('GET', '/2015-03-31/functions/hello/other', ctx)).toBeUndefined();
    expect(lambdaAction('GET', '/healthz', ctx)).toBeUndefined();
    // each API version has its own routes
    expect(lambdaAction('GET', '/2019-09-25/functions/', ctx)).toBeUndefined();
    expect(lambdaAction('POST', '/2019-09-25/functions/hello/invocations', ctx)).toBeUndefined();
    expect(lambdaAction('PUT', '/2015-03-31/functions/hello/event-invoke-config', ctx)).toBeUndefined();
    expect(lambdaAction('PUT', '/2019-09-25/functions/hello/event-invoke-config/list', ctx)).toBeUndefined();
  });
});

describe('account ids per namespace', () => {
  it('the annotation wins; default keeps the configured id; any other namespace gets a stable 12-digit id of its own', () => {
    expect(accountIdFor('team-a', { 'klambda.dev/account-id': '123456789012' })).toBe('123456789012');
    expect(accountIdFor('team-a', { 'klambda.dev/account-id': 'nope' })).toBe(derivedAccountId('team-a'));
    expect(accountIdFor('default', undefined)).toBe('000000000000');
    expect(accountIdFor('default', undefined, '999999999999')).toBe('999999999999');
    expect(derivedAccountId('team-a')).toMatch(/^\d{12}$/);
    expect(derivedAccountId('team-a')).toBe(derivedAccountId('team-a'));
    expect(derivedAccountId('team-a')).not.toBe(derivedAccountId('team-b'));
  });
});
