// A file another process appends lines to, read as it grows: each poll hands over the whole lines written since the last.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

export class LineTail {
  private offset = 0;
  private rest = '';

  constructor(private readonly file: string) {}

  /** Calls `onLine` for each whole line appended since the last call (a line still being written waits for the next). */
  poll(onLine: (line: string) => void): void {
    if (!existsSync(this.file)) return;
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        const parts = (this.rest + buf.subarray(0, n).toString('utf8')).split('\n');
        this.rest = parts.pop() ?? '';
        for (const line of parts) onLine(line);
      }
    } finally {
      closeSync(fd);
    }
  }
}
