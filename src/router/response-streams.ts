// Reads streamed responses: each one a Redis Stream under the version's hash tag (keys.ts responseStreamKey), which the
// agent holding the job's lease appends to as the function writes (appendStream-4.lua). One blocking connection per
// stream being read (XREAD BLOCK), a few kept for the next. XREAD does not consume: a read resent after a reconnect
// reads the same entries again, so a reconnect loses nothing; a Redis that lost the stream is noticed by the reply
// listener, whose `lost` ends the call.
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { RedisConnection } from '../queue/connection.js';
import { responseStreamKey } from '../queue/keys.js';

/** One entry of a streamed response: bytes, and on the first its content type. */
export interface StreamEntry {
  data: Buffer;
  contentType?: string;
  /** The delivery that wrote it (a redelivery after a lost lease writes into the same stream). */
  attempt?: string;
  /** The last entry: nothing follows it (no read need wait for more). */
  end?: boolean;
}

/** How long one XREAD blocks before the reader looks again (ms). */
const BLOCK_MS = 2000;
const SPARE_CONNECTIONS = 4;

export interface ResponseStreamsOptions {
  connect(): RedisConnection;
  keyPrefix: string;
  logger: Logger;
}

type XreadReply = Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;

export class ResponseStreams {
  private readonly spare: RedisConnection[] = [];
  private readonly open = new Set<RedisConnection>();
  private closed = false;

  constructor(private readonly opts: ResponseStreamsOptions) {}

  /** A reader of one invocation's stream; close() it when done. */
  reader(ref: QueueRef, routerId: string, requestId: string): ResponseStreamReader {
    const key = responseStreamKey(ref, routerId, requestId, this.opts.keyPrefix);
    const conn = this.spare.pop() ?? this.connect();
    return new ResponseStreamReader(conn, key, (c, reusable) => this.giveBack(c, reusable));
  }

  close(): void {
    this.closed = true;
    for (const conn of this.open) conn.disconnect();
    this.open.clear();
    this.spare.length = 0;
  }

  private connect(): RedisConnection {
    const conn = this.opts.connect();
    conn.on('error', (err: Error) => { if (!this.closed) this.opts.logger.warn({ msg: 'response stream connection error', error: err.message }); });
    this.open.add(conn);
    return conn;
  }

  private giveBack(conn: RedisConnection, reusable: boolean): void {
    if (reusable && !this.closed && conn.status === 'ready' && this.spare.length < SPARE_CONNECTIONS) {
      this.spare.push(conn);
      return;
    }
    this.open.delete(conn);
    conn.disconnect();
  }
}

export class ResponseStreamReader {
  private lastId = '0';
  private inFlight: Promise<unknown> | undefined;
  private closed = false;

  constructor(private readonly conn: RedisConnection, readonly key: string, private readonly release: (conn: RedisConnection, reusable: boolean) => void) {}

  /** The entries after those read so far, waiting for one up to a couple of seconds; [] when none came meanwhile. */
  async read(): Promise<StreamEntry[]> {
    if (this.closed) return [];
    // at most 8 entries (2 MB) a read: what the router holds for a slow caller stays small
    const reading = this.conn.xreadBuffer('COUNT', 8, 'BLOCK', BLOCK_MS, 'STREAMS', this.key, this.lastId) as Promise<XreadReply>;
    this.inFlight = reading;
    const reply = await reading.finally(() => { if (this.inFlight === reading) this.inFlight = undefined; });
    const entries: StreamEntry[] = [];
    for (const [id, fields] of reply?.[0]?.[1] ?? []) {
      this.lastId = id.toString('latin1');
      const entry: StreamEntry = { data: Buffer.alloc(0) };
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const name = fields[i]!.toString('latin1');
        if (name === 'd') entry.data = fields[i + 1]!;
        else if (name === 't') entry.contentType = fields[i + 1]!.toString('utf8');
        else if (name === 'a') entry.attempt = fields[i + 1]!.toString('latin1');
        else if (name === 'e') entry.end = true;
      }
      entries.push(entry);
    }
    return entries;
  }

  /** Deletes the stream (once the read in flight, if any, returned) and gives the connection back. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const after = this.inFlight ? this.inFlight.then(() => undefined, () => undefined) : Promise.resolve();
    void after.then(() => this.conn.del(this.key)).then(
      () => this.release(this.conn, true),
      () => this.release(this.conn, false),
    );
  }
}
