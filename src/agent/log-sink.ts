// A line sink on a writable stream that batches lines into few writes and says when it is full, so a function printing fast is slowed instead of buffered by the agent.
import type { Writable } from 'node:stream';

export interface LineSink {
  /** Takes one line (its newline is added); a promise back means the stream is full: wait for it before the next. */
  (line: string): void | Promise<void>;
  /** Writes the lines held so far now (before the process exits). */
  flush(): void;
}

export interface LineSinkOptions {
  /**
   * Lines are held this long and written together (one write, one wake-up of the reader, instead of one per line:
   * an invocation's START, END and REPORT go out as one). 0: each line is written at once.
   */
  batchMs?: number;
  /** Held text past this many characters is written at once. Default 64 Ki. */
  maxBatchChars?: number;
}

/**
 * Writes lines to `stream`, batched (see LineSinkOptions); once the stream holds more than its highWaterMark it
 * answers with a promise that settles on 'drain' (one promise, however many lines arrive meanwhile).
 */
export function streamLineSink(stream: Pick<Writable, 'write' | 'once'>, opts: LineSinkOptions = {}): LineSink {
  const batchMs = opts.batchMs ?? 0;
  const maxChars = opts.maxBatchChars ?? 64 * 1024;
  let draining: Promise<void> | undefined;
  let held = '';
  let timer: NodeJS.Timeout | undefined;

  const write = (text: string): void | Promise<void> => {
    if (stream.write(text)) return draining;
    draining ??= new Promise<void>((resolve) => stream.once('drain', () => {
      draining = undefined;
      resolve();
    }));
    return draining;
  };
  const flushHeld = (): void | Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (held === '') return draining;
    const text = held;
    held = '';
    return write(text);
  };

  const sink = ((line: string) => {
    const text = line.endsWith('\n') ? line : `${line}\n`;
    if (batchMs <= 0) return write(text);
    held += text;
    if (held.length >= maxChars) return flushHeld();
    timer ??= setTimeout(() => void flushHeld(), batchMs);
    return draining;
  }) as LineSink;
  sink.flush = () => void flushHeld();
  return sink;
}
