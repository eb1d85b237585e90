// The Function URL config calls of the local mode, through the AWS SDK and the AWS CLI v1: spec.url (and its times)
// written into the Function's and Alias's manifests, Lambda's answers and refusals.
import {
  CreateAliasCommand, CreateFunctionUrlConfigCommand, DeleteFunctionUrlConfigCommand, GetFunctionUrlConfigCommand,
  LambdaServiceException, ListFunctionUrlConfigsCommand, PublishVersionCommand, ResourceConflictException,
  ResourceNotFoundException, UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { urlId } from '../src/core/function-url.js';
import { awsCli } from './helpers/aws-cli.js';
import { fn, startFixture, type Fixture } from './helpers/local.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';
const code = { 'index.mjs': 'export const handler = async () => ({ statusCode: 200, body: "hi" });' };
// a comment the calls must leave in place
const web = `# the web front\n${fn('web', 'nodejs20', 'index.handler', code)}`;

let f: Fixture;
let port: string;
beforeAll(async () => {
  f = await startFixture({ 'web.yaml': web, 'cli.yaml': fn('cli', 'nodejs20', 'index.handler', code) });
  port = new URL(f.local.url).port;
}, 60_000);
afterAll(async () => { await f?.stop(); });

interface Doc { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> }
/** The documents of a manifest file as they are on disk now. */
const onDisk = (file: string): Doc[] => parseAllDocuments(readFileSync(join(f.dir, file), 'utf8')).map((d) => d.toJS() as Doc);
const failure = (p: Promise<unknown>): Promise<LambdaServiceException> => p.then(
  () => { throw new Error('expected the call to be refused'); },
  (e: unknown) => { if (e instanceof LambdaServiceException) return e; throw e; },
);
const urlOf = (name: string, qualifier: string) => `http://${urlId('default', name, qualifier)}.lambda-url.us-east-1.localhost:${port}/`;

describe("$LATEST's URL: the Function manifest", () => {
  it('has none until one is created: Get, Update and Delete answer 404 in Lambda words, List is empty', async () => {
    for (const command of [
      new GetFunctionUrlConfigCommand({ FunctionName: 'web' }),
      new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', AuthType: 'NONE' }),
      new DeleteFunctionUrlConfigCommand({ FunctionName: 'web' }),
    ]) {
      const e = await failure(f.lambda.send(command as GetFunctionUrlConfigCommand));
      expect(e).toBeInstanceOf(ResourceNotFoundException);
      expect(e.message).toBe('The resource you requested does not exist.');
      expect(e.$metadata.httpStatusCode).toBe(404);
    }
    expect((await f.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web' }))).FunctionUrlConfigs).toEqual([]);
  });

  it('Create writes spec.url and its times into the manifest and answers the URL (201, no LastModifiedTime)', async () => {
    const before = Date.now();
    const out = await f.lambda.send(new CreateFunctionUrlConfigCommand({
      FunctionName: 'web', AuthType: 'NONE', Cors: { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET', 'POST'], MaxAge: 300 },
    }));
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out).toMatchObject({
      FunctionUrl: urlOf('web', '$LATEST'), FunctionArn: `${ARN}:web`, AuthType: 'NONE', InvokeMode: 'BUFFERED',
      Cors: { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET', 'POST'], MaxAge: 300 },
    });
    expect(out).not.toHaveProperty('LastModifiedTime');
    expect(Date.parse(out.CreationTime!.replace('+0000', 'Z'))).toBeGreaterThan(before - 2000);
    const [doc] = onDisk('web.yaml');
    expect(doc!.spec.url).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED', cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], maxAge: 300 } });
    expect(JSON.parse(doc!.metadata.annotations!['klambda.dev/url-times']!)).toMatchObject({ creationTime: expect.any(String), lastModifiedTime: expect.any(String) });
    expect(readFileSync(join(f.dir, 'web.yaml'), 'utf8')).toContain('# the web front');
  });

  it('Create again is a ResourceConflictException naming the function', async () => {
    const e = await failure(f.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', AuthType: 'AWS_IAM' })));
    expect(e).toBeInstanceOf(ResourceConflictException);
    expect(e.$metadata.httpStatusCode).toBe(409);
    expect(e.message).toBe(`Failed to create function url config for [functionArn = ${ARN}:web]. Error message:  FunctionUrlConfig exists for this Lambda function`);
  });

  it('Update changes only what it is given; an empty Cors removes the CORS settings; Get reads it back', async () => {
    const created = await f.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web' }));
    const out = await f.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' }));
    expect(out).toMatchObject({ AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM', Cors: { AllowOrigins: ['https://app.example.com'] }, CreationTime: created.CreationTime });
    expect(out.LastModifiedTime).toBeDefined();
    expect(onDisk('web.yaml')[0]!.spec.url).toMatchObject({ authType: 'AWS_IAM', invokeMode: 'RESPONSE_STREAM' });

    const cleared = await f.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', Cors: {} }));
    expect(cleared.Cors).toBeUndefined();
    expect(onDisk('web.yaml')[0]!.spec.url).toEqual({ authType: 'AWS_IAM', invokeMode: 'RESPONSE_STREAM' });
    const got = await f.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: `${ARN}:web` }));
    expect(got).toMatchObject({ FunctionUrl: urlOf('web', '$LATEST'), AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM', CreationTime: created.CreationTime });
  });

  it("refuses bad input in Lambda's words, and writes nothing", async () => {
    const before = readFileSync(join(f.dir, 'web.yaml'), 'utf8');
    const maxAge = await failure(f.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', Cors: { MaxAge: 86401 } })));
    expect(maxAge.name).toBe('ValidationException');
    expect(maxAge.message).toBe("1 validation error detected: Value '86401' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400");
    const origins = await failure(f.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', Cors: { AllowOrigins: Array.from({ length: 101 }, (_, i) => `https://o${i}.example.com`) } })));
    expect(origins.message).toMatch(/at 'cors.allowOrigins' failed to satisfy constraint: Member must have length less than or equal to 100$/);
    const method = await failure(f.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', Cors: { AllowMethods: ['TRACE'] } })));
    expect(method.name).toBe('InvalidParameterValueException');
    const auth = await failure(f.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'cli', AuthType: 'OPEN' as 'NONE' })));
    expect(auth.message).toBe("1 validation error detected: Value 'OPEN' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]");
    const header = await failure(f.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'web', Cors: { AllowHeaders: ['X-Ok\r\nSet-Cookie: a=b'] } })));
    expect(header.name).toBe('InvalidParameterValueException');
    expect(header.message).toMatch(/allowHeaders/);
    expect(readFileSync(join(f.dir, 'web.yaml'), 'utf8')).toBe(before);
  });

  it('answers malformed calls with an AWS error, never a crash: bad JSON, wrong types, a qualifier given twice', async () => {
    const call = async (method: string, path: string, body?: string) => {
      const res = await fetch(`${f.local.url}/2021-10-31/functions/${path}`, { method, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
      return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: await res.text() };
    };
    expect(await call('POST', 'cli/url', '{not json')).toMatchObject({ status: 400, type: expect.stringMatching(/^InvalidRequestContentException/) });
    expect(await call('POST', 'cli/url', '[1]')).toMatchObject({ status: 400 });
    expect(await call('POST', 'cli/url', JSON.stringify({ AuthType: 'NONE', Cors: 'all' }))).toMatchObject({ status: 400, type: expect.stringMatching(/^ValidationException/) });
    expect(await call('POST', 'cli/url', JSON.stringify({ AuthType: 'NONE', Cors: { AllowHeaders: [1], AllowCredentials: 'yes', MaxAge: 1.5 } })))
      .toMatchObject({ status: 400, type: expect.stringMatching(/^ValidationException/), body: expect.stringContaining('3 validation errors detected') });
    expect(await call('GET', 'cli/url?Qualifier=a&Qualifier=b')).toMatchObject({ status: 400 });
    // another account's function: refused as AWS refuses it, naming the action
    expect(await call('GET', `${encodeURIComponent('arn:aws:lambda:us-east-1:111111111111:function:cli')}/url`))
      .toMatchObject({ status: 403, type: 'AccessDeniedException', body: expect.stringContaining('lambda:GetFunctionUrlConfig on resource: arn:aws:lambda:us-east-1:111111111111:function:cli') });
    expect(onDisk('cli.yaml')[0]!.spec.url).toBeUndefined();
    // the server still answers
    expect((await f.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'cli' }))).FunctionUrlConfigs).toEqual([]);
  });

  it('a missing function: Create and List say "Function does not exist", Get says the resource does not exist', async () => {
    for (const p of [f.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'nope', AuthType: 'NONE' })), f.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'nope' }))]) {
      const e = await failure(p);
      expect(e).toBeInstanceOf(ResourceNotFoundException);
      expect(e.message).toBe('Function does not exist');
    }
    expect((await failure(f.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'nope' })))).message).toBe('The resource you requested does not exist.');
  });
});

describe("an alias's URL: the Alias manifest", () => {
  it('Create with the alias as Qualifier writes the alias document; the FunctionArn is qualified; a version number is refused', async () => {
    await f.lambda.send(new PublishVersionCommand({ FunctionName: 'web' }));
    await f.lambda.send(new CreateAliasCommand({ FunctionName: 'web', Name: 'live', FunctionVersion: '1' }));
    const out = await f.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live', AuthType: 'NONE' }));
    expect(out).toMatchObject({ FunctionUrl: urlOf('web', 'live'), FunctionArn: `${ARN}:web:live`, AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    expect(out.FunctionUrl).not.toBe(urlOf('web', '$LATEST'));
    expect(onDisk('web.live.alias.yaml')[0]!.spec.url).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED' });
    // the published version snapshots no URL
    expect(readFileSync(join(f.dir, 'web.v1.functionversion.yaml'), 'utf8')).not.toMatch(/\burl:/);

    const version = await failure(f.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: '1' })));
    expect(version.name).toBe('ValidationException');
    expect(version.message).toMatch(/^1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint/);
    const noAlias = await failure(f.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'gone', AuthType: 'NONE' })));
    expect(noAlias.message).toBe('Function does not exist');
  });

  it("List shows $LATEST's and each alias's, a page at a time", async () => {
    const first = await f.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web', MaxItems: 1 }));
    expect(first.FunctionUrlConfigs!.map((u) => u.FunctionArn)).toEqual([`${ARN}:web`]);
    expect(first.NextMarker).toBeDefined();
    const second = await f.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web', MaxItems: 1, Marker: first.NextMarker }));
    expect(second.FunctionUrlConfigs!.map((u) => [u.FunctionArn, u.FunctionUrl])).toEqual([[`${ARN}:web:live`, urlOf('web', 'live')]]);
    expect(second.NextMarker).toBeUndefined();
  });

  it("Delete removes the url and its times from the alias's document, and the URL is gone", async () => {
    await f.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'web:live' }));
    const [doc] = onDisk('web.live.alias.yaml');
    expect(doc!.spec.url).toBeUndefined();
    expect(doc!.metadata.annotations?.['klambda.dev/url-times']).toBeUndefined();
    expect((await failure(f.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web', Qualifier: 'live' })))).message).toBe('The resource you requested does not exist.');
    expect((await f.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'web' }))).FunctionUrlConfigs!.map((u) => u.FunctionArn)).toEqual([`${ARN}:web`]);
  });
});

describe('the AWS CLI v1', () => {
  const aws = (...args: string[]) => awsCli('lambda', f.local.url, { accessKeyId: 'test', secretAccessKey: 'test' }, 60_000)(...args);

  it('create-, get-, update-, list- and delete-function-url-config', async () => {
    const created = JSON.parse(await aws('create-function-url-config', '--function-name', 'cli', '--auth-type', 'NONE',
      '--cors', 'AllowOrigins=http://localhost:3000,AllowCredentials=true')) as Record<string, unknown>;
    expect(created).toMatchObject({ FunctionUrl: urlOf('cli', '$LATEST'), FunctionArn: `${ARN}:cli`, AuthType: 'NONE', Cors: { AllowOrigins: ['http://localhost:3000'], AllowCredentials: true } });
    expect(onDisk('cli.yaml')[0]!.spec.url).toEqual({ authType: 'NONE', invokeMode: 'BUFFERED', cors: { allowOrigins: ['http://localhost:3000'], allowCredentials: true } });
    // the URL created is served at once (no DNS needed: the /lambda-url/<url-id>/ path)
    const served = await fetch(`${f.local.url}/lambda-url/${urlId('default', 'cli', '$LATEST')}/`);
    expect([served.status, await served.text()]).toEqual([200, 'hi']);
    expect(JSON.parse(await aws('get-function-url-config', '--function-name', 'cli'))).toMatchObject({ FunctionUrl: created.FunctionUrl, LastModifiedTime: expect.any(String) });
    expect(JSON.parse(await aws('update-function-url-config', '--function-name', 'cli', '--auth-type', 'AWS_IAM'))).toMatchObject({ AuthType: 'AWS_IAM', Cors: { AllowCredentials: true } });
    const listed = JSON.parse(await aws('list-function-url-configs', '--function-name', 'cli')) as { FunctionUrlConfigs: Array<{ AuthType: string }> };
    expect(listed.FunctionUrlConfigs.map((u) => u.AuthType)).toEqual(['AWS_IAM']);
    await expect(aws('create-function-url-config', '--function-name', 'cli', '--auth-type', 'NONE')).rejects.toThrow(/ResourceConflictException.*FunctionUrlConfig exists/);
    await aws('delete-function-url-config', '--function-name', 'cli');
    expect(onDisk('cli.yaml')[0]!.spec.url).toBeUndefined();
    await expect(aws('get-function-url-config', '--function-name', 'cli')).rejects.toThrow(/ResourceNotFoundException/);
  }, 120_000);
});
