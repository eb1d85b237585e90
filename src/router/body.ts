// Reads a request body into a Buffer, refusing more than `limit` bytes without buffering the excess.
import type { IncomingMessage } from 'node:http';
import { tooLarge } from '../core/errors.js';
import { stashedBody } from './body-stash.js';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // already read (and hashed) by the SigV4 check: the same bytes, under this route's own limit
  const stashed = stashedBody(req);
  if (stashed) return stashed.length > limit ? Promise.reject(tooLarge(`Request must be smaller than ${limit} bytes for the operation.`)) : Promise.resolve(stashed);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      req.resume();
      reject(tooLarge(`Request must be smaller than ${limit} bytes for the operation.`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(`Request must be smaller than ${limit} bytes for the operation.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)); });
    req.on('error', (err) => { if (!failed) { failed = true; reject(err); } });
  });
}
