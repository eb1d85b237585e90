// Writes errors in the AWS shape: JSON body plus x-amzn-ErrorType, the one place errors meet the wire.
import type { ServerResponse } from 'node:http';
import { awsErrorBody, toAwsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { newRequestId } from '../core/ids.js';
import { bodyPending } from './body.js';

/**
 * A response sent before its request's body was read to the end (refused as too large, or answered without
 * needing it) closes the connection, rather than letting Node read and drop whatever the client still sends:
 * `Connection: close`, and the socket destroyed as soon as the response is flushed.
 */
function closeIfBodyPending(res: ServerResponse, headers: Record<string, string>): void {
  const req = res.req;
  if (!req || !bodyPending(req)) return;
  req.pause();
  headers.Connection = 'close';
  const socket = res.socket;
  res.once('finish', () => socket?.destroy());
}

export function sendAwsError(res: ServerResponse, err: unknown, logger: Logger): void {
  const e = toAwsError(err);
  if (e.statusCode >= 500) logger.error({ msg: 'request failed', awsType: e.awsType, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify(awsErrorBody(e));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': e.awsType,
    'x-amzn-RequestId': newRequestId(),
    'Content-Length': String(Buffer.byteLength(body)),
  };
  closeIfBodyPending(res, headers);
  res.writeHead(e.statusCode, headers).end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = value === undefined ? '' : JSON.stringify(value);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': newRequestId(),
    'Content-Length': String(Buffer.byteLength(body)),
  };
  closeIfBodyPending(res, headers);
  res.writeHead(status, headers).end(body);
}
