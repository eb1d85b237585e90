// The Lambda management calls of the local mode through the AWS SDK: functions, versions and aliases on the folder.
import {
  CreateAliasCommand, DeleteAliasCommand, GetAliasCommand, GetFunctionCommand, InvokeCommand, ListAliasesCommand,
  ListFunctionsCommand, ListVersionsByFunctionCommand, PublishVersionCommand, ResourceConflictException,
  ResourceNotFoundException, UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const versioned = (answer: string) => fn('versioned', 'nodejs20', 'index.handler', {
  'index.mjs': `export const handler = async (event, context) => ({ answer: '${answer}', version: context.functionVersion });`,
}, '  memoryMB: 256\n  timeoutSeconds: 5\n  description: a function with versions\n');

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ 'versioned.yaml': versioned('one'), 'other.yaml': fn('other', 'python3.11', 'app.handler', { 'app.py': 'def handler(e, c):\n    return 1' }) });
}, 60_000);
afterAll(async () => { await f?.stop(); });

const answer = async (FunctionName: string, Qualifier?: string) => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName, ...(Qualifier ? { Qualifier } : {}) }));
  return { ...(decode(out.Payload) as { answer: string; version: string }), executed: out.ExecutedVersion };
};

describe('functions', () => {
  it('lists the functions of the folder with their configuration', async () => {
    const out = await f.lambda.send(new ListFunctionsCommand({}));
    const names = (out.Functions ?? []).map((c) => c.FunctionName).sort();
    expect(names).toEqual(['other', 'versioned']);
    const v = out.Functions!.find((c) => c.FunctionName === 'versioned')!;
    expect(v).toMatchObject({ Runtime: 'nodejs20.x', Handler: 'index.handler', MemorySize: 256, Timeout: 5, Version: '$LATEST', Description: 'a function with versions', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned' });
  });

  it('pages ListFunctions with MaxItems and Marker', async () => {
    const first = await f.lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    expect(first.Functions).toHaveLength(1);
    expect(first.NextMarker).toBeDefined();
    const second = await f.lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: first.NextMarker }));
    expect(second.Functions).toHaveLength(1);
    expect(second.NextMarker).toBeUndefined();
    expect(second.Functions![0]!.FunctionName).not.toBe(first.Functions![0]!.FunctionName);
  });

  it('gets one function, and 404s an unknown one', async () => {
    const out = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'versioned' }));
    expect(out.Configuration).toMatchObject({ FunctionName: 'versioned', Version: '$LATEST' });
    expect(out.Configuration?.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    await expect(f.lambda.send(new GetFunctionCommand({ FunctionName: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('versions and aliases', () => {
  it('publishes version 1, keeps it when $LATEST changes, publishes 2, and never twice for the same code', async () => {
    const v1 = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned', Description: 'first' }));
    expect(v1).toMatchObject({ Version: '1', Description: 'first', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned:1' });
    expect(existsSync(join(f.dir, 'versioned.v1.functionversion.yaml'))).toBe(true);
    const again = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    expect(again.Version).toBe('1');

    f.write('versioned.yaml', versioned('two'));
    await waitFor(async () => ((await answer('versioned')).answer === 'two' ? true : undefined), 20_000, '$LATEST to pick up the new code');
    expect(await answer('versioned', '1')).toMatchObject({ answer: 'one', version: '1', executed: '1' });

    const v2 = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    expect(v2.Version).toBe('2');
    const list = await f.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'versioned' }));
    expect((list.Versions ?? []).map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
  }, 60_000);

  it('creates, reads, lists, updates and deletes aliases, routing invokes through them', async () => {
    const created = await f.lambda.send(new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '1', Description: 'prod traffic' }));
    expect(created).toMatchObject({ Name: 'live', FunctionVersion: '1', AliasArn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned:live' });
    expect(existsSync(join(f.dir, 'versioned.live.alias.yaml'))).toBe(true);
    await expect(f.lambda.send(new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '2' }))).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(f.lambda.send(new CreateAliasCommand({ FunctionName: 'versioned', Name: 'x', FunctionVersion: '9' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    expect(await answer('versioned', 'live')).toMatchObject({ answer: 'one', executed: '1' });
    expect(await answer('versioned:live')).toMatchObject({ answer: 'one', executed: '1' });

    await f.lambda.send(new UpdateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: '2' }));
    expect(await answer('versioned', 'live')).toMatchObject({ answer: 'two', executed: '2' });
    expect((await f.lambda.send(new GetAliasCommand({ FunctionName: 'versioned', Name: 'live' }))).FunctionVersion).toBe('2');

    const listed = await f.lambda.send(new ListAliasesCommand({ FunctionName: 'versioned' }));
    expect((listed.Aliases ?? []).map((a) => a.Name)).toEqual(['live']);

    await f.lambda.send(new DeleteAliasCommand({ FunctionName: 'versioned', Name: 'live' }));
    await expect(f.lambda.send(new GetAliasCommand({ FunctionName: 'versioned', Name: 'live' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(existsSync(join(f.dir, 'versioned.live.alias.yaml'))).toBe(false);
  }, 60_000);

  it('splits traffic by the alias routing weights', async () => {
    await f.lambda.send(new CreateAliasCommand({
      FunctionName: 'versioned', Name: 'canary', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
    }));
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const r = await answer('versioned', 'canary');
      seen.set(r.executed ?? '', (seen.get(r.executed ?? '') ?? 0) + 1);
    }
    expect(seen.get('1')).toBeGreaterThan(5);
    expect(seen.get('2')).toBeGreaterThan(5);
    expect(readFileSync(join(f.dir, 'versioned.canary.alias.yaml'), 'utf8')).toContain('additionalVersionWeights');
    await expect(f.lambda.send(new UpdateAliasCommand({ FunctionName: 'versioned', Name: 'canary', RoutingConfig: { AdditionalVersionWeights: { '2': 1.5 } } })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
  }, 60_000);
});
