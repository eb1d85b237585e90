// java17 when AWS's Java client sits in a folder the runtime's unprivileged user cannot read (root's ~/.cache, a 0700
// folder): the agent sees it before the start and runs the runtime as root without capabilities instead (as for a
// python3 under /root), so the function still answers rather than failing with ClassNotFoundException.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { javaFunctions, useJavaRic } from '../test/helpers/java.js';
import { decode, startFixture, type Fixture } from './helpers/local.js';

let f: Fixture;
let closed: string;

beforeAll(async () => {
  const ric = useJavaRic();
  const jar = readFileSync(join(javaFunctions(), 'functions.jar'));
  closed = mkdtempSync(join(tmpdir(), 'klambda-closed-'));
  chmodSync(closed, 0o700);
  cpSync(ric, join(closed, 'java-ric'), { recursive: true });
  process.env.KLAMBDA_JAVA_RIC_DIR = join(closed, 'java-ric');
  f = await startFixture({
    'hello.yaml': 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: javaclosed}\nspec:\n  runtime: java17\n  handler: example.Hello::handleRequest\n  memoryMB: 256\n  code: {path: hello.jar}\n',
    'hello.jar': jar,
  });
}, 300_000);
afterAll(async () => {
  await f?.stop();
  if (closed) rmSync(closed, { recursive: true, force: true });
});

it('answers through AWS\'s Java client kept in a folder only its owner reads', async () => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'javaclosed', Payload: Buffer.from('{"name":"ada"}') }));
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toBe('hello ada from javaclosed');
}, 60_000);
