// Lambda's CodeSha256 and CodeSize of a zip: the base64 SHA-256 and the byte size of the file as it is.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

export interface PackageDigest {
  /** Base64 SHA-256 of the zip (what `openssl dgst -sha256 -binary f.zip | base64` prints). */
  sha256: string;
  size: number;
}

export function bufferDigest(zip: Buffer): PackageDigest {
  return { sha256: createHash('sha256').update(zip).digest('base64'), size: zip.length };
}

export function fileDigest(path: string): Promise<PackageDigest> {
  return streamDigest(createReadStream(path));
}

/** The digest of a stream's bytes (a file, or a zip being made). */
export async function streamDigest(stream: AsyncIterable<Buffer> | NodeJS.ReadableStream): Promise<PackageDigest> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
  }
  return { sha256: h.digest('base64'), size };
}

/** A pass-through that digests the bytes flowing through it (read `digest()` once they have all passed). */
export interface DigestingStream { stream: Transform; digest(): PackageDigest }

/** Digests bytes on their way (a download, a copy); more than `maxBytes` fails the pipeline with `tooLarge()`. */
export function digestingStream(maxBytes = Infinity, tooLarge: () => Error = () => new Error(`more than ${maxBytes} bytes`)): DigestingStream {
  const h = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
      size += chunk.length;
      if (size > maxBytes) return done(tooLarge());
      h.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, digest: () => ({ sha256: h.digest('base64'), size }) };
}

/** The digest as a folder or file name: hex, 32 characters (enough never to collide in practice). */
export const digestName = (sha256: string): string => Buffer.from(sha256, 'base64').toString('hex').slice(0, 32);
