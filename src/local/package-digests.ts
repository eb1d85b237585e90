// The digests of the local mode's `code.path` packages, kept between loads while the files stay as they were.
import { stat } from 'node:fs/promises';
import type { CodePackage } from '../api/code.js';
import { InvalidParameterError } from '../api/errors.js';
import { fileDigest } from '../code/package-digest.js';
import { digestEntries, listFolder, listingFingerprint } from '../code/zip-folder.js';

export class PackageDigests {
  private readonly known = new Map<string, { fingerprint: string; pkg: CodePackage }>();

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
}
