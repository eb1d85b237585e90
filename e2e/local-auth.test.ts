// SigV4 in the local mode (the Lambda SDK models no AccessDeniedException: it arrives as a LambdaServiceException by name)
// SigV4 in the local mode (`klambda dev --auth FILE`) through the official AWS SDK: the right key works; an unknown key,
// a wrong secret, a clock 10 minutes off, another account's ARN and an action outside the key's policy get AWS's errors;
// environment variables only for keys allowed lambda:GetFunction; the key file is reloaded when it changes.
import {
  CreateFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, LambdaServiceException,
  ListFunctionsCommand, PublishVersionCommand, RequestTooLargeException,
} from '@aws-sdk/client-lambda';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rejection } from '../test/helpers/refusal.js';
import { makeZip } from '../test/helpers/zips.js';
import { decode, fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const keysDir = mkdtempSync(join(tmpdir(), 'klambda-keys-'));
const keyFile = join(keysDir, 'keys.ini');
const ADMIN = { accessKeyId: 'AKIAKLAMBDAADMIN0001', secretAccessKey: 'admin/secret+0001' };
const INVOKER = { accessKeyId: 'AKIAKLAMBDAINVOKER01', secretAccessKey: 'invoker-secret' };
const READER = { accessKeyId: 'AKIAKLAMBDAREADER001', secretAccessKey: 'reader-secret' };
const CREATOR = { accessKeyId: 'AKIAKLAMBDACREATOR01', secretAccessKey: 'creator-secret' };
const keys = `# klambda dev --auth: AWS credentials-file format
[admin]
aws_access_key_id = ${ADMIN.accessKeyId}
aws_secret_access_key = ${ADMIN.secretAccessKey}

[invoker]
aws_access_key_id = ${INVOKER.accessKeyId}
aws_secret_access_key = ${INVOKER.secretAccessKey}
klambda_policy = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:echo*"},
    {"Effect": "Deny", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:echo:secret"}]}

[creator]
aws_access_key_id = ${CREATOR.accessKeyId}
aws_secret_access_key = ${CREATOR.secretAccessKey}
klambda_policy = {"Statement": [{"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:team-a-*"}]}

[reader]
aws_access_key_id = ${READER.accessKeyId}
aws_secret_access_key = ${READER.secretAccessKey}
klambda_policy_file = reader-policy.json
`;
writeFileSync(join(keysDir, 'reader-policy.json'), JSON.stringify({
  Statement: [{ Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration', 'lambda:ListFunctions', 'lambda:InvokeFunction'], Resource: '*' }],
}));
writeFileSync(keyFile, keys);

const echo = fn('echo', 'nodejs20', 'index.handler', {
  'index.mjs': 'export const handler = async (event, context) => ({ event, arn: context.invokedFunctionArn });',
}, '  environment: {GREETING: hi, DB_PASSWORD: s3cret}\n');

let f: Fixture;
const clients: LambdaClient[] = [];
function client(credentials: { accessKeyId: string; secretAccessKey: string }, extra: { systemClockOffset?: number } = {}): LambdaClient {
  const c = new LambdaClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials, ...extra });
  clients.push(c);
  return c;
}
const invoke = (c: LambdaClient, FunctionName: string) => c.send(new InvokeCommand({ FunctionName, Payload: Buffer.from('{"n":1}') }));

const refusal = (p: Promise<unknown>) => rejection(p, LambdaServiceException);

beforeAll(async () => {
  f = await startFixture({ 'echo.yaml': echo }, { auth: keyFile });
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  await f?.stop();
  rmSync(keysDir, { recursive: true, force: true });
});

describe('signed with the right key', () => {
  it('invokes: 200 with the function answer', async () => {
    const out = await invoke(client(ADMIN), 'echo');
    expect(out.StatusCode).toBe(200);
    expect(decode(out.Payload)).toEqual({ event: { n: 1 }, arn: 'arn:aws:lambda:us-east-1:000000000000:function:echo' });
  });

  it('a key without a policy sees the environment; its own account\'s ARN is fine', async () => {
    const admin = client(ADMIN);
    const got = await admin.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo' }));
    expect(got.Configuration?.Environment?.Variables).toEqual({ GREETING: 'hi', DB_PASSWORD: 's3cret' });
  });
});

describe('refused, in AWS\'s words', () => {
  it('an unknown key: 403 UnrecognizedClientException', async () => {
    const e = await refusal(invoke(client({ accessKeyId: 'AKIANOBODYATALL00001', secretAccessKey: 'x' }), 'echo'));
    expect(e.name).toBe('UnrecognizedClientException');
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toBe('The security token included in the request is invalid.');
  });

  it('a wrong secret: 403 InvalidSignatureException', async () => {
    const e = await refusal(invoke(client({ ...ADMIN, secretAccessKey: 'not-the-secret' }), 'echo'));
    expect(e.name).toBe('InvalidSignatureException');
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
  });

  it('a clock 10 minutes behind: 403 InvalidSignatureException "Signature expired"', async () => {
    const e = await refusal(invoke(client(ADMIN, { systemClockOffset: -10 * 60_000 }), 'echo'));
    expect(e.name).toBe('InvalidSignatureException');
    expect(e.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  });

  it("another account's ARN: 403 AccessDeniedException", async () => {
    const arn = 'arn:aws:lambda:us-east-1:111122223333:function:echo';
    const e = await refusal(invoke(client(ADMIN), arn));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toBe(`User: arn:aws:iam::000000000000:user/admin is not authorized to perform: lambda:InvokeFunction on resource: ${arn} because no identity-based policy allows the lambda:InvokeFunction action`);
  });

  it("an action outside the key's policy: 403 AccessDeniedException; what it allows still works", async () => {
    const invoker = client(INVOKER);
    expect((await invoke(invoker, 'echo')).StatusCode).toBe(200);
    const e = await refusal(invoker.send(new PublishVersionCommand({ FunctionName: 'echo' })));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toBe('User: arn:aws:iam::000000000000:user/invoker is not authorized to perform: lambda:PublishVersion on resource: arn:aws:lambda:us-east-1:000000000000:function:echo because no identity-based policy allows the lambda:PublishVersion action');
    expect((await refusal(invoker.send(new ListFunctionsCommand({})))).name).toBe('AccessDeniedException');
  });

  it('an explicit Deny wins over the Allow that covers it', async () => {
    const e = await refusal(invoke(client(INVOKER), 'echo:secret'));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toContain('with an explicit deny in an identity-based policy');
  });

  it('no credentials at all: 403 MissingAuthenticationTokenException', async () => {
    const res = await fetch(`${f.local.url}/2015-03-31/functions/`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });
});

describe('environment variables', () => {
  it('are hidden from a key not allowed lambda:GetFunction, in GetFunctionConfiguration and ListFunctions; GetFunction itself is denied', async () => {
    const reader = client(READER);
    const config = await reader.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    expect(config.FunctionName).toBe('echo');
    expect(config.Environment).toBeUndefined();
    const list = await reader.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((c) => [c.FunctionName, c.Environment])).toEqual([['echo', undefined]]);
    expect((await refusal(reader.send(new GetFunctionCommand({ FunctionName: 'echo' })))).name).toBe('AccessDeniedException');
    const admin = await client(ADMIN).send(new ListFunctionsCommand({}));
    expect(admin.Functions?.[0]?.Environment?.Variables).toMatchObject({ GREETING: 'hi' });
  });
});

describe('CreateFunction, authorized on the ARN of the function it names (in the body)', () => {
  const create = (FunctionName: string, Tags?: Record<string, string>) => makeZip([{ name: 'index.mjs', data: 'export const handler = async () => 1;' }])
    .then((ZipFile) => client(CREATOR).send(new CreateFunctionCommand({
      FunctionName, Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/lambda-runner', Handler: 'index.handler', Code: { ZipFile }, ...(Tags ? { Tags } : {}),
    })));

  it('lets a key create the functions its policy names, and no other', async () => {
    expect((await create('team-a-orders')).FunctionName).toBe('team-a-orders');
    const e = await refusal(create('team-b-orders'));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toContain('arn:aws:lambda:us-east-1:000000000000:function:team-b-orders');
    expect(existsSync(join(f.dir, 'team-b-orders.yaml'))).toBe(false);
  });

  it('reads the name from the parsed body: an allowed name elsewhere in it (a tag) does not pass, nor another account\'s ARN', async () => {
    expect((await refusal(create('team-b-tagged', { FunctionName: 'team-a-x', '"FunctionName"': 'team-a-y' }))).name).toBe('AccessDeniedException');
    expect((await refusal(create('arn:aws:lambda:us-east-1:111111111111:function:team-a-theirs'))).name).toBe('AccessDeniedException');
    expect(existsSync(join(f.dir, 'team-b-tagged.yaml'))).toBe(false);
  });
});

describe('the signed body', () => {
  it('is read once and still meets each route\'s own limit: a 2 MB Event invoke is 413 (async limit 1 MB)', async () => {
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }));
    const e = await refusal(client(ADMIN).send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: big })));
    expect(e).toBeInstanceOf(RequestTooLargeException);
  });
});

describe('the key file', () => {
  it('is reloaded when it changes: a new key works, a removed one is refused', async () => {
    const fresh = { accessKeyId: 'AKIAKLAMBDAFRESH0001', secretAccessKey: 'fresh' };
    writeFileSync(keyFile, keys.replace('[invoker]', `[fresh]\naws_access_key_id = ${fresh.accessKeyId}\naws_secret_access_key = ${fresh.secretAccessKey}\n\n[invoker-old]`)
      .replace(INVOKER.accessKeyId, 'AKIAKLAMBDAINVOKER02'));
    const c = client(fresh);
    await waitFor(async () => ((await invoke(c, 'echo').catch(() => undefined))?.StatusCode === 200 ? true : undefined), 10_000, 'the new key accepted');
    expect((await refusal(invoke(client(INVOKER), 'echo'))).name).toBe('UnrecognizedClientException');
  });
});
