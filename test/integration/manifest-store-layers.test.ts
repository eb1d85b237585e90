// Layers written by hand in the local mode's folder: a Layer manifest whose versions are a folder and a zip, functions and
// versions using them, every problem named with its file and field, and the merged /opt a function's runtime gets.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestError } from '../../src/api/errors.js';
import { bufferDigest } from '../../src/code/package-digest.js';
import { ManifestStore } from '../../src/local/manifest-store.js';
import { materializeOpt } from '../../src/local/opt-folder.js';
import { makeZip } from '../helpers/zips.js';

let dir: string;
let zip: Buffer;

const layerYaml = (extra = '') => `apiVersion: klambda.dev/v1alpha1
kind: Layer
metadata: {name: shared}
spec:
  versions:
    - version: 1
      code: {path: shared-src/}
    - version: 2
      description: the zip
      code: {path: shared-2.zip}
${extra}`;
const fnYaml = (layers: string) => `apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: hello}
spec:
  runtime: python3.11
  handler: app.handler
  code: {inline: {app.py: "def handler(e, c): return 1"}}
  layers: ${layers}
`;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klambda-layers-'));
  mkdirSync(join(dir, 'shared-src', 'python'), { recursive: true });
  mkdirSync(join(dir, 'shared-src', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'shared-src', 'python', 'shared.py'), 'WHO = "one"\n');
  writeFileSync(join(dir, 'shared-src', 'python', 'only_one.py'), 'X = 1\n');
  writeFileSync(join(dir, 'shared-src', 'bin', 'tool'), '#!/bin/sh\necho one\n', { mode: 0o755 });
  zip = await makeZip([
    { name: 'python/shared.py', data: 'WHO = "two"\n' },
    { name: 'lib/libx.so', data: 'ELF' },
  ]);
  writeFileSync(join(dir, 'shared-2.zip'), zip);
  writeFileSync(join(dir, 'layer.yaml'), layerYaml());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(): Promise<string[]> {
  const err = await ManifestStore.open(dir).then((s) => { s.close(); return undefined; }, (e: unknown) => e);
  if (!(err instanceof ManifestError)) throw new Error(`expected a ManifestError, got ${String(err)}`);
  return err.issues.map((i) => `${i.source}: ${i.path}: ${i.message}`);
}

it('loads a layer whose versions are a folder and a zip, and a function using both, in order', async () => {
  writeFileSync(join(dir, 'fn.yaml'), fnYaml('[shared:1]'));
  const store = await ManifestStore.open(dir);
  try {
    const snap = store.snapshot();
    expect(snap.layers('default').map((l) => l.metadata.name)).toEqual(['shared']);
    const v2 = snap.layerVersion('default', 'shared', 2)!;
    expect(snap.layerPackage(v2)).toMatchObject({ sha256: bufferDigest(zip).sha256, size: zip.length, folder: false });
    expect(snap.layerPackage(snap.layerVersion('default', 'shared', 1)!)).toMatchObject({ folder: true });
    expect(store.getFunction('default', 'hello')!.spec.layers).toEqual(['shared:1']);
  } finally {
    store.close();
  }
});

it('merges the layers into one /opt per combination: later layers win, folders merge, the folder is reused', async () => {
  writeFileSync(join(dir, 'other.yaml'), 'apiVersion: klambda.dev/v1alpha1\nkind: Layer\nmetadata: {name: other}\nspec:\n  versions:\n    - {version: 1, code: {path: shared-2.zip}}\n');
  const store = await ManifestStore.open(dir);
  const cache = join(dir, '.klambda', 'code');
  try {
    const opt = (await materializeOpt(store.snapshot(), 'default', ['shared:1', 'arn:aws:lambda:us-east-1:000000000000:layer:other:1'], cache))!;
    expect(opt.startsWith(join(dir, '.klambda', 'opt'))).toBe(true);
    expect(readFileSync(join(opt, 'python', 'shared.py'), 'utf8')).toBe('WHO = "two"\n');
    expect(readFileSync(join(opt, 'python', 'only_one.py'), 'utf8')).toBe('X = 1\n');
    expect(readdirSync(opt).sort()).toEqual(['bin', 'lib', 'python']);
    expect(statSync(join(opt, 'bin', 'tool')).mode & 0o777).toBe(0o755);
    expect(statSync(join(opt, 'lib', 'libx.so')).mode & 0o777).toBe(0o644);
    expect(await materializeOpt(store.snapshot(), 'default', ['shared:1', 'other:1'], cache)).toBe(opt);
    const reversed = (await materializeOpt(store.snapshot(), 'default', ['other:1', 'shared:1'], cache))!;
    expect(reversed).not.toBe(opt);
    expect(readFileSync(join(reversed, 'python', 'shared.py'), 'utf8')).toBe('WHO = "one"\n');
    expect(await materializeOpt(store.snapshot(), 'default', undefined, cache)).toBeUndefined();
    // nothing half-made is left beside them
    expect(readdirSync(join(dir, '.klambda', 'opt')).filter((n) => n.startsWith('.'))).toEqual([]);
  } finally {
    store.close();
  }
});

it('refuses a function using a version the folder does not hold, or one layer twice, naming the field', async () => {
  writeFileSync(join(dir, 'fn.yaml'), fnYaml('[shared:1, nothing:1, shared:7]'));
  expect(await refusal()).toEqual([
    'fn.yaml: spec.layers: Two different versions of the same layer are not allowed to be referenced in the same function. shared:1 and shared:7 are versions of the same layer.',
    'fn.yaml: spec.layers[1]: layer version nothing:1 does not exist: no Layer "nothing" with version 1 in namespace default; add its Layer manifest to the folder',
    'fn.yaml: spec.layers[2]: layer version shared:7 does not exist: no Layer "shared" with version 7 in namespace default; add its Layer manifest to the folder',
  ]);
});

it('refuses a published version whose zip changed, S3 code, and a missing folder', async () => {
  writeFileSync(join(dir, 'layer.yaml'), `apiVersion: klambda.dev/v1alpha1
kind: Layer
metadata: {name: shared}
spec:
  versions:
    - {version: 1, code: {path: shared-2.zip}, codeSha256: "${'A'.repeat(43)}="}
    - {version: 2, code: {s3: {bucket: layers, key: shared.zip}}}
    - {version: 3, code: {path: gone/}}
`);
  const issues = await refusal();
  expect(issues).toHaveLength(3);
  expect(issues[0]).toMatch(/^layer\.yaml: spec\.versions\[0\]\.code\.path: version 1 was published with CodeSha256 A+=, but its code now has .+: a published layer version is immutable/);
  expect(issues[1]).toBe('layer.yaml: spec.versions[1].code.s3: the local mode has no S3 code store: give the layer version a code.path (a folder or zip beside the manifest)');
  expect(issues[2]).toMatch(/^layer\.yaml: spec\.versions\[2\]\.code\.path: no such file or folder: /);
});
