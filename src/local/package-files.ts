// The local mode's packages as files: a `code.path` package written out as a zip (a version's own copy, a download),
// checked against the digest it was published with.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CodePackage } from '../api/code.js';
import { ResourceConflictError } from '../api/errors.js';
import { listFolder, zipEntries } from '../code/zip-folder.js';
import { digestingStream } from '../code/package-digest.js';

/** The package as zip bytes: the file itself, or the folder's deterministic zip. */
export async function packageStream(pkg: CodePackage): Promise<Readable> {
  return pkg.folder ? zipEntries(await listFolder(pkg.path)) : createReadStream(pkg.path);
}

/** Writes the package's zip to `dest` (whole or not at all), refusing it if its bytes are no longer those of `pkg.sha256`. */
export async function savePackage(pkg: CodePackage, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.zip.tmp`);
  const hash = digestingStream();
  try {
    await pipeline(await packageStream(pkg), hash.stream, createWriteStream(tmp, { mode: 0o644 }));
    if (hash.digest().sha256 !== pkg.sha256) throw new ResourceConflictError(`The code at ${pkg.path} changed while it was read; try again`);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
