// Test zips built with yazl, and hostile ones: names yazl refuses to write are patched in afterwards, byte for byte.
import yazl from 'yazl';

export interface ZipItem {
  name: string;
  /** File content; a symlink's target when `link`. */
  data?: string | Buffer;
  mode?: number;
  link?: boolean;
  dir?: boolean;
  compress?: boolean;
}

export async function makeZip(items: readonly ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const it of items) {
    if (it.dir) zip.addEmptyDirectory(it.name, { mode: 0o40755 });
    else {
      const data = typeof it.data === 'string' ? Buffer.from(it.data) : it.data ?? Buffer.alloc(0);
      zip.addBuffer(data, it.name, { mode: it.link ? 0o120777 : it.mode ?? 0o100644, compress: it.compress ?? true });
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of `from` by `to` (same length) in the zip's bytes: its local and central names. */
export function renameInZip(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('same length only');
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  const out = Buffer.from(zip);
  let found = 0;
  for (let i = out.indexOf(a); i !== -1; i = out.indexOf(a, i + 1)) { b.copy(out, i); found++; }
  if (found === 0) throw new Error(`${from} not in the zip`);
  return out;
}
