// A runtime klambda does not know, or cannot run here (its program is not installed, or this klambda was told not to
// serve it), is refused when a function is created or loaded: AWS's errors from the Lambda API, a clear load error
// from the folder, never a crash at the first invoke.
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand, type Runtime } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/core/logger.js';
import { programOnPath } from '../src/core/runtime-probe.js';
import { startLocal } from '../src/local/dev.js';
import { makeZip } from '../test/helpers/zips.js';
import { decode, fn, startFixture, type Fixture } from './helpers/local.js';

const hasDotnet = programOnPath('dotnet');
const withoutDotnet = hasDotnet ? it.skip : it;

const node = fn('nodefn', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => "node";' });
const ruby = fn('rubyfn', 'ruby3', 'lambda_function.lambda_handler', { 'lambda_function.rb': 'def lambda_handler(event:, context:) = "ruby"' });
const dotnet = 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: dotnetfn}\nspec:\n  runtime: dotnet8\n  handler: Fn::Fn.Function::Handler\n  code: {inline: {"Fn.dll": "not really"}}\n';

/** What startLocal throws for a folder with these files (the message `klambda dev` prints), or undefined if it starts. */
async function startError(files: Record<string, string>, runtimes?: string[]): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-e2e-rt-'));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  try {
    const local = await startLocal({
      dir, port: 0, host: '127.0.0.1', idleTimeoutSeconds: 300, region: 'us-east-1', accountId: '000000000000',
      logger: silentLogger, keyPrefix: `e2e${Math.random().toString(36).slice(2, 10)}`, ...(runtimes ? { runtimes } : {}),
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    });
    await local.stop();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('loading a folder', () => {
  it('refuses a function of a runtime this klambda was told not to serve, naming the file, the field and why', async () => {
    const message = await startError({ 'node.yaml': node, 'ruby.yaml': ruby }, ['nodejs20', 'python3.11']);
    expect(message).toBe('ruby.yaml (document 1): spec.runtime: ruby3 cannot run here: this klambda does not serve ruby3 (its runtimes: nodejs20, python3.11)');
    expect(await startError({ 'node.yaml': node }, ['nodejs20'])).toBeUndefined();
  }, 60_000);

  withoutDotnet('refuses a dotnet8 function where dotnet is not installed, saying so (skipped where dotnet is installed)', async () => {
    const message = await startError({ 'dotnet.yaml': dotnet });
    expect(message).toContain('dotnet.yaml (document 1): spec.runtime: dotnet8 cannot run here: dotnet is not installed (no dotnet on PATH)');
  }, 60_000);
});

describe('the Lambda API', () => {
  let f: Fixture;
  let zip: Buffer;
  beforeAll(async () => {
    f = await startFixture({ 'node.yaml': node }, { runtimes: ['nodejs20', 'python3.11', 'provided', 'dotnet8'] });
    zip = await makeZip([{ name: 'index.mjs', data: Buffer.from('export const handler = async () => "zip";') }]);
  }, 60_000);
  afterAll(async () => { await f?.stop(); });

  const create = (name: string, runtime: string, Handler = 'index.handler') => f.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime as Runtime, Handler, Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: zip },
  }));
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      const e = err as Error & { $metadata: { httpStatusCode: number } };
      return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
    }
    throw new Error('expected a failure');
  };

  it('answers a runtime Lambda does not know with AWS\'s ValidationException and the names it takes', async () => {
    const e = await failure(create('unknownrt', 'cobol85'));
    expect(e).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(e.message).toMatch(/^1 validation error detected: Value 'cobol85' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[nodejs20\.x, .*ruby3\.2, ruby3\.3, ruby3\.4, dotnet8.*\]$/);
  });

  it('answers a runtime this klambda does not serve with InvalidParameterValueException at create and update, and creates nothing', async () => {
    expect(await failure(create('rubyoff', 'ruby3.3', 'lambda_function.lambda_handler'))).toEqual({
      name: 'InvalidParameterValueException', status: 400,
      message: 'The runtime parameter of ruby3.2 is not supported on this klambda: this klambda does not serve ruby3 (its runtimes: nodejs20, python3.11, provided, dotnet8)',
    });
    expect((await failure(f.lambda.send(new GetFunctionCommand({ FunctionName: 'rubyoff' })))).name).toBe('ResourceNotFoundException');
    expect(await failure(f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'nodefn', Runtime: 'ruby3.4' as Runtime, Handler: 'a.b' })))).toMatchObject({
      name: 'InvalidParameterValueException', message: expect.stringContaining('this klambda does not serve ruby3'),
    });
    // the function is untouched and still answers
    expect(decode((await f.lambda.send(new InvokeCommand({ FunctionName: 'nodefn' }))).Payload)).toBe('node');
  });

  withoutDotnet('answers dotnet8 with InvalidParameterValueException where dotnet is not installed (skipped where it is)', async () => {
    expect(await failure(create('dotnetoff', 'dotnet8', 'Fn::Fn.Function::Handler'))).toEqual({
      name: 'InvalidParameterValueException', status: 400,
      message: expect.stringMatching(/^The runtime parameter of dotnet8 is not supported on this klambda: dotnet is not installed \(no dotnet on PATH\)/),
    });
  });
});
