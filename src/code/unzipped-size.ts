// The unzipped size of a zip package, from its central directory alone (nothing is inflated): what Lambda counts against
// its 250 MB limit for a function and its layers. The unpacker holds a zip to these sizes (yauzl checks each entry's).
import yauzl from 'yauzl';
import { badZip } from './package-limits.js';

/** Bytes of the files a zip (a path, or its bytes) unpacks to: the sum of its entries' uncompressed sizes, folders aside. */
export async function unzippedBytes(zip: string | Buffer): Promise<number> {
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    const done = (err: Error | null, z?: yauzl.ZipFile) => (err || !z ? reject(badZip(err?.message ?? 'not a zip')) : resolve(z));
    if (typeof zip === 'string') yauzl.open(zip, { lazyEntries: true, autoClose: false }, done);
    else yauzl.fromBuffer(zip, { lazyEntries: true }, done);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let bytes = 0;
      file.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) bytes += e.uncompressedSize;
        file.readEntry();
      });
      file.on('end', () => resolve(bytes));
      file.on('error', (err: Error) => reject(badZip(err.message)));
      file.readEntry();
    });
  } finally {
    file.close();
  }
}
