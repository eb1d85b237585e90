// Serves the router's express app on HOST:PORT (0 picks a free port) and closes it with its keep-alive connections,
// letting the requests in flight finish first (bounded): a stop or a rolling update does not reset a caller whose
// request was being answered (an S3 webhook that never retries, an async invoke already queued).
import type { Express } from 'express';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { constants as h2, createServer as createH2Server, type Http2Server, type IncomingHttpHeaders as H2Headers, type ServerHttp2Stream } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { awsErrorBody, invalidContent, KlambdaError, type AwsErrorShape } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';

export interface Listening {
  url: string;
  port: number;
  /**
   * Stops taking connections, lets the requests in flight finish for up to `drainMs` (default DRAIN_MS; 0: none),
   * closing each connection once it is idle, then drops whatever is left.
   */
  close(drainMs?: number): Promise<void>;
}

/** How long a stop waits for the requests in flight by default (a Pod has 30 s between SIGTERM and SIGKILL). */
export const DRAIN_MS = 10_000;

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

/** What an HTTP/2 connection sends first (RFC 9113 3.4): h2c "prior knowledge", as the Kinesis client speaks to http://. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/** HTTP/2 headers as the HTTP/1.1 request that carries them on: :authority as Host, no pseudo- or hop-by-hop headers. */
export function http1Headers(headers: H2Headers): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined || ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'http2-settings'].includes(name)) continue;
    out[name] = value;
  }
  const authority = headers[h2.HTTP2_HEADER_AUTHORITY];
  if (out.host === undefined && typeof authority === 'string') out.host = authority;
  return out;
}

/**
 * Serves an HTTP/2 stream through the HTTP/1.1 server (on loopback, the port it listens on): the app is written for
 * Node's HTTP/1 request and response, and an h2c client (the Kinesis SDK's default handler) gets the same answers.
 */
function bridge(stream: ServerHttp2Stream, headers: H2Headers, target: () => { host: string; port: number }): void {
  const { host, port } = target();
  const req = httpRequest({
    host, port, method: String(headers[h2.HTTP2_HEADER_METHOD] ?? 'GET'), path: String(headers[h2.HTTP2_HEADER_PATH] ?? '/'), headers: http1Headers(headers),
  }, (res) => {
    const out: Record<string, string | string[]> = { [h2.HTTP2_HEADER_STATUS]: String(res.statusCode ?? 502) };
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined || ['connection', 'keep-alive', 'transfer-encoding'].includes(name)) continue;
      out[name] = value;
    }
    if (stream.destroyed) { res.resume(); return; }
    stream.respond(out);
    res.pipe(stream);
  });
  req.on('error', () => { if (!stream.destroyed) stream.close(h2.NGHTTP2_INTERNAL_ERROR); });
  stream.on('error', () => req.destroy());
  stream.pipe(req);
}

export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = createServer(app);
  // longer than the usual 60 s idle timeout of load balancers in front of it
  server.keepAliveTimeout = 65_000;
  server.on('clientError', onClientError);
  // requests being answered (HTTP/1.1 and bridged HTTP/2 alike: the bridge's requests come back through `server`)
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  server.on('request', (_req, res) => {
    inFlight++;
    // while draining, a keep-alive connection takes no further request
    if (draining) res.shouldKeepAlive = false;
    res.once('close', () => {
      inFlight--;
      if (draining) server.closeIdleConnections();
      if (inFlight === 0) drained?.();
    });
  });
  const shownHost = host.includes(':') ? `[${host}]` : host;
  // one port for both: a connection that opens with HTTP/2's preface goes to the h2c server, any other to HTTP/1.1
  let loopback = { host: '127.0.0.1', port: 0 };
  const h2server: Http2Server = createH2Server();
  h2server.on('stream', (stream, headers) => bridge(stream, headers, () => loopback));
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      if (seen.length < 3 && H2_PREFACE.subarray(0, seen.length).equals(seen)) return;
      socket.off('data', onData);
      const isH2 = H2_PREFACE.subarray(0, Math.min(seen.length, H2_PREFACE.length)).equals(seen.subarray(0, Math.min(seen.length, H2_PREFACE.length)));
      if (!isH2) {
        socket.pause();
        socket.unshift(seen);
        server.emit('connection', socket);
        socket.resume();
        return;
      }
      // HTTP/2 reads a socket's native handle, past what was already read here: it gets a stream that replays it
      const readable = new PassThrough();
      readable.write(seen);
      socket.pipe(readable);
      const duplex = Duplex.from({ readable, writable: socket });
      duplex.on('error', () => socket.destroy());
      socket.once('close', () => duplex.destroy());
      h2server.emit('connection', duplex);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((ok, fail) => {
    front.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'EADDRINUSE' ? new PortInUseError(port, shownHost) : err));
    front.listen(port, host, () => ok());
  });
  const address = front.address() as AddressInfo;
  const actual = address.port;
  // the bridge reaches this port where it listens (an unspecified address is reached on loopback)
  loopback = { host: ['0.0.0.0', '::', ''].includes(address.address) ? (address.family === 'IPv6' ? '::1' : '127.0.0.1') : address.address, port: actual };
  return {
    url: `http://${shownHost}:${actual}`, port: actual,
    close: async (drainMs = DRAIN_MS) => {
      const closed = new Promise<void>((ok) => front.close(() => ok()));
      draining = true;
      server.closeIdleConnections();
      if (inFlight > 0 && drainMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((ok) => { drained = ok; }),
          new Promise<void>((ok) => { timer = setTimeout(ok, drainMs); }),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      h2server.close();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
