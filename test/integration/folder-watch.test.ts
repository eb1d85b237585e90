// The local mode's folder watch on a real file system: every folder of the tree (made before or after the watch
// started) is watched, hidden folders and node_modules are not — so the private Redis's append-only file in .klambda/
// never costs a reload or a tree walk.
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchFolder, type FolderWatch } from '../../src/local/folder-watch.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
let watch: FolderWatch | undefined;
let seen: string[];
let errors: Error[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klambda-folder-watch-'));
  mkdirSync(join(dir, 'early', 'deep'), { recursive: true });
  mkdirSync(join(dir, '.klambda', 'redis'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
  seen = [];
  errors = [];
  watch = watchFolder(dir, { change: (rel) => seen.push(rel), error: (err) => errors.push(err) });
});
afterEach(() => { watch?.close(); rmSync(dir, { recursive: true, force: true }); });

const reported = (rel: string) => waitFor(() => seen.includes(rel) || undefined, 5000, `a change at ${rel}`, 5);

it('reports changes in every folder of the tree, those made after it started included', async () => {
  writeFileSync(join(dir, 'a.yaml'), 'x');
  await reported('a.yaml');
  writeFileSync(join(dir, 'early', 'deep', 'b.yaml'), 'x');
  await reported('early/deep/b.yaml');
  mkdirSync(join(dir, 'later'));
  await reported('later');
  mkdirSync(join(dir, 'later', 'inner'));
  await reported('later/inner');
  writeFileSync(join(dir, 'later', 'inner', 'c.yaml'), 'x');
  await reported('later/inner/c.yaml');
  // a folder moved in is watched from then on
  const outside = mkdtempSync(join(tmpdir(), 'klambda-folder-watch-outside-'));
  mkdirSync(join(outside, 'sub'));
  renameSync(outside, join(dir, 'moved'));
  await reported('moved');
  writeFileSync(join(dir, 'moved', 'sub', 'd.yaml'), 'x');
  await reported('moved/sub/d.yaml');
  expect(errors).toEqual([]);
});

it('reports nothing below hidden folders and node_modules, however often they change', async () => {
  for (let i = 0; i < 50; i++) {
    appendFileSync(join(dir, '.klambda', 'redis', 'appendonly.aof'), `*1\r\n$4\r\nPING\r\n`);
    appendFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), '//\n');
  }
  mkdirSync(join(dir, '.klambda', 'code'));
  writeFileSync(join(dir, '.klambda', 'code', 'x.yaml'), 'x');
  // changes are reported in order: once this one is, none of those above was
  writeFileSync(join(dir, 'after.yaml'), 'x');
  await reported('after.yaml');
  expect(seen.filter((rel) => rel.startsWith('.klambda/') || rel.startsWith('node_modules/'))).toEqual([]);
});

it('stops watching a folder once it is gone, and reports nothing after close()', async () => {
  rmSync(join(dir, 'early'), { recursive: true });
  await reported('early');
  watch?.close();
  watch = undefined;
  const before = seen.length;
  writeFileSync(join(dir, 'late.yaml'), 'x');
  // a fresh watch sees the write, the closed one does not
  const again: string[] = [];
  watch = watchFolder(dir, { change: (rel) => again.push(rel), error: () => undefined });
  writeFileSync(join(dir, 'later.yaml'), 'x');
  await waitFor(() => again.includes('later.yaml') || undefined, 5000, 'the fresh watch', 5);
  expect(seen.length).toBe(before);
  expect(errors).toEqual([]);
});
