// Reads a request body into a Buffer, refusing more than `limit` bytes: the excess is neither buffered nor read.
import type { IncomingMessage } from 'node:http';
import { tooLarge } from '../core/errors.js';
import { stashedBody } from './body-stash.js';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // already read (and hashed) by the SigV4 check: the same bytes, under this route's own limit
  const stashed = stashedBody(req);
  if (stashed) return stashed.length > limit ? Promise.reject(tooLarge(`Request must be smaller than ${limit} bytes for the operation.`)) : Promise.resolve(stashed);
  return new Promise((resolve, reject) => {
    const refuse = () => {
      // the error response that follows closes the connection (aws-response.ts)
      stopReading(req);
      reject(tooLarge(`Request must be smaller than ${limit} bytes for the operation.`));
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      refuse();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      done = true;
      req.off('data', onData);
      chunks.length = 0;
      refuse();
    };
    req.on('data', onData);
    req.on('end', () => { if (!done) { done = true; resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)); } });
    req.on('error', (err) => { if (!done) { done = true; reject(err); } });
  });
}

/**
 * Stops reading a body that will not be used. Paused, the request stops its socket once its small buffer is
 * full. But Node "dumps" a body nobody consumed once the response is sent, reading everything the client still
 * sends; marking the request as consumed (IncomingMessage's `_consuming`, the flag Node checks; the bytes a
 * server socket reads are measured in test/integration/router-body-limit) keeps it from doing so.
 */
export function stopReading(req: IncomingMessage): void {
  req.pause();
  (req as IncomingMessage & { _consuming?: boolean })._consuming = true;
}

/** A request whose body was not read to its end, so answering it must not leave the rest for Node to drain. */
export function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
