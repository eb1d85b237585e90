// The last 4 KB of an invocation's log lines (X-Amz-Log-Result), kept bounded however much the function writes.

export const LOG_TAIL_BYTES = 4096;

/** Collects lines, dropping the oldest ones it can no longer need for the last `limit` bytes. */
export class TailBuffer {
  private lines: string[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limit = LOG_TAIL_BYTES) {}

  push(line: string): void {
    const size = Buffer.byteLength(line) + 1;
    this.lines.push(line);
    this.sizes.push(size);
    this.bytes += size;
    // Drop the oldest line while what remains still covers the limit.
    while (this.head < this.lines.length - 1 && this.bytes - (this.sizes[this.head] ?? 0) >= this.limit) {
      this.bytes -= this.sizes[this.head] ?? 0;
      this.head++;
    }
    if (this.head > 1024) {
      this.lines = this.lines.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  text(): string {
    return this.lines.slice(this.head).map((l) => `${l}\n`).join('');
  }

  /** Base64 of the tail, cut as cutTail does. */
  toBase64(): string {
    return cutTail(Buffer.from(this.text(), 'utf8'), this.limit).toString('base64');
  }
}

/**
 * The last `limit` bytes of `buf`, starting at a line boundary where one falls inside that window,
 * otherwise at a UTF-8 character boundary.
 */
export function cutTail(buf: Buffer, limit = LOG_TAIL_BYTES): Buffer {
  if (buf.length <= limit) return buf;
  const start = buf.length - limit;
  // The window starts right after a newline: it already begins a line.
  if (buf[start - 1] === 0x0a) return buf.subarray(start);
  const nl = buf.indexOf(0x0a, start);
  if (nl !== -1 && nl + 1 < buf.length) return buf.subarray(nl + 1);
  let s = start;
  while (s < buf.length && ((buf[s] ?? 0) & 0xc0) === 0x80) s++; // skip UTF-8 continuation bytes
  return buf.subarray(s);
}
