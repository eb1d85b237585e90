// A Go function on AWS's own runtime client (github.com/aws/aws-lambda-go v1.55.1) runs unchanged in the local mode as a `provided` runtime, shipped as a zip whose bootstrap is the Go binary.
import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { makeZip } from '../test/helpers/zips.js';
import { decode, startFixture, type Fixture } from './helpers/local.js';

let f: Fixture;
let zip: Buffer;

/** The Go binary from test/fixtures/go-bootstrap, built once into ~/.cache/klambda (a cold build downloads the module). */
function goBootstrap(): string {
  const script = join(packageRoot(), 'hack', 'testbin', 'build-go-bootstrap.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
  return out.trim().split('\n').at(-1)!;
}

beforeAll(async () => {
  zip = await makeZip([{ name: 'bootstrap', data: readFileSync(goBootstrap()), mode: 0o100755 }]);
  f = await startFixture({
    'go.yaml': 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: gofn}\nspec:\n  runtime: provided\n  code: {path: go-fn.zip}\n',
    'go-fn.zip': zip,
  });
}, 300_000);
afterAll(async () => { await f?.stop(); });

const invoke = (event: unknown) => f.lambda.send(new InvokeCommand({ FunctionName: 'gofn', Payload: Buffer.from(JSON.stringify(event)) }));

it('answers through aws-lambda-go with the request id of the invoke and its own function name', async () => {
  const out = await invoke({ name: 'ada' });
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(decode(out.Payload)).toEqual({ greeting: 'hello ada from Go', requestId: out.$metadata.requestId, functionName: 'gofn' });
});

it('gives each invoke its own request id', async () => {
  const [a, b] = await Promise.all([invoke({ name: 'a' }), invoke({ name: 'b' })]);
  expect(decode(a.Payload)).toMatchObject({ greeting: 'hello a from Go', requestId: a.$metadata.requestId });
  expect(decode(b.Payload)).toMatchObject({ greeting: 'hello b from Go', requestId: b.$metadata.requestId });
  expect(a.$metadata.requestId).not.toBe(b.$metadata.requestId);
});

it('reports an error the Go handler returns as an Unhandled function error carrying its message', async () => {
  const out = await invoke({ name: 'x', fail: 'the Go handler said no' });
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBe('Unhandled');
  expect(decode(out.Payload)).toMatchObject({ errorMessage: 'the Go handler said no', errorType: 'errorString' });
  // the function still answers afterwards
  expect(decode((await invoke({ name: 'again' })).Payload)).toMatchObject({ greeting: 'hello again from Go' });
});

it('describes the function as provided.al2023 whose CodeSha256 and CodeSize are the zip\'s', async () => {
  const got = await f.lambda.send(new GetFunctionCommand({ FunctionName: 'gofn' }));
  expect(got.Configuration).toMatchObject({
    Runtime: 'provided.al2023', Handler: 'bootstrap', PackageType: 'Zip',
    CodeSha256: createHash('sha256').update(zip).digest('base64'), CodeSize: zip.length,
  });
});
