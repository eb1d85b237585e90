// A folder as a zip package, byte for byte the same for the same files (sorted, fixed times, modes 0644/0755, stored):
// what a `code.path` folder's CodeSha256 is taken of, and what GetFunction's Code.Location serves for it.
import { createHash } from 'node:crypto';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { streamDigest, type PackageDigest } from './package-digest.js';
import { MAX_ENTRIES, MAX_UNZIPPED_BYTES, unzippedTooLarge, badZip } from './package-limits.js';

/** Never part of a package: version control and klambda's own state. */
const SKIPPED = new Set(['.git', '.klambda']);
const EPOCH = new Date('1980-01-01T00:00:00Z');

export interface FolderEntry {
  /** '/'-separated, relative to the folder. */
  name: string;
  path: string;
  kind: 'file' | 'link' | 'dir';
  executable: boolean;
  size: number;
  mtimeMs: number;
  /** The content, for an entry made in memory (no `path` to read). */
  data?: Buffer;
}

/** Every entry under `folder`, sorted by name; links are kept as links (the unpacker checks where they point). */
export async function listFolder(folder: string): Promise<FolderEntry[]> {
  const out: FolderEntry[] = [];
  let bytes = 0;
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const n of names) {
      if (prefix === '' && SKIPPED.has(n)) continue;
      const path = join(dir, n);
      const st = await lstat(path);
      const name = prefix + n;
      if (st.isSymbolicLink()) out.push({ name, path, kind: 'link', executable: false, size: 0, mtimeMs: st.mtimeMs });
      else if (st.isDirectory()) {
        out.push({ name, path, kind: 'dir', executable: true, size: 0, mtimeMs: st.mtimeMs });
        await walk(path, `${name}/`);
      } else if (st.isFile()) {
        bytes += st.size;
        if (bytes > MAX_UNZIPPED_BYTES) throw unzippedTooLarge(MAX_UNZIPPED_BYTES);
        out.push({ name, path, kind: 'file', executable: (st.mode & 0o111) !== 0, size: st.size, mtimeMs: st.mtimeMs });
      }
      if (out.length > MAX_ENTRIES) throw badZip(`more than ${MAX_ENTRIES} entries`);
    }
  };
  await walk(folder, '');
  return out;
}

/** A cheap fingerprint of a folder's listing: changes when a name, size, mode or mtime does (to reuse a digest). */
export function listingFingerprint(entries: readonly FolderEntry[]): string {
  const h = createHash('sha256');
  for (const e of entries) h.update(`${e.name}\0${e.kind}\0${e.executable}\0${e.size}\0${e.mtimeMs}\n`);
  return h.digest('hex');
}

/** Files held in memory (inline code) as entries, sorted; only `bootstrap` is executable. */
export function memoryEntries(files: Record<string, string>): FolderEntry[] {
  return Object.keys(files).sort().map((name) => {
    const data = Buffer.from(files[name]!, 'utf8');
    return { name, path: '', kind: 'file', executable: name === 'bootstrap', size: data.length, mtimeMs: 0, data };
  });
}

/** The deterministic zip of the entries, as a stream. */
export function zipEntries(entries: readonly FolderEntry[]): Readable {
  const zip = new yazl.ZipFile();
  void (async () => {
    try {
      for (const e of entries) {
        if (e.kind === 'dir') zip.addEmptyDirectory(e.name, { mtime: EPOCH, mode: 0o40755 });
        else if (e.kind === 'link') zip.addBuffer(Buffer.from(await readlink(e.path)), e.name, { mtime: EPOCH, mode: 0o120777, compress: false });
        else if (e.data) zip.addBuffer(e.data, e.name, { mtime: EPOCH, mode: e.executable ? 0o100755 : 0o100644, compress: false });
        else zip.addFile(e.path, e.name, { mtime: EPOCH, mode: e.executable ? 0o100755 : 0o100644, compress: false });
      }
      zip.end();
    } catch (err) {
      (zip.outputStream as unknown as Readable).destroy(err as Error);
    }
  })();
  return zip.outputStream as unknown as Readable;
}

/** Base64 SHA-256 and size of the folder's deterministic zip (Lambda's CodeSha256 and CodeSize). */
export function digestEntries(entries: readonly FolderEntry[]): Promise<PackageDigest> {
  return streamDigest(zipEntries(entries));
}
