// A dotnet8 function in the local mode: an executable assembly whose Main runs AWS's Amazon.Lambda.RuntimeSupport
// (LambdaBootstrapBuilder), built with the dotnet SDK and run by the dotnet8 bootstrap (a port of AWS's bootstrap.net8.sh).
// Runs only where `dotnet` (an SDK, and NuGet reachable for the two packages) is installed; elsewhere it is skipped
// and says why, and e2e/local-runtime-availability.test.ts checks that dotnet8 is refused there instead.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { programOnPath } from '../src/core/runtime-probe.js';
import { decode, startFixture, type Fixture } from './helpers/local.js';

const hasDotnet = programOnPath('dotnet');
const describeDotnet = hasDotnet ? describe : describe.skip;

const PROGRAM = `using Amazon.Lambda.Core;
using Amazon.Lambda.RuntimeSupport;
using Amazon.Lambda.Serialization.SystemTextJson;

Func<Dictionary<string, string>, ILambdaContext, Dictionary<string, string>> handler = (input, context) =>
{
    if (input.TryGetValue("fail", out var why)) throw new InvalidOperationException(why);
    return new Dictionary<string, string>
    {
        ["hello"] = input.GetValueOrDefault("name", "world"),
        ["requestId"] = context.AwsRequestId,
        ["functionName"] = context.FunctionName,
    };
};
await LambdaBootstrapBuilder.Create(handler, new DefaultLambdaJsonSerializer()).Build().RunAsync();
`;

describeDotnet(hasDotnet ? 'dotnet8 in the local mode' : 'dotnet8 in the local mode (skipped: dotnet is not installed here)', () => {
  let f: Fixture;
  let build: string;

  beforeAll(async () => {
    build = mkdtempSync(join(tmpdir(), 'klambda-dotnet-'));
    const dotnet = (...args: string[]) => execFileSync('dotnet', args, { cwd: build, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: 'true', DOTNET_NOLOGO: 'true' } });
    dotnet('new', 'console', '--framework', 'net8.0', '--name', 'Greeter', '--output', '.');
    dotnet('add', 'package', 'Amazon.Lambda.RuntimeSupport');
    dotnet('add', 'package', 'Amazon.Lambda.Serialization.SystemTextJson');
    writeFileSync(join(build, 'Program.cs'), PROGRAM);
    dotnet('publish', '-c', 'Release', '--self-contained', 'false', '-o', join(build, 'out'));
    f = await startFixture({
      'greeter.yaml': `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: greeter}\nspec:\n  runtime: dotnet8\n  handler: Greeter\n  code: {path: ${join(build, 'out')}}\n`,
    });
  }, 600_000);
  afterAll(async () => {
    await f?.stop();
    if (build) rmSync(build, { recursive: true, force: true });
  });

  it('runs an executable assembly through Amazon.Lambda.RuntimeSupport with the request id and function name', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'greeter', Payload: Buffer.from('{"name":"ada"}') }));
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ hello: 'ada', requestId: out.$metadata.requestId, functionName: 'greeter' });
  }, 120_000);

  it('reports a thrown exception with its .NET type as errorType', async () => {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'greeter', Payload: Buffer.from('{"fail":"no stock"}') }));
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'InvalidOperationException', errorMessage: 'no stock' });
  }, 120_000);
});

if (!hasDotnet) {
  it('is skipped here: dotnet is not installed (no dotnet on PATH)', () => {
    expect(programOnPath('dotnet')).toBe(false);
  });
}
