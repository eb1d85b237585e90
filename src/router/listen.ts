// Serves the router's express app on HOST:PORT (0 picks a free port) and closes it with its keep-alive connections.
import type { Express } from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { awsErrorBody, invalidContent, KlambdaError, type AwsErrorShape } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * What a request Node's HTTP parser refuses gets instead of Node's bare status line: the AWS error shape. Headers
 * over Node's 16 KB limit are 431 (the status RFC 6585 and Node give them) with InvalidRequestContentException,
 * the type Lambda documents for "a request header is invalid", so the SDKs raise a class they know.
 */
export function clientErrorOf(code: string | undefined): AwsErrorShape {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new KlambdaError(431, 'InvalidRequestContentException', 'Request header fields too large: the request line and headers must fit in 16 KB.');
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new KlambdaError(408, 'RequestTimeoutException', 'The request was not received in time.');
  return invalidContent(`The request is not valid HTTP/1.1${code ? ` (${code})` : ''}.`);
}

function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // as Node's own handler: write only where no response to this connection has started
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const e = clientErrorOf(err.code);
  const body = JSON.stringify(awsErrorBody(e));
  socket.end([
    `HTTP/1.1 ${e.statusCode} ${STATUS_TEXT[e.statusCode] ?? 'Bad Request'}`,
    'Content-Type: application/json',
    `x-amzn-ErrorType: ${e.awsType}`,
    `x-amzn-RequestId: ${newRequestId()}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n'), () => socket.destroy());
}

/** The port is taken: said as a person would, so the command line can print it as it is (Node's own is "listen EADDRINUSE: address already in use 127.0.0.1:9000"). */
export class PortInUseError extends Error {
  constructor(readonly port: number, readonly host: string) {
    super(`port ${port} on ${host} is in use`);
    this.name = 'PortInUseError';
  }
}

export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = createServer(app);
  // longer than the usual 60 s idle timeout of load balancers in front of it
  server.keepAliveTimeout = 65_000;
  server.on('clientError', onClientError);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'EADDRINUSE' ? new PortInUseError(port, shownHost) : err));
    server.listen(port, host, () => ok());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${shownHost}:${actual}`, port: actual,
    close: () => new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}
