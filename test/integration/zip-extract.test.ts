// Unpacking code packages on a real file system: what a zip holds comes out whole (binary bytes, executable bits,
// links inside the package), and hostile zips — slips, absolute names, links out, bombs, duplicates, floods of
// entries, garbage — are refused with AWS's error and nothing written outside the target (nor the target itself).
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackZip } from '../../src/code/zip-extract.js';
import { digestEntries, listFolder, zipEntries } from '../../src/code/zip-folder.js';
import { bufferDigest } from '../../src/code/package-digest.js';
import { makeZip, renameInZip } from '../helpers/zips.js';

let dir: string;
let dest: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'klambda-unzip-'));
  mkdirSync(join(dir, 'work'));
  dest = join(dir, 'work', 'pkg');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function unpack(zip: Buffer, limits = {}) {
  const file = join(dir, 'in.zip');
  writeFileSync(file, zip);
  return unpackZip(file, dest, limits);
}

/** Only what the test made: the target folder's parent holds nothing (no half-unpacked folder, no escapee). */
function nothingWritten(): void {
  expect(readdirSync(join(dir, 'work'))).toEqual([]);
  expect(readdirSync(dir).sort()).toEqual(['in.zip', 'work']);
}

it('unpacks files, folders, binary bytes, executable bits and links that stay inside', async () => {
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const r = await unpack(await makeZip([
    { name: 'index.mjs', data: 'export const handler = async () => 1;' },
    { name: 'bin/tool', data: '#!/bin/sh\necho hi\n', mode: 0o100755 },
    { name: 'lib/data.bin', data: binary },
    { name: 'node_modules/.bin/tool', data: '../../bin/tool', link: true },
    { name: 'empty/', dir: true },
  ]));
  expect(r).toEqual({ files: 3, bytes: 37 + 18 + 256 });
  expect(readFileSync(join(dest, 'lib/data.bin'))).toEqual(binary);
  expect(statSync(join(dest, 'bin/tool')).mode & 0o777).toBe(0o755);
  expect(statSync(join(dest, 'index.mjs')).mode & 0o777).toBe(0o644);
  expect(lstatSync(join(dest, 'node_modules/.bin/tool')).isSymbolicLink()).toBe(true);
  expect(readlinkSync(join(dest, 'node_modules/.bin/tool'))).toBe('../../bin/tool');
  expect(statSync(join(dest, 'empty')).isDirectory()).toBe(true);
});

it('refuses an entry that climbs out with ../', async () => {
  const zip = renameInZip(await makeZip([{ name: 'ok.txt', data: 'x' }, { name: 'zz/zz/evil.txt', data: 'pwned' }]), 'zz/zz/evil.txt', '../../evil.txt');
  await expect(unpack(zip)).rejects.toMatchObject({ awsType: 'InvalidParameterValueException', message: expect.stringMatching(/Could not unzip uploaded file.*evil/) });
  nothingWritten();
});

it('refuses an absolute entry name', async () => {
  const target = join(dir, 'abs.txt');
  const fake = `z${target.slice(1)}`;
  const zip = renameInZip(await makeZip([{ name: fake, data: 'pwned' }]), fake, target);
  await expect(unpack(zip)).rejects.toMatchObject({ awsType: 'InvalidParameterValueException' });
  expect(existsSync(target)).toBe(false);
  nothingWritten();
});

it.each([
  ['a relative link above the package', '../../../etc'],
  ['an absolute link', '/etc/passwd'],
])('refuses %s', async (_what, target) => {
  const zip = await makeZip([{ name: 'a.txt', data: 'x' }, { name: 'sub/escape', data: target, link: true }]);
  await expect(unpack(zip)).rejects.toMatchObject({ message: expect.stringContaining('points outside the package') });
  nothingWritten();
});

it('never writes through a link: an entry below a link name is refused', async () => {
  const zip = await makeZip([{ name: 'out', data: '.', link: true }, { name: 'out/x.txt', data: 'x' }]);
  await expect(unpack(zip)).rejects.toMatchObject({ awsType: 'InvalidParameterValueException' });
  nothingWritten();
});

it('stops a zip bomb while streaming: the unzipped size is capped, whatever the headers say', async () => {
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  const zip = await makeZip([{ name: 'a.bin', data: zeros }, { name: 'b.bin', data: zeros }]);
  expect(zip.length).toBeLessThan(100_000);
  await expect(unpack(zip, { maxBytes: 10 * 1024 * 1024 })).rejects.toMatchObject({
    awsType: 'InvalidParameterValueException', message: 'Unzipped size must be smaller than 10485760 bytes',
  });
  nothingWritten();
});

it('refuses an entry whose header lies about its size', async () => {
  const zip = await makeZip([{ name: 'a.bin', data: Buffer.alloc(4096, 7), compress: false }]);
  // the central directory's uncompressed size (offset 24 of its record) says 16 bytes
  const central = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zip.writeUInt32LE(16, central + 24);
  await expect(unpack(zip)).rejects.toMatchObject({ awsType: 'InvalidParameterValueException' });
  nothingWritten();
});

it('refuses duplicate names', async () => {
  const zip = renameInZip(await makeZip([{ name: 'a.txt', data: '1' }, { name: 'b.txt', data: '2' }]), 'b.txt', 'a.txt');
  await expect(unpack(zip)).rejects.toMatchObject({ message: expect.stringContaining('duplicate entry "a.txt"') });
  nothingWritten();
});

it('refuses more entries than the cap, and bytes that are not a zip', async () => {
  await expect(unpack(await makeZip([{ name: 'a', data: '' }, { name: 'b', data: '' }, { name: 'c', data: '' }]), { maxEntries: 2 }))
    .rejects.toMatchObject({ message: expect.stringContaining('3 entries; at most 2') });
  nothingWritten();
  await expect(unpack(Buffer.from('this is not a zip file at all, not even close'))).rejects.toMatchObject({ awsType: 'InvalidParameterValueException' });
  nothingWritten();
});

it('zips a folder the same way every time, and the zip unpacks to the same files', async () => {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'lib'), { recursive: true });
  writeFileSync(join(src, 'index.mjs'), 'export const handler = async () => 2;');
  writeFileSync(join(src, 'lib', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  const first = await digestEntries(await listFolder(src));
  // a touch changes times, not the package
  writeFileSync(join(src, 'index.mjs'), 'export const handler = async () => 2;');
  const second = await digestEntries(await listFolder(src));
  expect(second).toEqual(first);
  const chunks: Buffer[] = [];
  for await (const c of zipEntries(await listFolder(src)) as AsyncIterable<Buffer>) chunks.push(c);
  const zip = Buffer.concat(chunks);
  expect(bufferDigest(zip)).toEqual(first);
  await unpack(zip);
  expect(readFileSync(join(dest, 'index.mjs'), 'utf8')).toBe('export const handler = async () => 2;');
  expect(statSync(join(dest, 'lib/run.sh')).mode & 0o777).toBe(0o755);
  writeFileSync(join(src, 'index.mjs'), 'export const handler = async () => 3;');
  expect((await digestEntries(await listFolder(src))).sha256).not.toBe(first.sha256);
});
