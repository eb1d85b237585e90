// The AWS CLI v1 (what `pip install awscli` gives) against the local mode, as the README shows it: create-function from
// a zip (fileb://), the waiters, invoke, update-function-code --publish, publish-version, delete-function → 404.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeZip } from '../test/helpers/zips.js';
import { startFixture, type Fixture } from './helpers/local.js';
import { awsCli } from './helpers/aws-cli.js';

const run = promisify(execFile);
let f: Fixture;
const files = mkdtempSync(join(tmpdir(), 'klambda-cli-files-'));

beforeAll(async () => { f = await startFixture({}); }, 60_000);
afterAll(async () => { await f?.stop(); rmSync(files, { recursive: true, force: true }); });

/** `aws lambda …` (the AWS CLI v1) against klambda dev: the README's settings. */
const aws = (...args: string[]): Promise<string> => awsCli('lambda', f.local.url, { accessKeyId: 'test', secretAccessKey: 'test' }, 60_000)(...args);

it('is version 1 of the AWS CLI', async () => {
  const { stdout, stderr } = await run('aws', ['--version']);
  expect(`${stdout}${stderr}`).toMatch(/^aws-cli\/1\./);
});

it('creates, waits, invokes, updates, publishes and deletes a function from a zip', async () => {
  const zip = join(files, 'function.zip');
  writeFileSync(zip, await makeZip([{ name: 'index.mjs', data: 'export const handler = async (e) => ({ hi: e.name });' }]));
  const created = JSON.parse(await aws('create-function', '--function-name', 'hello', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
    '--role', 'arn:aws:iam::000000000000:role/lambda-runner', '--zip-file', `fileb://${zip}`)) as { CodeSha256: string; State: string };
  // what `openssl dgst -sha256 -binary function.zip | base64` prints
  expect(created.CodeSha256).toBe(createHash('sha256').update(readFileSync(zip)).digest('base64'));
  await aws('wait', 'function-active-v2', '--function-name', 'hello');
  const out = join(files, 'out.json');
  // v1 sends --payload as it is (v2 would need --cli-binary-format raw-in-base64-out)
  expect(JSON.parse(await aws('invoke', '--function-name', 'hello', '--payload', '{"name":"cli"}', out))).toMatchObject({ StatusCode: 200 });
  expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ hi: 'cli' });

  writeFileSync(zip, await makeZip([{ name: 'index.mjs', data: 'export const handler = async (e) => ({ bye: e.name });' }]));
  expect(JSON.parse(await aws('update-function-code', '--function-name', 'hello', '--zip-file', `fileb://${zip}`, '--publish'))).toMatchObject({ Version: '1' });
  await aws('wait', 'function-updated-v2', '--function-name', 'hello');
  await aws('invoke', '--function-name', 'hello', '--payload', '{"name":"cli"}', out);
  expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ bye: 'cli' });
  expect(JSON.parse(await aws('publish-version', '--function-name', 'hello'))).toMatchObject({ Version: '1' });

  await aws('delete-function', '--function-name', 'hello');
  await expect(aws('get-function', '--function-name', 'hello')).rejects.toThrow(/ResourceNotFoundException/);
}, 120_000);
