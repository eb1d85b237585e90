// The local code cache: files written once per digest, bootstrap executable, ConfigMap code, images refused.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ResourceNotFoundError, UnsupportedCodeError } from '../../src/api/errors.js';
import { materializeCode } from '../../src/local/code-cache.js';
import { ManifestStore } from '../../src/local/manifest-store.js';

let dir: string;
let cache: string;
let store: ManifestStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klambda-code-'));
  cache = join(dir, '.klambda', 'code');
  writeFileSync(join(dir, 'fns.yaml'), `apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: shell}
spec:
  runtime: provided
  code:
    inline:
      bootstrap: "#!/bin/sh\\necho hi\\n"
      lib/util.sh: "echo util"
---
apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: py}
spec: {runtime: python3.11, handler: app.handler, code: {configMap: {name: py-code}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: py-code}
data: {app.py: "def handler(e, c): return 1"}
---
apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: img}
spec: {runtime: provided, code: {image: "registry.example/app:1"}}
`);
  store = await ManifestStore.open(dir);
});
afterEach(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

const spec = (name: string) => store.getFunction('default', name)!.spec;

it('writes inline files under the cache, once, with bootstrap executable', async () => {
  const codeDir = await materializeCode(store, 'default', spec('shell'), cache);
  expect(isAbsolute(codeDir)).toBe(true);
  expect(codeDir.startsWith(cache)).toBe(true);
  expect(readFileSync(join(codeDir, 'bootstrap'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
  expect(readFileSync(join(codeDir, 'lib', 'util.sh'), 'utf8')).toBe('echo util');
  expect(statSync(join(codeDir, 'bootstrap')).mode & 0o777).toBe(0o755);
  expect(statSync(join(codeDir, 'lib', 'util.sh')).mode & 0o111).toBe(0);
  // Readable by the runtime's unprivileged user, whatever the umask of klambda dev.
  expect([codeDir, join(codeDir, 'lib')].map((d) => statSync(d).mode & 0o777)).toEqual([0o755, 0o755]);
  expect(statSync(join(codeDir, 'lib', 'util.sh')).mode & 0o777).toBe(0o644);

  // A second call finds the folder and writes nothing: a file we drop in stays, and the same folder comes back.
  writeFileSync(join(codeDir, 'marker'), 'x');
  expect(await materializeCode(store, 'default', spec('shell'), cache)).toBe(codeDir);
  expect(existsSync(join(codeDir, 'marker'))).toBe(true);
});

it('writes a ConfigMap code, and a published version with the same files shares the folder', async () => {
  const codeDir = await materializeCode(store, 'default', spec('py'), cache);
  expect(readdirSync(codeDir)).toEqual(['app.py']);
  const v1 = await store.publishVersion('default', 'py');
  expect(await materializeCode(store, 'default', v1.spec.function, cache)).toBe(codeDir);
});

it('gives different code different folders', async () => {
  const a = await materializeCode(store, 'default', spec('shell'), cache);
  const b = await materializeCode(store, 'default', spec('py'), cache);
  expect(a).not.toBe(b);
});

it('lands one folder when many ask at once, with no temporary folders left', async () => {
  const dirs = await Promise.all(Array.from({ length: 5 }, () => materializeCode(store, 'default', spec('shell'), cache)));
  expect(new Set(dirs).size).toBe(1);
  expect(readdirSync(cache)).toHaveLength(1);
});

it('refuses a container image with a clear typed error', async () => {
  const err = await materializeCode(store, 'default', spec('img'), cache).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UnsupportedCodeError);
  expect((err as Error).message).toBe('The local mode cannot run container images (spec.code.image: registry.example/app:1); use spec.code.inline, spec.code.configMap or spec.code.path');
  expect(existsSync(cache)).toBe(false);
});

it('refuses a missing ConfigMap with a 404', async () => {
  await expect(materializeCode(store, 'default', { code: { configMap: { name: 'gone' } } }, cache)).rejects.toBeInstanceOf(ResourceNotFoundError);
});
