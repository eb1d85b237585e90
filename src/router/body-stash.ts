// A request body read once before the routes (the SigV4 check hashes it), kept for readBody to hand out again.
import type { IncomingMessage } from 'node:http';

const bodies = new WeakMap<IncomingMessage, Buffer>();

export function stashBody(req: IncomingMessage, body: Buffer): void {
  bodies.set(req, body);
}

export function stashedBody(req: IncomingMessage): Buffer | undefined {
  return bodies.get(req);
}
