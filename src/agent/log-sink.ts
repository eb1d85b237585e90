// A line sink on a writable stream that says when it is full, so a function printing fast is slowed instead of buffered by the agent.
import type { Writable } from 'node:stream';

/**
 * Writes each line (adding its newline); once the stream holds more than its highWaterMark it answers with a
 * promise that settles on 'drain' (one promise, however many lines arrive meanwhile).
 */
export function streamLineSink(stream: Pick<Writable, 'write' | 'once'>): (line: string) => void | Promise<void> {
  let draining: Promise<void> | undefined;
  return (line) => {
    if (stream.write(line.endsWith('\n') ? line : `${line}\n`)) return draining;
    draining ??= new Promise<void>((resolve) => stream.once('drain', () => {
      draining = undefined;
      resolve();
    }));
    return draining;
  };
}
