// The data that travels with one invocation: the queued job and the result the agent reports.
import type { AsyncSettings } from './async-policy.js';

export type InvocationType = 'RequestResponse' | 'Event';

/** One queued invocation of a function version. Retries keep `requestId`. */
export interface Invocation {
  requestId: string;
  functionName: string;
  /** The version that runs it: "$LATEST" or a published number ("1", "2", …). */
  version: string;
  /** The ARN the caller used, with its qualifier if any (Lambda-Runtime-Invoked-Function-Arn). */
  invokedFunctionArn: string;
  /** The event, as the caller sent it (UTF-8 JSON text). */
  payload: string;
  type: InvocationType;
  /** Epoch ms when the router accepted it. */
  acceptedAt: number;
  /** Epoch ms when this delivery was queued, where that is not acceptedAt (an async retry: when it came due). */
  queuedAt?: number;
  /** Sync only: epoch ms after which nobody waits for the answer any more. */
  replyBy?: number;
  /** Sync only: the id of the router that waits; the result goes on its reply list under this version's hash tag. */
  replyTo?: string;
  /** Sync only: the caller reads the response as it is written (RESPONSE_STREAM URLs, InvokeWithResponseStream). */
  responseStream?: boolean;
  /** X-Amz-Log-Type: Tail was asked for. */
  logTail?: boolean;
  traceId: string;
  /** X-Amz-Client-Context, base64, passed through to the runtime. */
  clientContext?: string;
  /** Async only: retries, event age and destinations, as they were when the router accepted the event. */
  async?: AsyncSettings;
  /** Async only: epoch ms (real) after which the event is too old to run (acceptedAt + maximumEventAgeSeconds). */
  expiresAt?: number;
}

/** How an invocation ended, as the agent saw it. */
export interface InvocationResult {
  requestId: string;
  /** The response payload, or the error payload {"errorMessage","errorType",…} when functionError is set. */
  payload: string;
  /** Set when the function failed: Unhandled (thrown, crashed, timed out) or Handled. */
  functionError?: 'Unhandled' | 'Handled';
  executedVersion: string;
  /** Base64 of the last 4 KB of the invocation's log lines, when logTail was asked for. */
  logResult?: string;
  durationMs: number;
  /**
   * The function streamed its response: this many entries went on the invocation's response stream (keys.ts
   * responseStreamKey) before this result, and `payload` is empty unless the function failed.
   */
  streamed?: number;
}
