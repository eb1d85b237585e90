// spec.secretEnvironment in the local mode: values from the folder's Secret manifests reach the runtime's environment
// only — never the Lambda API's answers or the logs; a missing Secret or key refuses the folder; a Secret's change reloads.
import {
  GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, ListFunctionsCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestError } from '../src/api/errors.js';
import { loadManifestFolder } from '../src/local/manifest-loader.js';
import { decode, fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const PASSWORD = 'hunter2-s3cr3t-value';
const NEXT_PASSWORD = 'correct-horse-battery';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

// proof of the value without returning it: its digest
const proof = fn('proof', 'nodejs20', 'index.handler', {
  'index.mjs': `import { createHash } from 'node:crypto';
export const handler = async () => ({
  digest: createHash('sha256').update(process.env.DB_PASSWORD ?? '').digest('hex'),
  user: process.env.DB_USER, greeting: process.env.GREETING,
});`,
}, '  environment: {GREETING: hi}\n  secretEnvironment:\n    DB_PASSWORD: {secret: db-credentials, key: password}\n    DB_USER: {secret: db-credentials, key: user}\n');

const secret = (password: string) => `apiVersion: v1
kind: Secret
metadata: {name: db-credentials}
type: Opaque
data:
  password: ${Buffer.from(password).toString('base64')}
stringData:
  user: app
`;

let f: Fixture;
const invoke = async (qualifier?: string) => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'proof', ...(qualifier ? { Qualifier: qualifier } : {}) }));
  expect(out.FunctionError).toBeUndefined();
  return decode(out.Payload) as { digest: string; user?: string; greeting?: string };
};

beforeAll(async () => {
  f = await startFixture({ 'proof.yaml': proof, 'db-credentials.yaml': secret(PASSWORD) });
}, 60_000);
afterAll(async () => { await f?.stop(); });

describe('secretEnvironment in the local mode', () => {
  it('gives the runtime the Secret\'s values (data base64 and stringData) beside environment', async () => {
    expect(await invoke()).toEqual({ digest: sha(PASSWORD), user: 'app', greeting: 'hi' });
  });

  it('never shows the values (nor the references) in GetFunction, GetFunctionConfiguration, ListFunctions or the logs', async () => {
    const answers = [
      await f.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'proof' })),
      await f.lambda.send(new GetFunctionCommand({ FunctionName: 'proof' })),
      await f.lambda.send(new ListFunctionsCommand({})),
    ].map((a) => JSON.stringify(a));
    for (const text of answers) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('DB_PASSWORD');
    }
    expect(JSON.parse(answers[0]!).Environment).toEqual({ Variables: { GREETING: 'hi' } });
    expect(f.logs.join('\n')).not.toContain(PASSWORD);
  });

  it('UpdateFunctionConfiguration keeps secretEnvironment and refuses an Environment variable that comes from a Secret', async () => {
    await expect(f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'proof', Environment: { Variables: { DB_PASSWORD: 'plain' } } })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('DB_PASSWORD') });
    await f.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'proof', Environment: { Variables: { GREETING: 'hello' } } }));
    await waitFor(async () => ((await invoke()).greeting === 'hello' ? true : undefined), 30_000, 'the updated environment');
    expect(await invoke()).toEqual({ digest: sha(PASSWORD), user: 'app', greeting: 'hello' });
  });

  it('a published version keeps the references and reads the values', async () => {
    const v = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'proof' }));
    expect((await invoke(v.Version)).digest).toBe(sha(PASSWORD));
    expect(JSON.stringify(v)).not.toContain(PASSWORD);
  });

  it('reloads the function when the Secret\'s file changes', async () => {
    f.write('db-credentials.yaml', secret(NEXT_PASSWORD));
    await waitFor(async () => ((await invoke()).digest === sha(NEXT_PASSWORD) ? true : undefined), 30_000, 'the new Secret value');
  });

  it('refuses a folder whose Secret lacks the key (the last good manifests stay), naming the field', async () => {
    f.write('db-credentials.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: db-credentials}\nstringData: {user: app}\n');
    await expect(f.local.store.reload()).rejects.toMatchObject({ message: expect.stringMatching(/proof\.yaml.*spec\.secretEnvironment\.DB_PASSWORD\.key.*has no key password/) });
    expect((await invoke()).digest).toBe(sha(NEXT_PASSWORD));
    f.write('db-credentials.yaml', secret(NEXT_PASSWORD));
    await f.local.store.reload();
  });
});

describe('a folder with a missing Secret', () => {
  it('is refused at load, naming the Function\'s field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klambda-e2e-secret-'));
    try {
      writeFileSync(join(dir, 'proof.yaml'), proof);
      const err = await loadManifestFolder(dir).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ManifestError);
      expect((err as ManifestError).issues).toEqual(expect.arrayContaining([
        expect.objectContaining({ source: 'proof.yaml', path: 'spec.secretEnvironment.DB_PASSWORD.secret', message: expect.stringContaining('Secret db-credentials not found') }),
      ]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
