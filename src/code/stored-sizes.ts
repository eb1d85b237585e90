// The unzipped sizes of packages in the code store (what Lambda counts against its 250 MB limit for a function and its
// layers), read from each zip's central directory once per digest: the same bytes always unpack to the same size.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CodeStore, StoredPackage } from './code-store.js';
import { unzippedBytes } from './unzipped-size.js';

const MAX_KEPT = 1000;

export class StoredSizes {
  private readonly bytes = new Map<string, number>();

  constructor(private readonly store: CodeStore) {}

  /** Bytes the package unpacks to (its zip read into a temporary file the first time). */
  async unzipped(stored: StoredPackage): Promise<number> {
    const known = this.bytes.get(stored.sha256);
    if (known !== undefined) return known;
    if (stored.bucket !== this.store.bucket) throw new Error(`s3://${stored.bucket}/${stored.key} is not a package of the code store`);
    const dir = await mkdtemp(join(tmpdir(), 'klambda-unzipped-size-'));
    try {
      const file = join(dir, 'package.zip');
      await pipeline(await this.store.read(stored.key), createWriteStream(file, { mode: 0o600 }));
      const bytes = await unzippedBytes(file);
      if (this.bytes.size >= MAX_KEPT) this.bytes.delete(this.bytes.keys().next().value!);
      this.bytes.set(stored.sha256, bytes);
      return bytes;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
