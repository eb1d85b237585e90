// Unpacks a zip package (hostile input) into a new folder: nothing outside it, sizes capped while streaming, modes kept.
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { badZip, MAX_ENTRIES, MAX_ENTRY_RATIO, MAX_UNZIPPED_BYTES, unzippedTooLarge, type UnpackLimits } from './package-limits.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
/** Zips made on Windows carry no Unix mode: their `bootstrap` is still meant to run. */
const EXECUTABLE_WITHOUT_MODE = new Set(['bootstrap']);

export interface UnpackResult {
  files: number;
  /** Bytes written. */
  bytes: number;
}

/** Unpacks `zipPath` into `dest`, which must not exist; it appears whole (written aside, then renamed) or not at all. */
export async function unpackZip(zipPath: string, dest: string, limits: UnpackLimits = {}): Promise<UnpackResult> {
  const target = resolve(dest);
  await mkdir(dirname(target), { recursive: true });
  const tmp = await mkdtemp(join(dirname(target), '.unpack-'));
  try {
    const result = await unpackInto(zipPath, tmp, limits);
    await chmod(tmp, 0o755);
    await rename(tmp, target);
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Unpacks into an existing empty folder (the caller removes it on failure). */
export async function unpackInto(zipPath: string, root: string, limits: UnpackLimits = {}): Promise<UnpackResult> {
  const maxBytes = limits.maxBytes ?? MAX_UNZIPPED_BYTES;
  const maxEntries = limits.maxEntries ?? MAX_ENTRIES;
  const zip = await openZip(zipPath);
  const seen = new Set<string>();
  const dirs = new Set<string>();
  const links: { name: string; target: string }[] = [];
  const ranges: [number, number][] = [];
  let bytes = 0;
  let files = 0;
  try {
    if (zip.entryCount > maxEntries) throw badZip(`${zip.entryCount} entries; at most ${maxEntries}`);
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const name = entryName(entry);
      const isDir = entry.fileName.endsWith('/');
      if (seen.has(name)) throw badZip(`duplicate entry ${JSON.stringify(name)}`);
      seen.add(name);
      if (name === '') continue;
      const path = resolve(root, name);
      if (!path.startsWith(root + sep)) throw badZip(`entry ${JSON.stringify(entry.fileName)} is outside the package`);
      if (entry.isEncrypted()) throw badZip(`entry ${JSON.stringify(name)} is encrypted`);
      // Unix modes only from zips made on Unix (version made by: 3)
      const mode = (entry.versionMadeBy >> 8) === 3 ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
      const kind = mode & S_IFMT;
      if (isDir || kind === S_IFDIR) {
        await makeDirs(root, name, dirs, seen);
        continue;
      }
      // two entries sharing their bytes: the overlapping-entry zip bomb
      const start = entry.relativeOffsetOfLocalHeader;
      const end = start + 30 + entry.fileNameLength + entry.compressedSize;
      if (ranges.some(([s, e]) => start < e && s < end)) throw badZip(`entry ${JSON.stringify(name)} overlaps another entry`);
      ranges.push([start, end]);
      await makeDirs(root, posix.dirname(name), dirs, seen);
      if (kind === S_IFLNK) {
        if (entry.uncompressedSize > 4096) throw badZip(`symlink ${JSON.stringify(name)} is too long`);
        const linkTarget = (await readEntry(zip, entry, 4096)).toString('utf8');
        checkLink(root, name, linkTarget);
        links.push({ name, target: linkTarget });
        continue;
      }
      if (bytes + entry.uncompressedSize > maxBytes) throw unzippedTooLarge(maxBytes);
      const written = await writeEntry(zip, entry, path, maxBytes - bytes, maxBytes);
      bytes += written;
      files++;
      const executable = mode !== 0 ? (mode & 0o111) !== 0 : EXECUTABLE_WITHOUT_MODE.has(name);
      await chmod(path, executable ? 0o755 : 0o644);
    }
    // last, so no entry is ever written through a link
    for (const l of links) {
      if (dirs.has(l.name)) throw badZip(`symlink ${JSON.stringify(l.name)} is also a folder`);
      await symlink(l.target, resolve(root, l.name));
    }
    return { files, bytes };
  } finally {
    zip.close();
  }
}

/** The entry's path as a relative '/'-path with no '.' segments ('' for the root). yauzl has refused '..', '\\' and absolute names. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName;
  if (raw.includes('\0')) throw badZip('an entry name holds NUL');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw badZip(`entry ${JSON.stringify(raw)} is outside the package`);
  return parts.join('/');
}

/** A link must point inside the package: relative, and not above the root from where it sits. */
function checkLink(root: string, name: string, target: string): void {
  if (target === '' || target.includes('\0') || isAbsolute(target) || target.includes('\\')) {
    throw badZip(`symlink ${JSON.stringify(name)} points outside the package (${JSON.stringify(target)})`);
  }
  const resolved = resolve(root, posix.dirname(name), target);
  if (resolved !== root && !resolved.startsWith(root + sep)) {
    throw badZip(`symlink ${JSON.stringify(name)} points outside the package (${JSON.stringify(target)})`);
  }
}

async function makeDirs(root: string, name: string, dirs: Set<string>, seen: Set<string>): Promise<void> {
  if (name === '.' || name === '') return;
  const parts = name.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    if (dirs.has(dir)) continue;
    // a file of that name came earlier
    if (seen.has(dir) && !dirs.has(dir) && i < parts.length) throw badZip(`entry ${JSON.stringify(name)} needs ${JSON.stringify(dir)} to be a folder`);
    const path = resolve(root, dir);
    const st = await stat(path).catch(() => undefined);
    if (st && !st.isDirectory()) throw badZip(`entry ${JSON.stringify(name)} needs ${JSON.stringify(dir)} to be a folder`);
    if (!st) await mkdir(path, { mode: 0o755 });
    await chmod(path, 0o755);
    dirs.add(dir);
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolveZip, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true }, (err, zip) => {
      if (err || !zip) reject(badZip(err?.message ?? 'not a zip'));
      else resolveZip(zip);
    });
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolveEntry, reject) => {
    const cleanup = () => { zip.off('entry', onEntry); zip.off('end', onEnd); zip.off('error', onError); };
    const onEntry = (e: yauzl.Entry) => { cleanup(); resolveEntry(e); };
    const onEnd = () => { cleanup(); resolveEntry(undefined); };
    const onError = (err: Error) => { cleanup(); reject(badZip(err.message)); };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolveStream, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) reject(badZip(`entry ${JSON.stringify(entry.fileName)}: ${err?.message ?? 'unreadable'}`));
      else resolveStream(stream);
    });
  });
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of await openEntry(zip, entry) as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) throw badZip(`entry ${JSON.stringify(entry.fileName)} is larger than it says`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Streams one entry to `path`, counting what comes out (not what the header claims) against `budget` and the ratio cap. */
async function writeEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, path: string, budget: number, maxBytes: number): Promise<number> {
  const maxRatioBytes = Math.max(entry.compressedSize, 1) * MAX_ENTRY_RATIO;
  let n = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      n += chunk.length;
      if (n > budget) return done(unzippedTooLarge(maxBytes));
      if (n > maxRatioBytes) return done(badZip(`entry ${JSON.stringify(entry.fileName)} expands more than ${MAX_ENTRY_RATIO}:1`));
      done(null, chunk);
    },
  });
  try {
    await pipeline(await openEntry(zip, entry), meter, createWriteStream(path, { flags: 'wx', mode: 0o644 }));
  } catch (err) {
    if (err instanceof Error && 'awsType' in err) throw err;
    throw badZip(`entry ${JSON.stringify(entry.fileName)}: ${(err as Error).message}`);
  }
  return n;
}
