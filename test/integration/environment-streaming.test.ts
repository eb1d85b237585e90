// The execution environment with a real node runtime that streams (awslambda.streamifyResponse): each chunk reaches
// the stream target as the function writes it, the end mark last; read whole when nobody streams it; and an answer
// that cannot be forwarded whole ends as a failure, not as a truncated success. A bash + curl custom runtime streams the same way.
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamAppend, StreamTarget } from '../../src/agent/response-stream.js';
import { fixtureSpec, invocation } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';

const environment = useEnvironments();
const gates = mkdtempSync(join(tmpdir(), 'klambda-env-stream-'));
chmodSync(gates, 0o1777);
afterAll(() => rmSync(gates, { recursive: true, force: true }));

/** Keeps what the environment appends (where the agent appends to Redis); `onAppend` may act on each. */
function collector(onAppend?: (e: StreamAppend, all: StreamAppend[]) => void | Promise<void>): StreamTarget & { entries: StreamAppend[] } {
  const entries: StreamAppend[] = [];
  return { entries, append: async (e) => { entries.push(e); await onAppend?.(e, entries); } };
}

const text = (entries: StreamAppend[]) => Buffer.concat(entries.map((e) => e.data)).toString();

describe('ExecutionEnvironment with a streaming nodejs20 handler', () => {
  const spec = fixtureSpec('node-stream', 'nodejs20', 'index.handler', { timeoutSeconds: 30 });

  it('forwards the first chunk while the function still runs, then the rest, then the end mark', async () => {
    const { env } = environment(spec);
    const gate = join(gates, 'open');
    const target = collector((_e, all) => {
      if (text(all) === 'first;' && !existsSync(gate)) writeFileSync(gate, '');
    });
    const result = await env.invoke(invocation(spec, { gate }), target);
    expect(result.outcome).toBe('ok');
    expect(result.functionError).toBeUndefined();
    expect(target.entries[0]?.contentType).toBe('text/plain');
    expect(text(target.entries)).toBe('first;second');
    expect(target.entries.at(-1)).toEqual({ data: Buffer.alloc(0), end: true });
    expect(result.streamed).toBe(target.entries.length);
    expect(result.payload).toBe('');
  });

  it('ends with the error of the trailers after the chunks written before it', async () => {
    const { env } = environment(spec);
    const target = collector();
    const result = await env.invoke(invocation(spec, { fail: true }), target);
    expect(text(target.entries)).toBe('first;');
    expect(result.functionError).toBe('Unhandled');
    expect(JSON.parse(result.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'failed after the first chunk' });
    expect(result.streamed).toBe(target.entries.length);
  });

  it('reads the streamed body whole when nobody reads it as it comes (Invoke)', async () => {
    const { env } = environment(spec);
    const gate = join(gates, 'whole');
    writeFileSync(gate, '');
    const result = await env.invoke(invocation(spec, { gate }));
    expect(result.outcome).toBe('ok');
    expect(result.payload).toBe('first;second');
    expect(result.streamed).toBeUndefined();
  });

  it('fails the answer it could not forward whole', async () => {
    const { env } = environment(spec);
    const gate = join(gates, 'lost');
    const target: StreamTarget = {
      append: async (e) => {
        if (e.data.length > 0) {
          writeFileSync(gate, '');
          throw new Error('Redis went away');
        }
      },
    };
    const result = await env.invoke(invocation(spec, { gate }), target);
    expect(result.functionError).toBe('Unhandled');
    expect(JSON.parse(result.payload)).toEqual({ errorType: 'ServiceException', errorMessage: 'The streamed response could not be forwarded whole: Redis went away' });
  });
});

describe('ExecutionEnvironment with a provided runtime that streams (bash and curl)', () => {
  it('forwards what the bootstrap posts chunked as it comes', async () => {
    const spec = fixtureSpec('provided-stream', 'provided', 'unused', { timeoutSeconds: 30 });
    const { env } = environment(spec);
    const gate = join(gates, 'provided');
    const target = collector((_e, all) => {
      if (text(all) === 'first;' && !existsSync(gate)) writeFileSync(gate, '');
    });
    const result = await env.invoke(invocation(spec, { gate }), target);
    expect(result.outcome).toBe('ok');
    expect(target.entries[0]?.contentType).toBe('text/plain');
    expect(text(target.entries)).toBe('first;second');
    expect(result.streamed).toBe(target.entries.length);
  });
});
