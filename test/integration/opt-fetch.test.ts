// A pod's layers on a real versitygw: each layer's zip read with its own presigned URL, checked against its CodeSha256
// and CodeSize, unpacked once per digest into the node's cache, then merged in the function's order into the opt
// volume (a later layer's file over an earlier one's, folders merged), readable by any user; a layer that is not the
// version's is refused with nothing merged.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareLayers } from '../../src/agent/opt-fetch.js';
import type { PackageRef } from '../../src/agent/package-fetch.js';
import { CodeStore, type StoredPackage } from '../../src/code/code-store.js';
import { digestName } from '../../src/code/package-digest.js';
import { startVersityGw, type VersityGw } from '../helpers/versitygw.js';
import { makeZip } from '../helpers/zips.js';

let gw: VersityGw;
let store: CodeStore;
let first: StoredPackage;
let second: StoredPackage;
let work: string;

beforeAll(async () => {
  gw = await startVersityGw();
  store = new CodeStore({ endpoint: gw.endpoint, region: gw.region, bucket: 'klambda-code', credentials: gw.root });
  first = await store.putPackage('team-a', await makeZip([
    { name: 'bin/tool', data: '#!/bin/sh\necho first\n', mode: 0o100750 },
    { name: 'python/shared.py', data: 'WHO = "first"\n', mode: 0o100600 },
    { name: 'python/only_first.py', data: 'X = 1\n' },
    { name: 'lib/libx.so', data: 'first lib' },
  ]));
  second = await store.putPackage('team-a', await makeZip([
    { name: 'bin/tool', data: '#!/bin/sh\necho second\n', mode: 0o100755 },
    { name: 'python/shared.py', data: 'WHO = "second"\n' },
    { name: 'nodejs/node_modules/greet/index.js', data: 'module.exports = 1;\n' },
  ]));
}, 120_000);

afterAll(async () => {
  store?.destroy();
  await gw?.stop();
});

beforeEach(() => { work = mkdtempSync(join(tmpdir(), 'klambda-opt-fetch-')); });
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Each layer's URL in its own file, as the agent Secret holds them (layer-1-url, …). */
async function refs(...layers: Array<StoredPackage & { claim?: Partial<PackageRef> }>): Promise<PackageRef[]> {
  const secret = join(work, 'secret');
  mkdirSync(secret, { recursive: true });
  const out: PackageRef[] = [];
  for (const [i, l] of layers.entries()) {
    const urlFile = join(secret, `layer-${i + 1}-url`);
    writeFileSync(urlFile, await store.presignRead(l.key, 60));
    out.push({ sha256: l.sha256, size: l.size, urlFile, ...l.claim });
  }
  return out;
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const mode = (dir: string, file: string) => (lstatSync(join(dir, file)).mode & 0o777).toString(8);

it('merges the layers in order into the opt volume: later files win, folders merge, everything readable', async () => {
  const cache = join(work, 'cache');
  const opt = join(work, 'opt');
  const out = await prepareLayers({ layers: await refs(first, second), cacheDir: cache, targetDir: opt });
  expect(out.cached).toBe(false);
  expect(read(opt, 'bin/tool')).toBe('#!/bin/sh\necho second\n');
  expect(read(opt, 'python/shared.py')).toBe('WHO = "second"\n');
  expect(read(opt, 'python/only_first.py')).toBe('X = 1\n');
  expect(read(opt, 'lib/libx.so')).toBe('first lib');
  expect(read(opt, 'nodejs/node_modules/greet/index.js')).toBe('module.exports = 1;\n');
  expect([mode(opt, 'bin/tool'), mode(opt, 'python/shared.py'), mode(opt, 'python')]).toEqual(['755', '644', '755']);
  // each layer once in the node's cache, by digest
  expect(readdirSync(cache).filter((e) => !e.startsWith('.')).sort()).toEqual([digestName(first.sha256), digestName(second.sha256)].sort());
});

it('takes the other order as another /opt, from the cache, and empties what the volume held before', async () => {
  const cache = join(work, 'cache');
  const opt = join(work, 'opt');
  await prepareLayers({ layers: await refs(first, second), cacheDir: cache, targetDir: opt });
  writeFileSync(join(opt, 'stale.txt'), 'from a container that restarted');
  const again = await prepareLayers({ layers: await refs(second, first), cacheDir: cache, targetDir: opt });
  expect(again.cached).toBe(true);
  expect(read(opt, 'bin/tool')).toBe('#!/bin/sh\necho first\n');
  expect(read(opt, 'python/shared.py')).toBe('WHO = "first"\n');
  expect(readdirSync(opt)).not.toContain('stale.txt');
});

it('refuses a layer that is not the version\'s (another CodeSha256), caching and merging nothing of it', async () => {
  const cache = join(work, 'cache');
  const opt = join(work, 'opt');
  const wrong = { ...second, claim: { sha256: first.sha256 } };
  await expect(prepareLayers({ layers: await refs(wrong), cacheDir: cache, targetDir: opt })).rejects.toThrow(/is not the version's: CodeSha256/);
  expect(readdirSync(cache).filter((e) => !e.startsWith('.'))).toEqual([]);
  expect(() => readdirSync(opt)).toThrow();
});
