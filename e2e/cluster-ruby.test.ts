// Ruby functions on a real control plane (pods on the process node: the agent from the klambda image, the function
// from the ruby3 image, Debian's Ruby): AWS's lambda_function.lambda_handler, a Module::Class.method handler, errors as
// AWS's Ruby runtime reports them, a timeout; and a runtime the cluster does not serve (--runtimes) is a Function
// whose Ready condition is False with reason InvalidRuntime, which the Lambda API shows as State Failed.
import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { spawnSync } from 'node:child_process';
import { decode, waitFor } from './helpers/local.js';
import { invokeReady, podDiagnostics, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';

const hasRuby = spawnSync('ruby', ['--version']).status === 0;
// Ruby is part of the development setup (.ci/run installs Debian's)
const describeRuby = hasRuby ? describe : describe.skip;

const api = '/apis/klambda.dev/v1alpha1/namespaces/default';
let k: KlambdaOnCluster;

const createFunction = (name: string, spec: Record<string, unknown>) =>
  k.cluster.admin.create(`${api}/functions`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name }, spec });

describeRuby('ruby3 on a cluster', () => {
  beforeAll(async () => {
    k = await startKlambdaOnCluster({ controllerArgs: ['--runtimes', 'nodejs20.x,python3.11,provided.al2023,ruby3.3'] });
  }, 45 * 60_000);
  afterAll(async () => {
    if (process.env.KLAMBDA_TEST_POD_LOGS && k) process.stderr.write(`${await podDiagnostics(k)}\n`);
    await k?.stop();
  });

  it('runs lambda_function.lambda_handler(event:, context:) with AWS\'s context object', async () => {
    await createFunction('rbdocs', {
      runtime: 'ruby3', handler: 'lambda_function.lambda_handler', timeoutSeconds: 1,
      code: {
        inline: {
          'lambda_function.rb': [
            'def lambda_handler(event:, context:)',
            "  raise ArgumentError, \"bad: #{event['fail']}\" if event['fail']",
            "  sleep 5 if event['slow']",
            "  { hello: event['name'], requestId: context.aws_request_id, functionName: context.function_name, arn: context.invoked_function_arn,",
            '    memory: context.memory_limit_in_mb, remaining: context.get_remaining_time_in_millis, env: ENV["AWS_EXECUTION_ENV"] }',
            'end',
          ].join('\n'),
        },
      },
    });
    const got = await invokeReady(k.lambda, 'rbdocs', { name: 'ada' });
    expect(got).toMatchObject({
      hello: 'ada', functionName: 'rbdocs', arn: 'arn:aws:lambda:us-east-1:000000000000:function:rbdocs', memory: '128', env: 'AWS_Lambda_ruby3.2',
    });
    expect(got.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.remaining).toBeGreaterThan(0);
  }, 300_000);

  it('reports a raised error as Function<ArgumentError>, and a slow call as AWS\'s timeout', async () => {
    const failed = await k.lambda.send(new InvokeCommand({ FunctionName: 'rbdocs', Payload: Buffer.from('{"fail":"x"}') }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(decode(failed.Payload)).toMatchObject({ errorType: 'Function<ArgumentError>', errorMessage: 'bad: x' });
    const slow = await k.lambda.send(new InvokeCommand({ FunctionName: 'rbdocs', Payload: Buffer.from('{"slow":true}') }));
    expect(slow.FunctionError).toBe('Unhandled');
    expect((decode(slow.Payload) as { errorMessage: string }).errorMessage).toContain('Task timed out after 1.00 seconds');
    // the next call is served by a fresh runtime
    expect(await invokeReady(k.lambda, 'rbdocs', { name: 'again' })).toMatchObject({ hello: 'again' });
  }, 300_000);

  it('runs a file.Module::Class.method handler', async () => {
    await createFunction('rbclass', {
      runtime: 'ruby3', handler: 'shop/orders.Shop::Orders.place',
      code: { inline: { 'shop/orders.rb': "module Shop\n  class Orders\n    def self.place(event:, context:)\n      { placed: event['item'], by: context.function_name }\n    end\n  end\nend" } },
    });
    expect(await invokeReady(k.lambda, 'rbclass', { item: 'tea' })).toEqual({ placed: 'tea', by: 'rbclass' });
  }, 300_000);

  it('does not deploy a Function of a runtime the cluster does not serve: Ready False, InvalidRuntime; State Failed', async () => {
    await createFunction('dotnetfn', { runtime: 'dotnet8', handler: 'Fn::Fn.Function::Handler', code: { inline: { 'Fn.deps.json': '{}' } } });
    type Status = { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } };
    const ready = await waitFor(async () => (await k.cluster.admin.get<Status>(`${api}/functions/dotnetfn`)).status?.conditions?.find((c) => c.type === 'Ready'), 60_000, 'the Ready condition');
    expect(ready).toMatchObject({
      status: 'False', reason: 'InvalidRuntime',
      message: 'dotnet8 cannot run here: this klambda does not serve dotnet8 (its runtimes: nodejs20, python3.11, provided, ruby3)',
    });
    const got = await k.lambda.send(new GetFunctionCommand({ FunctionName: 'dotnetfn' }));
    expect(got.Configuration).toMatchObject({ Runtime: 'dotnet8', State: 'Failed', StateReasonCode: 'InvalidRuntime', StateReason: ready!.message });
    const deployments = await k.cluster.admin.get<{ items: Array<{ metadata: { name: string } }> }>('/apis/apps/v1/namespaces/default/deployments');
    expect(deployments.items.map((d) => d.metadata.name).filter((n) => n.includes('dotnetfn'))).toEqual([]);
  }, 120_000);
});
