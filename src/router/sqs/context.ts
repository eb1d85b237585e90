// What one SQS call runs against: the store, the caller's namespace and account, and the base of its queue URLs.
import type { Request } from 'express';
import type { ArnContext } from '../../core/arn.js';
import type { SqsStore } from '../../events/sqs/store.js';

export interface SqsContext {
  store: SqsStore;
  /** The caller's namespace (its account). */
  namespace: string;
  arn: ArnContext;
  /** The router's own base URL (`http://127.0.0.1:9000`): queue URLs are `<baseUrl>/<account>/<name>`. */
  baseUrl: string;
  /** Aborted when the client goes away: a long poll stops without receiving. */
  signal?: AbortSignal;
  /** SenderId of the messages it sends (the caller's account, or its access key's user). */
  senderId: string;
  /** The request's trace (router/tracing): a sent message's AWSTraceHeader when it names none, as SQS sets it. */
  traceHeader?: string;
}

/** The request's own origin (`http://<Host>`): a base URL for queue URLs that brings the SDK back to this router. */
export function requestBaseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
