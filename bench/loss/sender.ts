// The loss test's client: N async invocations ({"seq": i}) through the official AWS SDK, a bounded number at a time;
// each one is sent again until klambda answers 202, and every refusal on the way is counted by kind.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

export interface SendResult {
  /** seq -> the request id of its 202 (the last one, if a resend of an unclear failure was also accepted). */
  accepted: Map<number, string>;
  /** Refusals by kind: http_503, ECONNREFUSED, ECONNRESET, TimeoutError, … */
  refusals: Record<string, number>;
  /** Events not accepted before the deadline. */
  unsent: number;
  seconds: number;
}

/** What kind of refusal an SDK error is (its HTTP status, else its socket error code, else its name). */
export function refusalKind(err: unknown): string {
  const e = err as { $metadata?: { httpStatusCode?: number }; code?: string; name?: string; cause?: { code?: string } };
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return `http_${status}`;
  return e.code ?? e.cause?.code ?? e.name ?? 'unknown';
}

export class Sender {
  readonly accepted = new Map<number, string>();
  /** seq -> seconds from the start of the sending to its 202 (to set a lost event beside the chaos timeline). */
  readonly acceptedAtS = new Map<number, number>();
  private t0 = Date.now();
  readonly refusals: Record<string, number> = {};
  nudges = 0;
  private readonly client: LambdaClient;

  /** `endpoint`: klambda's URL, the same across its restarts (it comes back on its port). */
  constructor(endpoint: string, private readonly functionName: string) {
    this.client = new LambdaClient({
      endpoint,
      region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'loss', secretAccessKey: 'loss' },
      requestHandler: { connectionTimeout: 2000, requestTimeout: 10_000 },
    });
  }

  /** Sends seq 0..n-1 with `concurrency` calls in flight until all are accepted or `deadline` (epoch ms) passes. */
  async send(n: number, concurrency: number, deadline: number): Promise<SendResult> {
    const t0 = Date.now();
    this.t0 = t0;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const seq = next++;
        if (seq >= n) return;
        for (let attempt = 0; Date.now() < deadline; attempt++) {
          if (await this.invoke(seq)) break;
          // back off a little, with jitter, while klambda or Redis is away
          await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { accepted: this.accepted, refusals: this.refusals, unsent: n - this.accepted.size, seconds: (Date.now() - t0) / 1000 };
  }

  /** One async invoke outside the numbered events (the function records it without a seq): new demand for klambda. */
  async nudge(): Promise<void> {
    this.nudges += 1;
    await this.client.send(new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: Buffer.from('{"nudge":true}') }))
      .catch((err: unknown) => this.count(`nudge_${refusalKind(err)}`));
  }

  destroy(): void {
    this.client.destroy();
  }

  private async invoke(seq: number): Promise<boolean> {
    try {
      const out = await this.client.send(new InvokeCommand({
        FunctionName: this.functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ seq })),
      }));
      if (out.StatusCode === 202) {
        this.accepted.set(seq, out.$metadata.requestId ?? '');
        this.acceptedAtS.set(seq, Math.round((Date.now() - this.t0) / 100) / 10);
        return true;
      }
      this.count(`status_${out.StatusCode}`);
    } catch (err) {
      this.count(refusalKind(err));
    }
    return false;
  }

  private count(kind: string): void {
    this.refusals[kind] = (this.refusals[kind] ?? 0) + 1;
  }
}
