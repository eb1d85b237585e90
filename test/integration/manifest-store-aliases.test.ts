// Alias writes on a real folder: create, update, delete, their typed errors, and editing a user's multi-document file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidParameterError, ResourceConflictError, ResourceNotFoundError } from '../../src/api/errors.js';
import { parseManifests } from '../../src/api/parse.js';
import { ManifestStore, type AliasInput } from '../../src/local/manifest-store.js';

let dir: string;
let store: ManifestStore;

const fn = (code: string) => `apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: hello}
spec:
  runtime: nodejs20
  handler: index.handler
  code: {inline: {index.mjs: ${JSON.stringify(code)}}}
`;

/** A folder with function hello published at versions 1, 2 and 3. */
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klambda-alias-'));
  writeFileSync(join(dir, 'hello.yaml'), fn('one'));
  store = await ManifestStore.open(dir);
  for (const code of ['one', 'two', 'three']) {
    writeFileSync(join(dir, 'hello.yaml'), fn(code));
    await store.publishVersion('default', 'hello');
  }
});
afterEach(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

const aliasFile = (name: string) => join(dir, `hello.${name}.alias.yaml`);

describe('createAlias', () => {
  it('writes <fn>.<alias>.alias.yaml and is readable at once', async () => {
    const a = await store.createAlias('default', 'hello', { name: 'live', functionVersion: '1', description: 'prod traffic' });
    expect(a).toEqual({
      apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name: 'hello-live', namespace: 'default' },
      spec: { functionName: 'hello', name: 'live', functionVersion: '1', description: 'prod traffic', provisionedConcurrency: 0 },
    });
    expect(store.getAlias('default', 'hello', 'live')).toEqual(a);
    expect(parseManifests(readFileSync(aliasFile('live'), 'utf8'), 'x')).toEqual([a]);
    expect((await ManifestStore.open(dir)).getAlias('default', 'hello', 'live')).toEqual(a);
  });

  it('keeps routing weights and accepts $LATEST', async () => {
    await store.createAlias('default', 'hello', { name: 'canary', functionVersion: '1', routingConfig: { additionalVersionWeights: { 2: 0.25 } } });
    expect(store.getAlias('default', 'hello', 'canary')?.spec.routingConfig).toEqual({ additionalVersionWeights: { 2: 0.25 } });
    await store.createAlias('default', 'hello', { name: 'dev', functionVersion: '$LATEST' });
    expect(store.aliases('default', 'hello').map((a) => a.spec.name)).toEqual(['canary', 'dev']);
  });

  it('answers 409 for an existing alias, 404 for a missing function or version, 400 for bad values', async () => {
    await store.createAlias('default', 'hello', { name: 'live', functionVersion: '1' });
    await expect(store.createAlias('default', 'hello', { name: 'live', functionVersion: '2' })).rejects.toBeInstanceOf(ResourceConflictError);
    await expect(store.createAlias('default', 'hello', { name: 'live', functionVersion: '2' })).rejects.toMatchObject({ statusCode: 409, awsType: 'ResourceConflictException' });
    await expect(store.createAlias('default', 'nope', { name: 'x', functionVersion: '1' })).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(store.createAlias('default', 'hello', { name: 'x', functionVersion: '9' })).rejects.toMatchObject({ statusCode: 404, message: 'Function not found: hello:9' });
    await expect(store.createAlias('default', 'hello', { name: 'x', functionVersion: '1', routingConfig: { additionalVersionWeights: { 9: 0.5 } } }))
      .rejects.toBeInstanceOf(ResourceNotFoundError);
    const bad: AliasInput[] = [
      { name: 'x', functionVersion: '1', routingConfig: { additionalVersionWeights: { 2: 1.5 } } },
      { name: 'x', functionVersion: '1', routingConfig: { additionalVersionWeights: { 2: 0.1, 3: 0.1 } } },
      { name: 'x', functionVersion: '1', routingConfig: { additionalVersionWeights: { two: 0.1 } } },
      { name: '42', functionVersion: '1' },
      { name: 'x', functionVersion: 'one' },
    ];
    for (const input of bad) {
      await expect(store.createAlias('default', 'hello', input)).rejects.toMatchObject({ statusCode: 400, awsType: 'InvalidParameterValueException' });
    }
    await expect(store.createAlias('default', 'hello', bad[0]!)).rejects.toThrow('spec.routingConfig.additionalVersionWeights["2"]: must be <= 1, got 1.5');
    expect(store.aliases('default', 'hello').map((a) => a.spec.name)).toEqual(['live']);
  });
});

describe('updateAlias and deleteAlias', () => {
  it('changes the version, description and routing, and removes routing given empty weights', async () => {
    await store.createAlias('default', 'hello', { name: 'live', functionVersion: '1', description: 'd' });
    const u = await store.updateAlias('default', 'hello', 'live', { functionVersion: '2', routingConfig: { additionalVersionWeights: { 3: 0.1 } } });
    expect(u.spec).toMatchObject({ functionVersion: '2', description: 'd', routingConfig: { additionalVersionWeights: { 3: 0.1 } } });
    expect(store.getAlias('default', 'hello', 'live')).toEqual(u);
    const cleared = await store.updateAlias('default', 'hello', 'live', { routingConfig: {}, description: '' });
    expect(cleared.spec).toEqual({ functionName: 'hello', name: 'live', functionVersion: '2', provisionedConcurrency: 0 });
    expect((await ManifestStore.open(dir)).getAlias('default', 'hello', 'live')).toEqual(cleared);
  });

  it('refuses a bad update and leaves the alias as it was', async () => {
    await store.createAlias('default', 'hello', { name: 'live', functionVersion: '1' });
    await expect(store.updateAlias('default', 'hello', 'live', { routingConfig: { additionalVersionWeights: { 2: 1.5 } } })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(store.updateAlias('default', 'hello', 'live', { routingConfig: { additionalVersionWeights: { 1: 0.5 } } })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(store.updateAlias('default', 'hello', 'live', { functionVersion: '7' })).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(store.updateAlias('default', 'hello', 'gone', { functionVersion: '1' })).rejects.toMatchObject({ statusCode: 404, message: 'Alias not found: hello:gone' });
    expect(store.getAlias('default', 'hello', 'live')?.spec.functionVersion).toBe('1');
    expect(readFileSync(aliasFile('live'), 'utf8')).not.toContain('routingConfig');
  });

  it('deletes the alias file, and answers 404 after', async () => {
    await store.createAlias('default', 'hello', { name: 'live', functionVersion: '1' });
    await store.deleteAlias('default', 'hello', 'live');
    expect(existsSync(aliasFile('live'))).toBe(false);
    expect(store.getAlias('default', 'hello', 'live')).toBeUndefined();
    await expect(store.deleteAlias('default', 'hello', 'live')).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

describe("an alias in the user's own multi-document file", () => {
  const userFile = `# Everything about hello, by hand.
apiVersion: klambda.dev/v1alpha1
kind: Alias
metadata: {name: hello-stable}   # keep this one
spec:
  functionName: hello
  name: stable
  functionVersion: "1"
---
# The production alias.
apiVersion: klambda.dev/v1alpha1
kind: Alias
metadata:
  name: prod
spec:
  functionName: hello     # the function
  functionVersion: "1"    # bump me
---
apiVersion: v1
kind: ConfigMap
metadata: {name: notes}
data: {readme.txt: "hello"}   # not code
`;

  beforeEach(async () => {
    writeFileSync(join(dir, 'mine.yaml'), userFile);
    await store.reload();
  });

  it('edits just that document and keeps the others and the comments', async () => {
    await store.updateAlias('default', 'hello', 'prod', { functionVersion: '3', description: 'live traffic' });
    const text = readFileSync(join(dir, 'mine.yaml'), 'utf8');
    expect(text).toContain('# Everything about hello, by hand.');
    expect(text).toContain('metadata: { name: hello-stable } # keep this one');
    expect(text).toContain('# The production alias.');
    expect(text).toContain('functionName: hello # the function');
    expect(text).toMatch(/functionVersion: "3" # bump me/);
    expect(text).toContain('description: live traffic');
    expect(text).toContain('# not code');
    const reread = parseManifests(text, 'mine.yaml');
    expect(reread.map((o) => o.kind)).toEqual(['Alias', 'Alias', 'ConfigMap']);
    expect(reread[0]).toMatchObject({ spec: { name: 'stable', functionVersion: '1' } });
    expect(reread[1]).toMatchObject({ spec: { name: 'prod', functionVersion: '3' } });
    expect(existsSync(aliasFile('prod'))).toBe(false);
  });

  it('removes just that document on delete, and the other objects stay', async () => {
    await store.deleteAlias('default', 'hello', 'prod');
    const text = readFileSync(join(dir, 'mine.yaml'), 'utf8');
    expect(text).toContain('# Everything about hello, by hand.');
    expect(text).not.toContain('prod');
    expect(parseManifests(text, 'mine.yaml').map((o) => o.metadata.name)).toEqual(['hello-stable', 'notes']);
    expect(store.getAlias('default', 'hello', 'stable')).toBeDefined();
    expect(store.configMap('default', 'notes')).toBeDefined();
    // The ConfigMap is now document 2 of the file, and the store knows it.
    expect(store.locate(store.configMap('default', 'notes')!)).toMatchObject({ source: 'mine.yaml', document: 2 });
    await store.updateAlias('default', 'hello', 'stable', { functionVersion: '2' });
    await store.deleteAlias('default', 'hello', 'stable');
    expect(parseManifests(readFileSync(join(dir, 'mine.yaml'), 'utf8'), 'mine.yaml').map((o) => o.kind)).toEqual(['ConfigMap']);
  });

  it('deletes the file when its last document goes', async () => {
    writeFileSync(join(dir, 'solo.yml'), '# just one\napiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: solo}\nspec: {functionName: hello, functionVersion: "2"}\n');
    await store.reload();
    await store.deleteAlias('default', 'hello', 'solo');
    expect(existsSync(join(dir, 'solo.yml'))).toBe(false);
  });

  it('edits an alias kept in a JSON file as JSON', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name: 'j' }, spec: { functionName: 'hello', functionVersion: '1' } }));
    await store.reload();
    await store.updateAlias('default', 'hello', 'j', { functionVersion: '2' });
    expect(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'))).toMatchObject({ spec: { functionVersion: '2' } });
  });
});
