// Ruby functions in the local mode, written as AWS's docs show them (`def lambda_handler(event:, context:)`), through the
// official AWS SDK: the context object, Module::Class.method handlers, errors and init errors as AWS's Ruby runtime
// reports them, timeouts, the REPORT line, and CreateFunction with Lambda's Ruby names.
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { spawnSync } from 'node:child_process';
import { makeZip } from '../test/helpers/zips.js';
import { decode, fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const hasRuby = spawnSync('ruby', ['--version']).status === 0;
/** Ruby's gem folder name (3.1.0 for Debian 12's Ruby 3.1). */
const rubyVersion = hasRuby ? spawnSync('ruby', ['-e', 'print RbConfig::CONFIG["ruby_version"]'], { encoding: 'utf8' }).stdout : '';
/** A gem as `gem install --install-dir` lays it out: its specification and its files. */
const gem = (root: string, name: string, body: string) => [
  { name: `${root}/specifications/${name}-1.0.0.gemspec`, data: Buffer.from(`Gem::Specification.new do |s|\n  s.name = '${name}'\n  s.version = '1.0.0'\n  s.summary = 'test'\n  s.authors = ['t']\n  s.files = ['lib/${name}.rb']\n  s.require_paths = ['lib']\nend\n`) },
  { name: `${root}/gems/${name}-1.0.0/lib/${name}.rb`, data: Buffer.from(body) },
];
// Ruby is part of the development setup (.ci/run installs Debian's); a machine without it runs the uninstalled-runtime tests instead.
const describeRuby = hasRuby ? describe : describe.skip;

const docs = fn('rbdocs', 'ruby3', 'lambda_function.lambda_handler', {
  'lambda_function.rb': `require 'json'

def lambda_handler(event:, context:)
  puts "ruby got #{event.to_json}"
  raise ArgumentError, "bad input: #{event['fail']}" if event['fail'] == 'argument'
  raise Shop::OutOfStock, "no more #{event['fail']}" if event['fail'] == 'custom'
  nothing_here(event) if event['fail'] == 'nomethod'
  {
    statusCode: 200,
    body: event,
    requestId: context.aws_request_id,
    functionName: context.function_name,
    functionVersion: context.function_version,
    arn: context.invoked_function_arn,
    memory: context.memory_limit_in_mb,
    logGroup: context.log_group_name,
    logStream: context.log_stream_name,
    remaining: context.get_remaining_time_in_millis,
    deadline: context.deadline_ms,
    clientContext: context.client_context,
    ruby: RUBY_VERSION,
    env: ENV['AWS_EXECUTION_ENV'],
  }
end

module Shop
  class OutOfStock < StandardError; end
end`,
}, '  timeoutSeconds: 10\n');

const classy = fn('rbclass', 'ruby3', 'shop/orders.Shop::Orders.place', {
  'shop/orders.rb': `module Shop
  class Orders
    @count = 0
    def self.place(event:, context:)
      @count += 1
      { placed: event['item'], count: @count, by: context.function_name }
    end
  end
end`,
});

const slow = fn('rbslow', 'ruby3', 'slow.handler', { 'slow.rb': 'def handler(event:, context:)\n  sleep 5\n  "late"\nend' }, '  timeoutSeconds: 1\n');
const missing = fn('rbmissing', 'ruby3', 'nothere.handler', { 'app.rb': 'def handler(event:, context:) = 1' });
const stdlib = fn('rbstdlib', 'ruby3', 'json.parse', { 'app.rb': 'def handler(event:, context:) = 1' });
const syntax = fn('rbsyntax', 'ruby3', 'app.handler', { 'app.rb': 'def handler(event:, context:)\n  {\nend' });
const initRaise = fn('rbinitraise', 'ruby3', 'app.handler', { 'app.rb': 'raise IOError, "no config at init"\ndef handler(event:, context:) = 1' });

let f: Fixture;
const payload = (v: unknown) => Buffer.from(JSON.stringify(v));
const invoke = (name: string, event: unknown, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) =>
  f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: payload(event), ...extra }));

describeRuby('ruby3 in the local mode', () => {
  beforeAll(async () => {
    f = await startFixture({
      'docs.yaml': docs, 'classy.yaml': classy, 'slow.yaml': slow, 'missing.yaml': missing, 'stdlib.yaml': stdlib,
      'syntax.yaml': syntax, 'initraise.yaml': initRaise,
    });
  }, 60_000);
  afterAll(async () => { await f?.stop(); });

  it('runs lambda_function.lambda_handler(event:, context:) with AWS\'s context object', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { who: 'tester' } })).toString('base64');
    const out = await invoke('rbdocs', { name: 'ada' }, { ClientContext: clientContext });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    const got = decode(out.Payload) as Record<string, unknown>;
    expect(got).toMatchObject({
      statusCode: 200, body: { name: 'ada' }, requestId: out.$metadata.requestId, functionName: 'rbdocs', functionVersion: '$LATEST',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:rbdocs', memory: '128', logGroup: '/aws/lambda/rbdocs',
      clientContext: { custom: { who: 'tester' } }, env: 'AWS_Lambda_ruby3.2',
    });
    expect(got.logStream).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]/);
    expect(got.remaining).toBeGreaterThan(0);
    expect(got.remaining).toBeLessThanOrEqual(10_000);
    expect(got.ruby).toMatch(/^3\./);
  });

  it('writes the function\'s output and the REPORT line with its Init Duration to the log tail', async () => {
    const out = await invoke('rbclass', { item: 'tea' }, { LogType: 'Tail' });
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    expect(log).toContain(`START RequestId: ${out.$metadata.requestId}`);
    expect(log).toMatch(new RegExp(`REPORT RequestId: ${out.$metadata.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms`));
    const second = await invoke('rbdocs', { tail: 'me' }, { LogType: 'Tail' });
    expect(Buffer.from(second.LogResult ?? '', 'base64').toString('utf8')).toContain('ruby got {"tail":"me"}');
  });

  it('runs a file.Module::Class.method handler, keeping the class\'s state between warm calls', async () => {
    const a = decode((await invoke('rbclass', { item: 'tea' })).Payload) as { count: number };
    const b = decode((await invoke('rbclass', { item: 'cake' })).Payload);
    expect(b).toEqual({ placed: 'cake', count: a.count + 1, by: 'rbclass' });
  });

  it('reports a raised error as Function<Class> with its message and the handler\'s stack', async () => {
    const out = await invoke('rbdocs', { fail: 'argument' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const body = decode(out.Payload) as { errorType: string; errorMessage: string; stackTrace: string[] };
    expect(body).toMatchObject({ errorType: 'Function<ArgumentError>', errorMessage: 'bad input: argument' });
    expect(body.stackTrace[0]).toMatch(/lambda_function\.rb:5:in `lambda_handler'/);
    expect(body.stackTrace.join('\n')).not.toContain('bootstrap.rb');
    expect(decode((await invoke('rbdocs', { fail: 'custom' })).Payload)).toMatchObject({ errorType: 'Function<Shop::OutOfStock>', errorMessage: 'no more custom' });
  });

  it('ends the environment after a NoMethodError as AWS\'s runtime does, and the next call runs in a fresh one', async () => {
    const out = await invoke('rbdocs', { fail: 'nomethod' });
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType: 'Function<NoMethodError>', errorMessage: expect.stringContaining('nothing_here') });
    const again = await invoke('rbdocs', { name: 'after' }, { LogType: 'Tail' });
    expect(decode(again.Payload)).toMatchObject({ body: { name: 'after' } });
    expect(Buffer.from(again.LogResult ?? '', 'base64').toString('utf8')).toContain('Init Duration');
  });

  it('times out a slow handler with AWS\'s message', async () => {
    const out = await invoke('rbslow', {});
    expect(out.FunctionError).toBe('Unhandled');
    expect((decode(out.Payload) as { errorMessage: string }).errorMessage).toContain('Task timed out after 1.00 seconds');
  });

  it.each([
    ['rbmissing', 'Init<LoadError>', 'cannot load such file -- nothere'],
    ['rbstdlib', 'Init<LoadError>', 'cannot load such file -- json'],
    ['rbsyntax', 'Init<SyntaxError>', 'app.rb'],
    ['rbinitraise', 'Init<IOError>', 'no config at init'],
  ])('answers the init failure of %s as %s', async (name, errorType, message) => {
    const out = await invoke(name, {});
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(decode(out.Payload)).toMatchObject({ errorType, errorMessage: expect.stringContaining(message) });
  });

  it('finds a layer\'s ruby/lib and ruby/gems and the code\'s vendor/bundle, as Lambda\'s Ruby does', async () => {
    const layer = await makeZip([
      { name: 'ruby/lib/greet.rb', data: Buffer.from('module Greet\n  def self.hi(name) = "hi #{name}"\nend\n') },
      ...gem(`ruby/gems/${rubyVersion}`, 'layergem', 'module LayerGem\n  WHO = "layer gem"\nend\n'),
    ]);
    const published = await f.lambda.send(new PublishLayerVersionCommand({ LayerName: 'rblayer', Content: { ZipFile: layer }, CompatibleRuntimes: ['ruby3.3'] }));
    const code = await makeZip([
      { name: 'app.rb', data: Buffer.from("require 'greet'\nrequire 'layergem'\nrequire 'vendored'\ndef handler(event:, context:)\n  { greet: Greet.hi(event['name']), gem: LayerGem::WHO, vendored: Vendored::WHO }\nend\n") },
      ...gem(`vendor/bundle/ruby/${rubyVersion}`, 'vendored', 'module Vendored\n  WHO = "vendored gem"\nend\n'),
    ]);
    await f.lambda.send(new CreateFunctionCommand({
      FunctionName: 'rblayered', Runtime: 'ruby3.4', Handler: 'app.handler', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: code },
      Layers: [published.LayerVersionArn!],
    }));
    await waitFor(async () => (await f.lambda.send(new GetFunctionCommand({ FunctionName: 'rblayered' }))).Configuration?.State === 'Active' || undefined);
    const out = await invoke('rblayered', { name: 'ada' });
    expect({ error: out.FunctionError, payload: decode(out.Payload) }).toEqual({ error: undefined, payload: { greet: 'hi ada', gem: 'layer gem', vendored: 'vendored gem' } });
  });

  it('creates a function from a zip with Lambda\'s ruby3.3 name and describes it as ruby3.2', async () => {
    const zip = await makeZip([{ name: 'lambda_function.rb', data: Buffer.from('def lambda_handler(event:, context:)\n  { hello: event["name"] }\nend\n') }]);
    const created = await f.lambda.send(new CreateFunctionCommand({
      FunctionName: 'rbzip', Runtime: 'ruby3.3', Handler: 'lambda_function.lambda_handler', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: zip },
    }));
    expect(created.Runtime).toBe('ruby3.2');
    await waitFor(async () => (await f.lambda.send(new GetFunctionCommand({ FunctionName: 'rbzip' }))).Configuration?.State === 'Active' || undefined);
    expect(decode((await invoke('rbzip', { name: 'zip' })).Payload)).toEqual({ hello: 'zip' });
  });
});
