// The recording proxy between versitygw and klambda: versitygw's --event-webhook-url points here; each post is
// forwarded to klambda's webhook as it came, and what klambda answered is recorded per event. versitygw posts each
// event once and never looks at the answer, so an event klambda did not take (it was down) is gone at the sender.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What became of one post: klambda answered 2xx; the connection was refused (nothing listening: klambda was down);
 *  anything else (the connection broke mid-request, a timeout, a non-2xx): klambda may or may not have it. */
export type PostOutcome = 'accepted' | 'refused' | 'failed';

/** An event as both ends can name it: `<eventName> <key> <size | ->` (the bench gives an overwrite another size). */
export function eventIdentity(eventName: string, key: string, size: number | string | undefined): string {
  const name = eventName.replace(/^s3:/, '').replace(/^ObjectRemoved:DeleteObjects$/, 'ObjectRemoved:Delete');
  return `${name} ${key} ${name.startsWith('ObjectRemoved') ? '-' : String(size)}`;
}

interface SentRecord { eventName?: unknown; s3?: { object?: { key?: unknown; size?: unknown } } }

export class RecordingProxy {
  /** identity -> the outcome of each post that carried it, in order. */
  readonly outcomes = new Map<string, PostOutcome[]>();
  /** identity -> when klambda first accepted it (ms since the epoch). */
  readonly acceptedAt = new Map<string, number>();
  /** Posts that carried no record (versitygw's test event at its start) or could not be read. */
  otherPosts = 0;
  posts = 0;
  /** Failed posts by what failed (the error code, or the HTTP status), for the report. */
  readonly failures = new Map<string, number>();
  /** When each post that was not accepted was answered (ms since the epoch), and how it ended. */
  readonly notAccepted: Array<{ at: number; outcome: Exclude<PostOutcome, 'accepted'> }> = [];
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(private readonly target: () => string) {
    this.server = createServer((req, res) => {
      const p = this.handle(req, res).catch(() => undefined);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    });
  }

  /** Listens on a free 127.0.0.1 port; `target` answers klambda's base URL at the time of each post. */
  static async start(target: () => string): Promise<{ proxy: RecordingProxy; url: string }> {
    const proxy = new RecordingProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', () => resolve()));
    return { proxy, url: `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}` };
  }

  /** The identities with at least one post klambda accepted. */
  accepted(): Set<string> {
    return new Set([...this.outcomes].filter(([, o]) => o.includes('accepted')).map(([id]) => id));
  }

  /** Waits for the posts under way to be answered. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.settle();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.posts += 1;
    let ids: string[] = [];
    try {
      const records = (JSON.parse(body.toString('utf8')) as { Records?: SentRecord[] }).Records ?? [];
      ids = records.map((r) => eventIdentity(String(r.eventName), String(r.s3?.object?.key), r.s3?.object?.size as number | undefined));
    } catch { /* not records: forwarded all the same */ }
    if (ids.length === 0) this.otherPosts += 1;
    let outcome: PostOutcome;
    let status = 502;
    let answer = '';
    try {
      const r = await fetch(`${this.target()}${req.url ?? '/'}`, {
        method: 'POST', body, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, signal: AbortSignal.timeout(10_000),
      });
      status = r.status;
      answer = await r.text();
      outcome = r.ok ? 'accepted' : 'failed';
      if (!r.ok) this.failed(`HTTP ${r.status}`);
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      outcome = code === 'ECONNREFUSED' ? 'refused' : 'failed';
      if (outcome === 'failed') this.failed(code);
    }
    if (outcome !== 'accepted') this.notAccepted.push({ at: Date.now(), outcome });
    else for (const id of ids) if (!this.acceptedAt.has(id)) this.acceptedAt.set(id, Date.now());
    for (const id of ids) this.outcomes.set(id, [...(this.outcomes.get(id) ?? []), outcome]);
    res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
  }

  private failed(what: string): void {
    this.failures.set(what, (this.failures.get(what) ?? 0) + 1);
  }
}
