// The events loss test's clients, through the official AWS SDKs: topic messages ({"seq": n}) with SNS PublishBatch (and
// every tenth group as single Publish calls), stream records ({"key", "seq"}) with Kinesis PutRecords over the client's
// default HTTP/2 handler. Whatever the router did not answer OK is sent again, as a client would (an unclear failure may
// so get in twice); each refusal on the way is counted by kind.
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { refusalKind } from '../loss/sender.js';

const CREDENTIALS = { accessKeyId: 'loss', secretAccessKey: 'loss' };
/** No call waits longer than this (the HTTP/2 handler has no request timeout of its own). */
const CALL_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Back off a little, with jitter, while klambda or Redis is away. */
const backoff = (attempt: number) => sleep(Math.min(1000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));

/** Holds the `index`-th item of a kind until `t0 + index / rate` seconds (rate 0: no pacing). */
async function paced(t0: number, rate: number, index: number): Promise<void> {
  if (rate <= 0) return;
  const wait = t0 + (index / rate) * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
}

export interface SendPlan {
  /** Epoch ms: nothing is sent (again) after it. */
  deadline: number;
  /** Items per second of this kind (0: as fast as the router answers). */
  rate: number;
}

export interface KindSendResult {
  accepted: number;
  /** Items never answered OK before the deadline. */
  unsent: number;
  /** Calls or entries refused, by kind (http_503, ECONNREFUSED, entry_InternalError, record_InternalFailure, …). */
  refusals: Record<string, number>;
  seconds: number;
}

class Refusals {
  readonly byKind: Record<string, number> = {};
  count(kind: string): void {
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }
}

export class TopicSender {
  /** seq -> the MessageId of its accepted publish (the last one, if an unclear failure got in too). */
  readonly accepted = new Map<number, string>();
  /** seq -> seconds from the start of the sending to its acceptance. */
  readonly acceptedAtS = new Map<number, number>();
  private readonly refusals = new Refusals();
  private readonly client: SNSClient;
  private t0 = Date.now();

  constructor(endpoint: string, private readonly topicArn: string) {
    this.client = new SNSClient({
      endpoint, region: 'us-east-1', maxAttempts: 1, credentials: CREDENTIALS,
      requestHandler: { connectionTimeout: 2000, requestTimeout: CALL_TIMEOUT_MS },
    });
  }

  /** Publishes seq 0..n-1 in groups of 10, `concurrency` groups at a time, until all are accepted or the deadline. */
  async send(n: number, concurrency: number, plan: SendPlan): Promise<KindSendResult> {
    const t0 = this.t0 = Date.now();
    let nextGroup = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const g = nextGroup++;
        const first = g * 10;
        if (first >= n) return;
        await paced(t0, plan.rate, first);
        let left = Array.from({ length: Math.min(10, n - first) }, (_, i) => first + i);
        for (let attempt = 0; left.length > 0 && Date.now() < plan.deadline; attempt++) {
          left = g % 10 === 9 ? await this.publishEach(left) : await this.publishBatch(left);
          if (left.length > 0) await backoff(attempt);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { accepted: this.accepted.size, unsent: n - this.accepted.size, refusals: this.refusals.byKind, seconds: (Date.now() - t0) / 1000 };
  }

  destroy(): void {
    this.client.destroy();
  }

  private accept(seq: number, messageId: string | undefined): void {
    this.accepted.set(seq, messageId ?? '');
    this.acceptedAtS.set(seq, Math.round((Date.now() - this.t0) / 100) / 10);
  }

  /** One PublishBatch of `seqs`; returns those not accepted. */
  private async publishBatch(seqs: number[]): Promise<number[]> {
    try {
      const out = await this.client.send(new PublishBatchCommand({
        TopicArn: this.topicArn,
        PublishBatchRequestEntries: seqs.map((seq) => ({ Id: `m${seq}`, Message: JSON.stringify({ seq }) })),
      }));
      for (const s of out.Successful ?? []) this.accept(Number(s.Id!.slice(1)), s.MessageId);
      for (const f of out.Failed ?? []) this.refusals.count(`entry_${f.Code ?? 'unknown'}`);
    } catch (err) {
      this.refusals.count(refusalKind(err));
    }
    return seqs.filter((seq) => !this.accepted.has(seq));
  }

  /** Single Publish calls, one after the other; returns those not accepted. */
  private async publishEach(seqs: number[]): Promise<number[]> {
    for (const seq of seqs) {
      try {
        const out = await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Message: JSON.stringify({ seq }) }));
        this.accept(seq, out.MessageId);
      } catch (err) {
        this.refusals.count(refusalKind(err));
      }
    }
    return seqs.filter((seq) => !this.accepted.has(seq));
  }
}

export const partitionKeys = (count: number): string[] => Array.from({ length: count }, (_, i) => `pk-${String(i).padStart(2, '0')}`);

export class StreamSender {
  /** "key seq" -> the SequenceNumber of its accepted put (the last one, if an unclear failure got in too). */
  readonly accepted = new Map<string, string>();
  /** key -> how many records it has in all (its seqs are 0..n-1). */
  readonly perKey = new Map<string, number>();
  private readonly refusals = new Refusals();
  private readonly client: KinesisClient;

  /** The client's default request handler (HTTP/2, which the router speaks in cleartext). */
  constructor(endpoint: string, private readonly stream: string) {
    this.client = new KinesisClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: CREDENTIALS });
  }

  /**
   * Puts n records spread over `keys`, seq 0, 1, 2… per key. A key's next record goes only once the last one was
   * accepted, so the stream holds each key's records in seq order (an unclear failure may repeat one, never swap two);
   * a call carries at most one record of a key. The keys are split over `lanes` loops, each with one call in flight.
   */
  async send(n: number, keys: readonly string[], lanes: number, plan: SendPlan): Promise<KindSendResult> {
    const t0 = Date.now();
    keys.forEach((k, i) => this.perKey.set(k, Math.floor(n / keys.length) + (i < n % keys.length ? 1 : 0)));
    const next = new Map(keys.map((k) => [k, 0]));
    const lane = async (own: string[]): Promise<void> => {
      for (let attempt = 0; Date.now() < plan.deadline;) {
        const due = own.filter((k) => next.get(k)! < this.perKey.get(k)!);
        if (due.length === 0) return;
        await paced(t0, plan.rate, this.accepted.size);
        const batch = due.map((key) => ({ key, seq: next.get(key)! }));
        try {
          const out = await this.client.send(new PutRecordsCommand({
            StreamName: this.stream,
            Records: batch.map((r) => ({ PartitionKey: r.key, Data: Buffer.from(JSON.stringify(r)) })),
          }), { abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
          (out.Records ?? []).forEach((res, i) => {
            const r = batch[i]!;
            if (res.ErrorCode) { this.refusals.count(`record_${res.ErrorCode}`); return; }
            this.accepted.set(`${r.key} ${r.seq}`, res.SequenceNumber ?? '');
            next.set(r.key, r.seq + 1);
          });
          if ((out.FailedRecordCount ?? 0) === 0) { attempt = 0; continue; }
        } catch (err) {
          this.refusals.count(refusalKind(err));
        }
        await backoff(attempt++);
      }
    };
    const groups = Array.from({ length: Math.max(1, lanes) }, (_, i) => keys.filter((_, j) => j % Math.max(1, lanes) === i));
    await Promise.all(groups.map(lane));
    return { accepted: this.accepted.size, unsent: n - this.accepted.size, refusals: this.refusals.byKind, seconds: (Date.now() - t0) / 1000 };
  }

  destroy(): void {
    this.client.destroy();
  }
}
