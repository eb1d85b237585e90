// The manifest store on a real folder: loading all-or-nothing, the snapshot API, and publishing versions.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { codeSha256 } from '../../src/api/code.js';
import { InvalidParameterError, ManifestError, ResourceNotFoundError } from '../../src/api/errors.js';
import { parseManifests } from '../../src/api/parse.js';
import { ManifestStore } from '../../src/local/manifest-store.js';

let dir: string;
let store: ManifestStore | undefined;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'klambda-store-')); });
afterEach(() => { store?.close(); store = undefined; rmSync(dir, { recursive: true, force: true }); });

const write = (file: string, text: string) => {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
};

const fn = (name: string, body = 'export const handler = async () => 1;', extra = '') => `apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: ${name}}
spec:
  runtime: nodejs20
  handler: index.handler
  code:
    inline:
      index.mjs: ${JSON.stringify(body)}
${extra}`;

const version = (f: string, v: string) => `apiVersion: klambda.dev/v1alpha1
kind: FunctionVersion
metadata: {name: ${f}-v${v}}
spec:
  functionName: ${f}
  version: "${v}"
  codeSha256: ${codeSha256({ kind: 'files', files: { 'index.mjs': v } })}
  function: {runtime: nodejs20, handler: index.handler, code: {inline: {index.mjs: "${v}"}}}
`;

async function openError(): Promise<ManifestError> {
  const err = await ManifestStore.open(dir).then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ManifestError)) throw new Error(`expected a ManifestError, got ${String(err)}`);
  return err;
}

describe('loading a folder', () => {
  it('reads every manifest recursively, skipping dot-folders, node_modules and package.json', async () => {
    write('hello.yaml', fn('hello'));
    write('nested/deeper/other.yml', fn('other'));
    write('versions.yaml', [version('hello', '10'), version('hello', '2'), version('hello', '1')].join('---\n'));
    write('aliases.json', JSON.stringify({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name: 'hello-prod' }, spec: { functionName: 'hello', name: 'prod', functionVersion: '2' } }));
    write('code.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: code}\ndata: {index.mjs: "x"}\n');
    write('.hidden/bad.yaml', 'kind: Nope\n');
    write('node_modules/pkg/bad.yaml', 'kind: Nope\n');
    write('package.json', '{"name": "x"}');
    write('notes.txt', 'not a manifest');
    store = await ManifestStore.open(dir);
    expect(store.functions().map((f) => f.metadata.name)).toEqual(['hello', 'other']);
    expect(store.getFunction('default', 'other')?.spec.memoryMB).toBe(128);
    expect(store.getFunction('default', 'missing')).toBeUndefined();
    expect(store.getFunction('elsewhere', 'hello')).toBeUndefined();
    expect(store.versions('default', 'hello').map((v) => v.spec.version)).toEqual(['1', '2', '10']);
    expect(store.getVersion('default', 'hello', '2')?.spec.function.code.inline).toEqual({ 'index.mjs': '2' });
    expect(store.aliases('default', 'hello').map((a) => a.spec.name)).toEqual(['prod']);
    expect(store.getAlias('default', 'hello', 'prod')?.spec.functionVersion).toBe('2');
    expect(store.getAlias('default', 'hello', 'hello-prod')).toBeUndefined();
    expect(store.configMap('default', 'code')?.data).toEqual({ 'index.mjs': 'x' });
    expect(store.locate(store.getFunction('default', 'other')!)).toMatchObject({ source: 'nested/deeper/other.yml', document: 1 });
  });

  it('refuses a folder with one bad file, naming the file, and reports every bad file', async () => {
    write('good.yaml', fn('good'));
    write('bad.yaml', fn('bad', 'x', '  memoryMB: 64\n'));
    write('sub/worse.yaml', fn('worse', 'x', '  timeout: 3\n'));
    const err = await openError();
    expect(err.issues.map((i) => `${i.source} ${i.path}`)).toEqual(['bad.yaml spec.memoryMB', 'sub/worse.yaml spec.timeout']);
    expect(err.message).toContain('bad.yaml (document 1, line 10): spec.memoryMB: must be >= 128, got 64');
  });

  it("leaves a code folder's own YAML and JSON to the code (vendored data, pip's dist-info), yet reads a manifest kept there", async () => {
    const pathFn = (name: string, path: string) => `apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: ${name}}
spec: {runtime: python3.11, handler: app.handler, code: {path: ${path}}}
`;
    write('api.yaml', pathFn('api', './api'));
    write('api/app.py', 'def handler(e, c):\n    return 1\n');
    write('api/yaml_pkg-6.0.dist-info/direct_url.json', '{"url": "file:///build/yaml_pkg", "dir_info": {}}');
    write('api/config/settings.yaml', 'debug: true\nlevels: [1, 2\n'); // not even valid YAML
    write('api/data.json', '[1, 2, 3]');
    write('api/more.yaml', fn('more')); // object-shaped: still a manifest
    store = await ManifestStore.open(dir);
    expect(store.functions().map((f) => f.metadata.name)).toEqual(['api', 'more']);
    // outside every code folder, the same file is still refused
    write('stray.json', '{"url": "x"}');
    write('api/broken.yaml', 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: broken}\n');
    const err = await ManifestStore.open(dir).then(() => undefined, (e: unknown) => e as ManifestError);
    expect(err?.issues.map((i) => i.source).sort()).toEqual(['api/broken.yaml', 'stray.json']);
  });

  it('refuses two objects of the same kind, namespace and name, naming both files', async () => {
    write('a.yaml', fn('hello'));
    write('b/c.yaml', `${fn('other')}---\n${fn('hello')}`);
    const err = await openError();
    expect(err.issues).toHaveLength(1);
    expect(err.message).toBe('b/c.yaml (document 2): metadata.name: Function default/hello is defined twice: in a.yaml (document 1) and in b/c.yaml (document 2)');
  });

  it('refuses two versions with one number and two aliases with one name', async () => {
    write('v.yaml', `${version('hello', '1')}---\n${version('hello', '1').replace('name: hello-v1', 'name: copy')}`);
    write('a.yaml', 'apiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: a}\nspec: {functionName: hello, name: live, functionVersion: "1"}\n---\napiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: b}\nspec: {functionName: hello, name: live, functionVersion: "1"}\n');
    const err = await openError();
    expect(err.issues.map((i) => i.message)).toEqual([
      'alias live of function default/hello is defined twice: in a.yaml (document 1) and in a.yaml (document 2)',
      'version 1 of function default/hello is defined twice: in v.yaml (document 1) and in v.yaml (document 2)',
    ]);
  });

  it('refuses a function whose ConfigMap is not in the folder', async () => {
    write('f.yaml', 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: f}\nspec: {runtime: python3.11, handler: app.handler, code: {configMap: {name: f-code}}}\n');
    const err = await openError();
    expect(err.issues).toEqual([{ source: 'f.yaml', document: 1, path: 'spec.code.configMap.name', message: 'ConfigMap not found: f-code in namespace default; add its manifest to the folder' }]);
  });

  it('keeps the last good snapshot when a reload fails', async () => {
    write('hello.yaml', fn('hello'));
    store = await ManifestStore.open(dir);
    write('hello.yaml', fn('hello', 'x', '  memoryMB: 1\n'));
    await expect(store.reload()).rejects.toBeInstanceOf(ManifestError);
    expect(store.getFunction('default', 'hello')?.spec.memoryMB).toBe(128);
    write('hello.yaml', fn('hello', 'x', '  memoryMB: 256\n'));
    await store.reload();
    expect(store.getFunction('default', 'hello')?.spec.memoryMB).toBe(256);
  });
});

describe('publishVersion', () => {
  it('publishes 1, returns it again while nothing changed, and 2 after a code change', async () => {
    write('hello.yaml', fn('hello', 'one'));
    store = await ManifestStore.open(dir);
    const v1 = await store.publishVersion('default', 'hello', { description: 'first' });
    expect(v1.spec).toMatchObject({ functionName: 'hello', version: '1', description: 'first', codeSha256: codeSha256({ kind: 'files', files: { 'index.mjs': 'one' } }) });
    expect(v1.metadata).toEqual({ name: 'hello-v1', namespace: 'default' });
    expect(store.getVersion('default', 'hello', '1')).toEqual(v1);
    const file = join(dir, 'hello.v1.functionversion.yaml');
    expect(parseManifests(readFileSync(file, 'utf8'), file)).toEqual([v1]);

    expect((await store.publishVersion('default', 'hello')).spec.version).toBe('1');

    write('hello.yaml', fn('hello', 'two'));
    const v2 = await store.publishVersion('default', 'hello');
    expect(v2.spec.version).toBe('2');
    expect(v2.spec.function.code.inline).toEqual({ 'index.mjs': 'two' });
    expect(store.getVersion('default', 'hello', '1')?.spec.function.code.inline).toEqual({ 'index.mjs': 'one' });
    expect(store.versions('default', 'hello').map((v) => v.spec.version)).toEqual(['1', '2']);

    const reopened = await ManifestStore.open(dir);
    expect(reopened.versions('default', 'hello')).toEqual(store.versions('default', 'hello'));
  });

  it('publishes a new version when only the configuration changed', async () => {
    write('hello.yaml', fn('hello'));
    store = await ManifestStore.open(dir);
    await store.publishVersion('default', 'hello');
    write('hello.yaml', fn('hello', undefined, '  memoryMB: 512\n'));
    const v2 = await store.publishVersion('default', 'hello');
    expect(v2.spec.version).toBe('2');
    expect(v2.spec.function.memoryMB).toBe(512);
    expect(v2.spec.codeSha256).toBe(store.getVersion('default', 'hello', '1')?.spec.codeSha256);
  });

  it('copies ConfigMap code into the version, so the version keeps it after the ConfigMap changes', async () => {
    const cm = (text: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: py-code}\ndata:\n  app.py: ${JSON.stringify(text)}\n`;
    write('py.yaml', 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: py}\nspec: {runtime: python3.11, handler: app.handler, code: {configMap: {name: py-code}}}\n');
    write('code.yaml', cm('v1'));
    store = await ManifestStore.open(dir);
    const v1 = await store.publishVersion('default', 'py');
    expect(v1.spec.function.code).toEqual({ inline: { 'app.py': 'v1' } });
    expect(v1.spec.codeSha256).toBe(store.codeSha256('default', store.getFunction('default', 'py')!.spec));
    expect((await store.publishVersion('default', 'py')).spec.version).toBe('1');
    write('code.yaml', cm('v2'));
    expect((await store.publishVersion('default', 'py')).spec.version).toBe('2');
    expect(store.getVersion('default', 'py', '1')?.spec.function.code).toEqual({ inline: { 'app.py': 'v1' } });
  });

  it('checks the CodeSha256 precondition and refuses an unknown function', async () => {
    write('hello.yaml', fn('hello'));
    store = await ManifestStore.open(dir);
    await expect(store.publishVersion('default', 'hello', { codeSha256: 'x' })).rejects.toBeInstanceOf(InvalidParameterError);
    const sha = store.codeSha256('default', store.getFunction('default', 'hello')!.spec);
    expect((await store.publishVersion('default', 'hello', { codeSha256: sha })).spec.version).toBe('1');
    await expect(store.publishVersion('default', 'nope')).rejects.toMatchObject({ statusCode: 404, awsType: 'ResourceNotFoundException' });
    await expect(store.publishVersion('default', 'nope')).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('never gives one number twice when publishes race: five at once take the same-digest short cut', async () => {
    write('hello.yaml', fn('hello'));
    store = await ManifestStore.open(dir);
    const s = store;
    const out = await Promise.all([1, 2, 3, 4, 5].map(() => s.publishVersion('default', 'hello')));
    expect(out.map((v) => v.spec.version)).toEqual(['1', '1', '1', '1', '1']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.functionversion.yaml'))).toEqual(['hello.v1.functionversion.yaml']);
  });

  it('numbers racing publishes of changing code 1, 2, 3… with one digest per number', async () => {
    write('hello.yaml', fn('hello', 'start'));
    store = await ManifestStore.open(dir);
    const s = store;
    // Each task replaces the code (atomically, as an editor does) and publishes; the I/O interleaves with the publishes.
    const out = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      for (let t = 0; t < i * 3; t++) await new Promise((r) => setImmediate(r));
      await writeFile(join(dir, `.edit-${i}`), fn('hello', `code ${i}`));
      await rename(join(dir, `.edit-${i}`), join(dir, 'hello.yaml'));
      return s.publishVersion('default', 'hello');
    }));
    const digestOf = new Map<string, string>();
    for (const v of out) {
      expect(digestOf.get(v.spec.version) ?? v.spec.codeSha256).toBe(v.spec.codeSha256);
      digestOf.set(v.spec.version, v.spec.codeSha256);
    }
    const numbers = store.versions('default', 'hello').map((v) => Number(v.spec.version));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(new Set(store.versions('default', 'hello').map((v) => v.spec.codeSha256)).size).toBe(numbers.length);
  });

  it('refuses to write while the folder has errors', async () => {
    write('hello.yaml', fn('hello'));
    store = await ManifestStore.open(dir);
    write('broken.yaml', 'kind: [\n');
    await expect(store.publishVersion('default', 'hello')).rejects.toBeInstanceOf(ManifestError);
    expect(readdirSync(dir).filter((f) => f.endsWith('.functionversion.yaml'))).toEqual([]);
  });
});
