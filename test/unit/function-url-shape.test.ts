// The Function URL calls' pure mapping: the API's body → spec.url (Lambda's checks and words), Update's merge, the
// qualifier a URL may have, the FunctionUrlConfig answered, the times annotation, the object a cluster write sends.
import {
  apiCors, createdUrl, functionUrl, updatedUrl, URL_TIMES_ANNOTATION, urlConfigInput, urlConfigView, urlQualifier, urlTimesAnnotation, urlTimesOf,
} from '../../src/router/lambda/function-urls-shape.js';
import { withUrl, type Holder } from '../../src/router/lambda/kube-urls.js';
import { urlId } from '../../src/core/function-url.js';

const refusal = (f: () => unknown): { awsType: string; message: string } => {
  try { f(); } catch (e) { return e as { awsType: string; message: string }; }
  throw new Error('expected a refusal');
};

describe('urlConfigInput', () => {
  it('reads AuthType, InvokeMode and Cors into the kind\'s names', () => {
    expect(urlConfigInput({
      AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM',
      Cors: { AllowCredentials: true, AllowHeaders: ['content-type'], AllowMethods: ['GET', '*'], AllowOrigins: ['https://a.example'], ExposeHeaders: ['x-id'], MaxAge: 0 },
    }, true)).toEqual({
      authType: 'AWS_IAM', invokeMode: 'RESPONSE_STREAM',
      cors: { allowCredentials: true, allowHeaders: ['content-type'], allowMethods: ['GET', '*'], allowOrigins: ['https://a.example'], exposeHeaders: ['x-id'], maxAge: 0 },
    });
  });

  it('takes an empty Cors as "no CORS settings" and a missing one as "unchanged"', () => {
    expect(urlConfigInput({ Cors: {} }, false)).toEqual({ cors: null });
    expect(urlConfigInput({}, false)).toEqual({});
  });

  it("needs AuthType on Create, in Lambda's words", () => {
    expect(refusal(() => urlConfigInput({}, true))).toEqual(expect.objectContaining({
      awsType: 'ValidationException', message: "1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null",
    }));
  });

  it('lists every broken constraint in one ValidationException', () => {
    const e = refusal(() => urlConfigInput({ AuthType: 'OPEN', InvokeMode: 'STREAM', Cors: { MaxAge: -1, AllowHeaders: Array.from({ length: 101 }, () => 'x') } }, true));
    expect(e.awsType).toBe('ValidationException');
    expect(e.message).toMatch(/^4 validation errors detected: Value 'OPEN' at 'authType' .*enum value set: \[NONE, AWS_IAM\]; Value 'STREAM' at 'invokeMode' .*\[BUFFERED, RESPONSE_STREAM\]; .*'cors.allowHeaders' .*less than or equal to 100; Value '-1' at 'cors.maxAge' .*greater than or equal to 0$/);
  });

  it('refuses a method Lambda does not take', () => {
    expect(refusal(() => urlConfigInput({ AuthType: 'NONE', Cors: { AllowMethods: ['TRACE'] } }, true)).awsType).toBe('InvalidParameterValueException');
    expect(refusal(() => urlConfigInput({ AuthType: 'NONE', Cors: { AllowMethods: ['OPTIONS'] } }, true)).message).toMatch(/length less than or equal to 6/);
  });
});

describe('Create and Update', () => {
  it('Create defaults InvokeMode to BUFFERED and keeps no empty Cors', () => {
    expect(createdUrl({ authType: 'NONE' })).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED' });
    expect(createdUrl({ authType: 'NONE', cors: null })).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED' });
  });

  it('Update changes what it is given; a Cors replaces the old one whole; null removes it', () => {
    const current = { authType: 'NONE' as const, invokeMode: 'BUFFERED' as const, cors: { allowOrigins: ['*'], maxAge: 10 } };
    expect(updatedUrl(current, { authType: 'AWS_IAM' })).toEqual({ ...current, authType: 'AWS_IAM' });
    expect(updatedUrl(current, { cors: { maxAge: 20 } })).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED', cors: { maxAge: 20 } });
    expect(updatedUrl(current, { cors: null })).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED' });
  });
});

describe('urlQualifier', () => {
  it('is undefined for $LATEST (none, or named) and the name for an alias', () => {
    expect(urlQualifier(undefined)).toBeUndefined();
    expect(urlQualifier('$LATEST')).toBeUndefined();
    expect(urlQualifier('live')).toBe('live');
  });

  it("refuses a version number (URLs are for $LATEST or an alias) as Lambda does", () => {
    expect(refusal(() => urlQualifier('3'))).toEqual(expect.objectContaining({
      awsType: 'ValidationException',
      message: "1 validation error detected: Value '3' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))",
    }));
    expect(refusal(() => urlQualifier('a b')).awsType).toBe('ValidationException');
  });
});

describe('the FunctionUrlConfig answered', () => {
  const arn = { region: 'eu-west-1', accountId: '123456789012' };
  const times = { creationTime: '2026-12-01T10:00:00.000Z', lastModifiedTime: '2026-12-02T11:00:00.000Z' };

  it("is the URL of the url-id, the (qualified) ARN, Lambda's timestamps and the PascalCase Cors", () => {
    const view = urlConfigView({ arn, namespace: 'shop', functionName: 'orders', qualifier: 'live' }, { domain: 'localhost', port: '9000' },
      { authType: 'NONE', cors: { allowOrigins: ['*'], allowCredentials: false } }, times);
    expect(view).toEqual({
      FunctionUrl: `http://${urlId('shop', 'orders', 'live')}.lambda-url.eu-west-1.localhost:9000/`,
      FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live',
      AuthType: 'NONE', Cors: { AllowOrigins: ['*'], AllowCredentials: false },
      CreationTime: '2026-12-01T10:00:00.000+0000', LastModifiedTime: '2026-12-02T11:00:00.000+0000', InvokeMode: 'BUFFERED',
    });
  });

  it("$LATEST's URL has the unqualified ARN and the url-id of $LATEST; no port, no ':'", () => {
    expect(functionUrl({ domain: 'example.dev' }, 'us-east-1', 'default', 'web', undefined)).toBe(`http://${urlId('default', 'web', '$LATEST')}.lambda-url.us-east-1.example.dev/`);
    expect(apiCors({})).toEqual({});
  });
});

describe('the times annotation', () => {
  it('Create starts both times; Update keeps the creation and moves the last change', () => {
    const created = JSON.parse(urlTimesAnnotation(undefined, new Date('2026-12-01T10:00:00Z'))) as Record<string, string>;
    expect(created).toEqual({ creationTime: '2026-12-01T10:00:00.000Z', lastModifiedTime: '2026-12-01T10:00:00.000Z' });
    const updated = urlTimesAnnotation(urlTimesOf({ [URL_TIMES_ANNOTATION]: JSON.stringify(created) }, 'x'), new Date('2026-12-03T10:00:00Z'));
    expect(JSON.parse(updated)).toEqual({ creationTime: '2026-12-01T10:00:00.000Z', lastModifiedTime: '2026-12-03T10:00:00.000Z' });
  });

  it('falls back to the given time for a url written by hand or a broken annotation', () => {
    expect(urlTimesOf(undefined, '2026-01-01T00:00:00Z')).toEqual({ creationTime: '2026-01-01T00:00:00Z', lastModifiedTime: '2026-01-01T00:00:00Z' });
    expect(urlTimesOf({ [URL_TIMES_ANNOTATION]: '{not json' }, '2026-01-01T00:00:00Z').creationTime).toBe('2026-01-01T00:00:00Z');
  });
});

describe('withUrl: the object a cluster write sends', () => {
  const holder: Holder = {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias',
    metadata: { name: 'web-live', namespace: 'default', resourceVersion: '42', annotations: { team: 'shop' } },
    spec: { functionName: 'web', name: 'live' },
  };

  it('sets spec.url and the times, keeping the resourceVersion read and the other annotations', () => {
    const out = withUrl(holder, { authType: 'NONE' }, '{"t":1}');
    expect(out.metadata).toEqual({ name: 'web-live', namespace: 'default', resourceVersion: '42', annotations: { team: 'shop', [URL_TIMES_ANNOTATION]: '{"t":1}' } });
    expect(out.spec).toEqual({ functionName: 'web', name: 'live', url: { authType: 'NONE' } });
  });

  it('removes both, and an annotations map left empty', () => {
    const withOnlyTimes = { ...holder, metadata: { ...holder.metadata, annotations: { [URL_TIMES_ANNOTATION]: '{}' } }, spec: { ...holder.spec, url: { authType: 'NONE' as const } } };
    const out = withUrl(withOnlyTimes, undefined, undefined);
    expect(out.spec).toEqual({ functionName: 'web', name: 'live' });
    expect(out.metadata).not.toHaveProperty('annotations');
  });
});
