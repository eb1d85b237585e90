// Forwards a function's streamed response to its router as it arrives: one append at a time, the chunks that came
// meanwhile batched into the next, the runtime paused while too much waits, bounded by Lambda's streamed-response limit.

/** Lambda's limit on a streamed response (20 MiB); past it the response ends with Function.ResponseSizeTooLarge. */
export const MAX_STREAMED_RESPONSE_BYTES = 20 * 1024 * 1024;

/** One append carries at most this much (Redis answers others in between). */
const MAX_ENTRY_BYTES = 256 * 1024;
/** Past this much waiting to be appended, the runtime's writes wait (its request is paused). */
const HIGH_WATER_BYTES = 1024 * 1024;

/** One append: bytes, on the first the content type, on the last the end mark (the reader stops reading there). */
export interface StreamAppend {
  data: Buffer;
  contentType?: string;
  end?: boolean;
}

/** Where the chunks go (the queue consumer's fenced appendStream); rejects when they can no longer go there. */
export interface StreamTarget {
  append(entry: StreamAppend): Promise<void>;
}

export class StreamForwarder {
  /** Entries appended so far (the first carries the content type). */
  entries = 0;
  /** Bytes accepted from the runtime. */
  bytes = 0;
  /** Why appending stopped (lease lost, Redis error); the rest is dropped. */
  failure: unknown;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inFlight: Promise<void> | undefined;
  private typeSent = false;
  private closed = false;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly target: StreamTarget, private readonly contentType: string, private readonly limit = MAX_STREAMED_RESPONSE_BYTES) {
    // the router hears at once that the answer streams (and its content type), before any byte of it
    this.pump();
  }

  /** Takes a chunk; false (and nothing of it taken) when it would pass the limit. */
  push(chunk: Buffer): boolean {
    if (this.closed) return true;
    if (this.bytes + chunk.length > this.limit) return false;
    this.bytes += chunk.length;
    if (this.failure !== undefined || chunk.length === 0) return true;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.pump();
    return true;
  }

  /** Whether the runtime should wait before writing more. */
  get full(): boolean {
    return this.pendingBytes > HIGH_WATER_BYTES;
  }

  /** Resolves when what waits is below the high-water mark (or appending stopped). */
  drained(): Promise<void> {
    if (!this.full || this.failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Appends what is left and the end mark, and stops; resolves with the number of entries appended. */
  async close(): Promise<number> {
    if (this.closed) return this.entries;
    this.closed = true;
    this.pump();
    while (this.inFlight) await this.inFlight;
    if (this.failure === undefined) {
      try {
        await this.target.append({ data: Buffer.alloc(0), end: true });
        this.entries += 1;
      } catch (err) {
        this.failure = err;
      }
    }
    return this.entries;
  }

  private pump(): void {
    if (this.inFlight || this.failure !== undefined) return;
    if (this.typeSent && this.pendingBytes === 0) return;
    const parts: Buffer[] = [];
    let size = 0;
    while (this.pending.length > 0 && size < MAX_ENTRY_BYTES) {
      const next = this.pending[0]!;
      const room = MAX_ENTRY_BYTES - size;
      if (next.length <= room) {
        parts.push(next);
        size += next.length;
        this.pending.shift();
      } else {
        parts.push(next.subarray(0, room));
        this.pending[0] = next.subarray(room);
        size += room;
      }
    }
    this.pendingBytes -= size;
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    const first = !this.typeSent;
    this.typeSent = true;
    this.inFlight = this.target.append(first ? { data, contentType: this.contentType } : { data }).then(
      () => { this.entries += 1; },
      (err: unknown) => {
        this.failure = err;
        this.pending = [];
        this.pendingBytes = 0;
      },
    ).finally(() => {
      this.inFlight = undefined;
      if (!this.full || this.failure !== undefined) for (const w of this.drainWaiters.splice(0)) w();
      this.pump();
    });
  }
}
