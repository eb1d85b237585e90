// Request ids and X-Ray-style trace ids.
import { createHash, randomFillSync, randomUUID } from 'node:crypto';

export const newRequestId = (): string => randomUUID();

/** Random bytes drawn from a pool refilled 4 KiB at a time (as randomUUID does): one syscall per 200 trace ids. */
const POOL = Buffer.alloc(4096);
let used = POOL.length;

function randomHex(bytes: number): string {
  if (used + bytes > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  used += bytes;
  return POOL.toString('hex', used - bytes, used);
}

/** Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0 */
export function newTraceId(nowMs: number): string {
  const b = randomHex(20);
  return `Root=1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${b.slice(0, 24)};Parent=${b.slice(24, 40)};Sampled=0`;
}

/**
 * A UUID-shaped id derived from `text` (SHA-256; version nibble 5, RFC 4122 variant): the same text, the same id. What
 * a redone step (a retried fan-out, a refired tick, a batch received again) uses so its receiver sees the same id.
 */
export function uuidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
