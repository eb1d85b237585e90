// java17 on the test control plane: a Function created with @aws-sdk/client-lambda from a jar runs in a pod whose
// function container is klambda's java17 runtime image (docker/java17.Dockerfile: its ENTRYPOINT /var/runtime/bootstrap,
// AWS's Java runtime client in /var/runtime/lib), answered through the cluster router: a RequestHandler, a
// RequestStreamHandler, an exception and a timeout as AWS's Java client reports them.
import { CreateFunctionCommand, InvokeCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { parseDockerfile } from '../test/control-plane/images.js';
import { javaFunctions, useJavaRic } from '../test/helpers/java.js';
import { decode } from './helpers/local.js';
import { invokeReady, podDiagnostics, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';

let k: KlambdaOnCluster;
let jar: Buffer;
let runtimeDir: string;
const ROLE = 'arn:aws:iam::000000000000:role/lambda-runner';
const waiter = { client: undefined as never, maxWaitTime: 300, minDelay: 1, maxDelay: 2 };

beforeAll(async () => {
  const ric = useJavaRic();
  jar = readFileSync(join(javaFunctions(), 'functions.jar'));
  const repo = packageRoot();
  // /var/runtime as the image has it: the bootstrap, and lib/ with the client's jars (world-readable: the function's uid reads it)
  runtimeDir = mkdtempSync(join(tmpdir(), 'klambda-java17-runtime-'));
  chmodSync(runtimeDir, 0o755);
  copyFileSync(join(repo, 'src', 'agent', 'runtimes', 'java', 'bootstrap'), join(runtimeDir, 'bootstrap'));
  chmodSync(join(runtimeDir, 'bootstrap'), 0o755);
  symlinkSync(ric, join(runtimeDir, 'lib'));
  // the java17 image as its Dockerfile says, its /var/runtime laid out from this repository and the fetched jars, its
  // java the host's JDK 17 on the image's PATH
  const image = parseDockerfile(readFileSync(join(repo, 'docker', 'java17.Dockerfile'), 'utf8'));
  k = await startKlambdaOnCluster({
    codeStore: true,
    images: {
      'klambda-java17': {
        ...image, env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...image.env },
        paths: { '/var/runtime': runtimeDir },
      },
    },
  });
  // the execution role is the function's ServiceAccount
  await k.cluster.admin.create('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'lambda-runner' } });
}, 45 * 60_000);

afterAll(async () => {
  if (process.env.KLAMBDA_TEST_POD_LOGS && k) process.stderr.write(`${await podDiagnostics(k)}\n`);
  await k?.stop();
  if (runtimeDir) rmSync(runtimeDir, { recursive: true, force: true });
});

const create = async (name: string, handler: string, timeout = 3) => {
  await k.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'java17', Role: ROLE, Handler: handler, MemorySize: 512, Timeout: timeout, Code: { ZipFile: jar },
    Environment: { Variables: { GREETING: 'from the cluster' } },
  }));
  await waitUntilFunctionActiveV2({ ...waiter, client: k.lambda }, { FunctionName: name });
};

it('runs a RequestHandler<Map<String,Object>,String> from a jar in the java17 image, and its exception as AWS\'s Java client reports it', async () => {
  await create('javahello', 'example.Hello::handleRequest', 3);
  expect(await invokeReady(k.lambda, 'javahello', { name: 'ada' })).toBe('hello ada from javahello');
  const failed = await k.lambda.send(new InvokeCommand({ FunctionName: 'javahello', Payload: Buffer.from('{"fail":"out of stock"}') }));
  expect(failed.FunctionError).toBe('Unhandled');
  const err = decode(failed.Payload) as { errorType: string; errorMessage: string; stackTrace: string[] };
  expect(err).toMatchObject({ errorType: 'java.lang.IllegalStateException', errorMessage: 'out of stock' });
  expect(err.stackTrace.some((l) => l.includes('example.Hello.handleRequest'))).toBe(true);
  // a timeout ends the function container; the next call runs in a fresh JVM
  const slow = await k.lambda.send(new InvokeCommand({ FunctionName: 'javahello', Payload: Buffer.from('{"sleepMs":10000}') }));
  expect(slow.FunctionError).toBe('Unhandled');
  expect((decode(slow.Payload) as { errorMessage: string }).errorMessage).toContain('Task timed out after 3.00 seconds');
  expect(await invokeReady(k.lambda, 'javahello', { name: 'again' })).toBe('hello again from javahello');
}, 600_000);

it('runs a RequestStreamHandler with Lambda\'s context object and environment in the pod', async () => {
  await create('javastream', 'example.Stream::handleRequest');
  const got = await invokeReady(k.lambda, 'javastream', { deep: [1] });
  expect(got).toMatchObject({
    event: { deep: [1] }, functionName: 'javastream', memoryLimitInMB: 512, executionEnv: 'AWS_Lambda_java17',
    handler: 'example.Stream::handleRequest', greeting: 'from the cluster', javaVersion: '17',
  });
  expect(got.maxHeapMB).toBeGreaterThan(400);
}, 600_000);
