// The agent's line sink: lines batched into one write (an invocation's START, END and REPORT reach klambda dev as one),
// written at once past the batch size or on flush(), and a full stream slowing the writer down.
import { Writable } from 'node:stream';
import { streamLineSink } from '../../src/agent/log-sink.js';
import { waitFor } from '../helpers/wait.js';

function collector(highWaterMark = 1 << 20): { stream: Writable; writes: string[]; release(): void } {
  const writes: string[] = [];
  let held: (() => void)[] = [];
  let hold = highWaterMark < 1 << 20;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString());
      if (hold) held.push(done); else done();
    },
  });
  return { stream, writes, release: () => { hold = false; for (const d of held) d(); held = []; } };
}

it('writes the lines of one batch in one write, each with its newline', async () => {
  const { stream, writes } = collector();
  const sink = streamLineSink(stream, { batchMs: 5 });
  expect([sink('START RequestId: 1'), sink('hello\n'), sink('END RequestId: 1')]).toEqual([undefined, undefined, undefined]);
  expect(writes).toEqual([]);
  await waitFor(() => writes.length > 0 || undefined, 2000, 'the batch', 2);
  expect(writes).toEqual(['START RequestId: 1\nhello\nEND RequestId: 1\n']);
});

it('writes at once without batching, past the batch size, and on flush()', () => {
  const { stream, writes } = collector();
  streamLineSink(stream)('one');
  expect(writes).toEqual(['one\n']);
  const big = streamLineSink(stream, { batchMs: 60_000, maxBatchChars: 8 });
  big('abc');
  expect(writes).toHaveLength(1);
  big('defgh');
  expect(writes.at(-1)).toBe('abc\ndefgh\n');
  const flushed = streamLineSink(stream, { batchMs: 60_000 });
  flushed('last words');
  flushed.flush();
  expect(writes.at(-1)).toBe('last words\n');
  flushed.flush(); // nothing held: nothing written
  expect(writes).toHaveLength(3);
});

it('answers with one promise while the stream is full, settled when it drains', async () => {
  const { stream, release } = collector(4);
  const sink = streamLineSink(stream);
  const full = sink('more than four characters');
  expect(full).toBeInstanceOf(Promise);
  expect(sink('again')).toBe(full);
  release();
  await full;
  expect(sink('room again')).toBeUndefined();
});
