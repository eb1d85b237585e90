// Request ids and X-Ray-style trace ids.
import { randomFillSync, randomUUID } from 'node:crypto';

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
