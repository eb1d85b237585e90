// Writes errors in the AWS shape: JSON body plus x-amzn-ErrorType, the one place errors meet the wire.
import type { ServerResponse } from 'node:http';
import { awsErrorBody, toAwsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { newRequestId } from '../core/ids.js';

export function sendAwsError(res: ServerResponse, err: unknown, logger: Logger): void {
  const e = toAwsError(err);
  if (e.statusCode >= 500) logger.error({ msg: 'request failed', awsType: e.awsType, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify(awsErrorBody(e));
  res.writeHead(e.statusCode, {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': e.awsType,
    'x-amzn-RequestId': newRequestId(),
    'Content-Length': String(Buffer.byteLength(body)),
  }).end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': newRequestId(),
    'Content-Length': String(Buffer.byteLength(body)),
  }).end(body);
}
