// Writes errors in the AWS shape: JSON body plus x-amzn-ErrorType, the one place errors meet the wire.
import type { ServerResponse } from 'node:http';
import { awsErrorBody, toAwsError, type AwsErrorShape } from '../core/errors.js';
import type { JsonProtocol } from '../core/json-targets.js';
import type { Logger } from '../core/logger.js';
import { newRequestId } from '../core/ids.js';
import { SNS } from '../core/query-apis.js';
import { bodyPending, stopReading } from './body.js';
import { queryErrorBody, queryErrorOf } from './query/errors.js';

/** How long a connection answered before its body was read stays half-closed before it is destroyed. */
export const UNREAD_BODY_LINGER_MS = 1000;

/**
 * A response sent before its request's body was read to the end (refused as too large, or answered without
 * needing it) closes the connection instead of letting Node read and drop whatever the client still sends:
 * `Connection: close`, nothing more read, and the socket destroyed shortly after the response is flushed.
 * Not at once: closing a socket with unread data sends a reset, and a client still writing its body is then
 * often told of the reset before it reads the answer (measured: about one 413 in four lost under load). So the
 * response is followed by a FIN; the client, whose writes soon stall, reads it; a second later the socket goes.
 */
function closeIfBodyPending(res: ServerResponse, headers: Record<string, string>): void {
  const req = res.req;
  if (!req || !bodyPending(req)) return;
  stopReading(req);
  headers.Connection = 'close';
  const socket = res.socket;
  if (!socket) return;
  // Node's end of a Connection: close response (destroy as soon as the FIN is out), with a linger in between
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), UNREAD_BODY_LINGER_MS).unref();
  };
}

/** How a request's answer is written: Lambda's REST-JSON, an AWS JSON protocol (EventBridge's awsJson1_1), or SNS's query protocol (XML). */
export type WireProtocol = 'restJson1' | JsonProtocol | 'awsQuery';

const CONTENT_TYPE: Record<WireProtocol, string> = {
  restJson1: 'application/json',
  awsJson1_0: 'application/x-amz-json-1.0',
  awsJson1_1: 'application/x-amz-json-1.1',
  awsQuery: 'text/xml',
};

/**
 * The error body: Lambda's `{Type, __type, message, Message}`; the JSON protocols' `{__type, message}`, which the SDKs'
 * awsJson deserializers read the type from (before the x-amzn-ErrorType header) and botocore reads it from alone.
 */
function errorBody(e: AwsErrorShape, protocol: WireProtocol): Record<string, string | number> {
  return protocol === 'restJson1' ? awsErrorBody(e) : { __type: e.awsType, message: e.message, ...e.extra };
}

export function sendAwsError(res: ServerResponse, err: unknown, logger: Logger, protocol: WireProtocol = 'restJson1'): void {
  const e = toAwsError(err);
  if (e.statusCode >= 500) logger.error({ msg: 'request failed', awsType: e.awsType, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  if (res.headersSent) { res.destroy(); return; }
  const requestId = newRequestId();
  // the query protocol: SNS's code and status in an ErrorResponse document
  const q = protocol === 'awsQuery' ? queryErrorOf(e) : undefined;
  const body = q ? queryErrorBody(q, SNS.xmlNamespace, requestId) : JSON.stringify(errorBody(e, protocol));
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPE[protocol],
    'x-amzn-ErrorType': q?.code ?? e.awsType,
    'x-amzn-RequestId': requestId,
    'Content-Length': String(Buffer.byteLength(body)),
  };
  closeIfBodyPending(res, headers);
  res.writeHead(q?.status ?? e.statusCode, headers).end(body);
}

/** A query-protocol answer: its XML document (router/query/xml.ts), with the request id it carries. */
export function sendXml(res: ServerResponse, status: number, body: string, requestId: string): void {
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPE.awsQuery,
    'x-amzn-RequestId': requestId,
    'Content-Length': String(Buffer.byteLength(body)),
  };
  closeIfBodyPending(res, headers);
  res.writeHead(status, headers).end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, protocol: WireProtocol = 'restJson1'): void {
  const body = value === undefined ? '' : JSON.stringify(value);
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPE[protocol],
    'x-amzn-RequestId': newRequestId(),
    'Content-Length': String(Buffer.byteLength(body)),
  };
  closeIfBodyPending(res, headers);
  res.writeHead(status, headers).end(body);
}
