// java17 in the local mode: AWS's own Java runtime interface client (2.10.1, from Maven Central, pinned by SHA-256) runs
// a RequestHandler<Map<String,Object>,String> shipped as a jar and a RequestStreamHandler shipped as a classes folder,
// both compiled with javac against aws-lambda-java-core; invoked with @aws-sdk/client-lambda.
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findJava } from '../src/core/java-install.js';
import { javaFunctions, useJavaRic } from '../test/helpers/java.js';
import { decode, startFixture, type Fixture } from './helpers/local.js';

let f: Fixture;

const manifest = (name: string, runtime: string, handler: string, path: string, extra = '') =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: ${runtime}\n  handler: ${handler}\n  memoryMB: 512\n  code: {path: ${path}}\n${extra}`;

beforeAll(async () => {
  useJavaRic();
  const built = javaFunctions();
  const classes: Record<string, Buffer> = {};
  for (const file of readdirSync(join(built, 'classes', 'example'))) classes[`stream-classes/example/${file}`] = readFileSync(join(built, 'classes', 'example', file));
  f = await startFixture({
    'hello.yaml': manifest('javahello', 'java17', 'example.Hello::handleRequest', 'hello.jar', '  timeoutSeconds: 3\n'),
    'hello.jar': readFileSync(join(built, 'functions.jar')),
    'stream.yaml': manifest('javastream', 'java17', 'example.Stream::handleRequest', 'stream-classes/', '  environment: {GREETING: hi}\n'),
    ...classes,
    'missing.yaml': manifest('javamissing', 'java17', 'example.Nope::handleRequest', 'hello.jar'),
    'broken.yaml': manifest('javabroken', 'java17', 'example.Broken::handleRequest', 'hello.jar'),
  });
}, 300_000);
afterAll(async () => { await f?.stop(); });

const invoke = (name: string, event: unknown, tail = false) =>
  f.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), ...(tail ? { LogType: 'Tail' as const } : {}) }));
const tailOf = (out: { LogResult?: string }) => Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');

it('runs a RequestHandler<Map<String,Object>,String> from a jar: its String is the JSON answer, its log has Init Duration on the first REPORT', async () => {
  const out = await invoke('javahello', { name: 'ada' }, true);
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toBe('hello ada from javahello');
  const log = tailOf(out);
  const id = out.$metadata.requestId!;
  expect(log).toContain(`START RequestId: ${id} Version: $LATEST`);
  expect(log).toContain('EVENT TYPE: class java.util.LinkedHashMap');
  expect(log).toMatch(new RegExp(`REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms`));
  const warm = await invoke('javahello', { name: 'bob' }, true);
  expect(decode(warm.Payload)).toBe('hello bob from javahello');
  expect(tailOf(warm)).not.toContain('Init Duration');
}, 60_000);

it('runs a RequestStreamHandler from a classes folder with Lambda\'s context object and environment on JDK 17', async () => {
  const out = await invoke('javastream', { deep: { n: [1, 2] } });
  expect(out.FunctionError).toBeUndefined();
  const got = decode(out.Payload) as Record<string, unknown>;
  expect(got).toMatchObject({
    event: { deep: { n: [1, 2] } }, requestId: out.$metadata.requestId, functionName: 'javastream', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:javastream', memoryLimitInMB: 512,
    logGroupName: '/aws/lambda/javastream', executionEnv: 'AWS_Lambda_java17', handler: 'example.Stream::handleRequest',
    greeting: 'hi', javaVersion: '17',
  });
  expect(got.remainingTimeInMillis).toBeGreaterThan(0);
  expect(got.remainingTimeInMillis).toBeLessThanOrEqual(3000);
  // the JVM's heap is 85% of the function's memory, as AWS's Java runtime sizes it
  expect(got.maxHeapMB).toBeGreaterThan(400);
  expect(got.maxHeapMB).toBeLessThanOrEqual(436);
}, 60_000);

it('reports a thrown exception as AWS\'s Java client does: its class as errorType, its message, its stack trace', async () => {
  const out = await invoke('javahello', { fail: 'no such user' });
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBe('Unhandled');
  const err = decode(out.Payload) as { errorType: string; errorMessage: string; stackTrace: string[] };
  expect(err.errorType).toBe('java.lang.IllegalStateException');
  expect(err.errorMessage).toBe('no such user');
  expect(err.stackTrace.some((l) => l.includes('example.Hello.handleRequest'))).toBe(true);
  expect(decode((await invoke('javahello', { name: 'again' })).Payload)).toBe('hello again from javahello');
}, 60_000);

it('times a slow handler out with Lambda\'s message, and the next call inits a fresh JVM', async () => {
  const out = await invoke('javahello', { name: 'slow', sleepMs: 10_000 });
  expect(out.FunctionError).toBe('Unhandled');
  expect((decode(out.Payload) as { errorMessage: string }).errorMessage).toContain('Task timed out after 3.00 seconds');
  const again = await invoke('javahello', { name: 'after' }, true);
  expect(decode(again.Payload)).toBe('hello after from javahello');
  expect(tailOf(again)).toContain('Init Duration');
}, 60_000);

it('answers a handler class that is not there with the Java client\'s ClassNotFoundException', async () => {
  const out = await invoke('javamissing', {});
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toMatchObject({ errorType: 'java.lang.ClassNotFoundException' });
}, 60_000);

it('reports a handler class whose initialisation throws as an init error, as AWS\'s client posts it to /init/error', async () => {
  const out = await invoke('javabroken', {}, true);
  expect(out.FunctionError).toBe('Unhandled');
  const err = decode(out.Payload) as { errorType: string; errorMessage: string };
  expect(err).toEqual({ errorType: 'java.lang.ExceptionInInitializerError', errorMessage: 'Error loading class example.Broken' });
  expect(tailOf(out)).toContain('no configuration for this stage');
}, 60_000);

it('describes a java17 function as Lambda does', async () => {
  const got = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'javahello' }));
  expect(got.Configuration).toMatchObject({ Runtime: 'java17', Handler: 'example.Hello::handleRequest', MemorySize: 512 });
});

it('runs java21 on a JDK 21, and without one refuses to create it, saying which JDKs it looked at', async () => {
  const create = () => f.lambda.send(new CreateFunctionCommand({
    FunctionName: 'java21fn', Runtime: 'java21', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'example.Stream::handleRequest',
    Code: { ZipFile: readFileSync(join(javaFunctions(), 'functions.jar')) },
  }));
  if (findJava('java21').install) {
    await create();
    const out = await invoke('java21fn', { x: 1 });
    expect(decode(out.Payload)).toMatchObject({ javaVersion: '21', executionEnv: 'AWS_Lambda_java21' });
  } else {
    const err = await create().then(() => undefined, (e: unknown) => e as Error);
    expect(err?.name).toBe('InvalidParameterValueException');
    expect(err?.message).toContain('The runtime parameter of java21 is not supported on this klambda: java21 needs a JDK 21');
    expect(err?.message).toMatch(/\(17\)/);
  }
}, 60_000);
