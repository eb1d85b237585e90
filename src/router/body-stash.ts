// A request body read once before the routes (the SigV4 check hashes it), kept for readBody to hand out again; and
// its JSON when the check had to parse it (CreateFunction's name is in it), for jsonBody, so a 70 MB upload is parsed once.
import type { IncomingMessage } from 'node:http';

const bodies = new WeakMap<IncomingMessage, Buffer>();

export function stashBody(req: IncomingMessage, body: Buffer): void {
  bodies.set(req, body);
}

export function stashedBody(req: IncomingMessage): Buffer | undefined {
  return bodies.get(req);
}

const parsed = new WeakMap<IncomingMessage, Record<string, unknown>>();

export function stashJson(req: IncomingMessage, value: Record<string, unknown>): void {
  parsed.set(req, value);
}

export function stashedJson(req: IncomingMessage): Record<string, unknown> | undefined {
  return parsed.get(req);
}
