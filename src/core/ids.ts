// Request ids and X-Ray-style trace ids.
import { randomBytes, randomUUID } from 'node:crypto';

export const newRequestId = (): string => randomUUID();

/** Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0 */
export function newTraceId(nowMs: number): string {
  const b = randomBytes(20).toString('hex');
  return `Root=1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${b.slice(0, 24)};Parent=${b.slice(24, 40)};Sampled=0`;
}
