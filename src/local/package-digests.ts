// The digests of the local mode's `code.path` packages, kept between loads while the files stay as they were.
import { stat } from 'node:fs/promises';
import type { CodePackage } from '../api/code.js';
import { InvalidParameterError } from '../api/errors.js';
import { fileDigest } from '../code/package-digest.js';
import { unzippedBytes } from '../code/unzipped-size.js';
import { digestEntries, listFolder, listingFingerprint } from '../code/zip-folder.js';

export class PackageDigests {
  private readonly known = new Map<string, { fingerprint: string; pkg: CodePackage }>();
  /** Unzipped sizes by digest: the same zip bytes always unpack to the same size. */
  private readonly sizes = new Map<string, number>();

  /** The package at `path` (absolute): a zip file as it is, or a folder as its deterministic zip. */
  async get(path: string): Promise<CodePackage> {
    const st = await stat(path).catch(() => undefined);
    if (!st) throw new InvalidParameterError(`no such file or folder: ${path}`);
    if (st.isDirectory()) {
      const entries = await listFolder(path);
      const fingerprint = `d:${listingFingerprint(entries)}`;
      const had = this.known.get(path);
      if (had?.fingerprint === fingerprint) return had.pkg;
      const pkg: CodePackage = { ...(await digestEntries(entries)), path, folder: true };
      this.known.set(path, { fingerprint, pkg });
      return pkg;
    }
    if (!st.isFile()) throw new InvalidParameterError(`neither a zip file nor a folder: ${path}`);
    const fingerprint = `f:${st.size}:${st.mtimeMs}:${st.ino}`;
    const had = this.known.get(path);
    if (had?.fingerprint === fingerprint) return had.pkg;
    const pkg: CodePackage = { ...(await fileDigest(path)), path, folder: false };
    this.known.set(path, { fingerprint, pkg });
    return pkg;
  }

  /** Bytes the package unpacks to (Lambda's unzipped size): a zip's entries, or a folder's files. */
  async unzippedSize(pkg: CodePackage): Promise<number> {
    const had = this.sizes.get(pkg.sha256);
    if (had !== undefined) return had;
    const bytes = pkg.folder
      ? (await listFolder(pkg.path)).reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0)
      : await unzippedBytes(pkg.path);
    this.sizes.set(pkg.sha256, bytes);
    return bytes;
  }
}
