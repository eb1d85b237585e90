// The Lambda Runtime API over HTTP (/2018-06-01/runtime/…): parses the runtime's calls and hands them to its owner.
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Invocation } from '../core/invocation.js';
import { MAX_RESPONSE_BYTES, rapidReplies } from './runtime-errors.js';
import { clientContextHeader } from './runtime-launch.js';

/** What the owner does with each call; every handler must answer `res`. */
export interface RuntimeApiHandlers {
  /** GET …/invocation/next: the runtime waits (long poll) for its next event. */
  next(res: ServerResponse): void;
  /** POST …/invocation/{id}/response; `body` is null when it exceeded MAX_RESPONSE_BYTES. */
  response(requestId: string, body: string | null, res: ServerResponse): void;
  /**
   * POST …/invocation/{id}/response with Lambda-Runtime-Function-Response-Mode: streaming: the body is read by the
   * owner as it arrives (a chunked body; an error comes as its Lambda-Runtime-Function-Error-Type/-Body trailers).
   */
  responseStream(requestId: string, req: IncomingMessage, res: ServerResponse): void;
  /** POST …/invocation/{id}/error. */
  error(requestId: string, body: string, errorTypeHeader: string | undefined, res: ServerResponse): void;
  /** POST …/init/error. */
  initError(body: string, errorTypeHeader: string | undefined, res: ServerResponse): void;
}

const PREFIX = '/2018-06-01/runtime/';
const INVOCATION = `${PREFIX}invocation/`;
const NEXT = `${INVOCATION}next`;
const INIT_ERROR = `${PREFIX}init/error`;
const JSON_TYPE = { 'Content-Type': 'application/json' };

export function replyJson(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The headers of the answer to /next that carries `inv`. */
export function nextEventHeaders(inv: Invocation, deadlineMs: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(inv.payload),
    'Lambda-Runtime-Aws-Request-Id': inv.requestId,
    'Lambda-Runtime-Deadline-Ms': deadlineMs,
    'Lambda-Runtime-Invoked-Function-Arn': inv.invokedFunctionArn,
    'Lambda-Runtime-Trace-Id': inv.traceId,
  };
  const clientContext = clientContextHeader(inv.clientContext);
  if (clientContext) headers['Lambda-Runtime-Client-Context'] = clientContext;
  return headers;
}

/** Reads a request body as UTF-8, giving null (after draining the rest) once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, done: (body: string | null) => void): void {
  const declared = Number(req.headers['content-length']);
  let tooLarge = declared > limit;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > limit) {
      tooLarge = true;
      chunks.length = 0;
    } else {
      chunks.push(chunk);
    }
  });
  req.on('end', () => {
    if (tooLarge) done(null);
    else done(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export class RuntimeApiServer {
  private closing: Promise<void> | undefined;

  private constructor(private readonly server: Server, readonly port: number) {}

  /**
   * Listens on 127.0.0.1 on a free port (a pod's agent: on its fixed port). `admit` sees each new connection before
   * any of its bytes is read (a keep-alive connection once); one it refuses is destroyed at once.
   */
  static async listen(handlers: RuntimeApiHandlers, at: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
    admit?: (socket: Socket) => boolean): Promise<RuntimeApiServer> {
    const server = createServer({ requireHostHeader: false }, (req, res) => route(handlers, req, res));
    // after http's own listener, in the same turn: its reads are not dispatched before this has decided
    if (admit) server.on('connection', (socket: Socket) => { if (!admit(socket)) socket.destroy(); });
    // The runtime holds /next open for as long as the environment idles, and keeps its connection alive.
    server.keepAliveTimeout = 0;
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new RuntimeApiServer(server, (server.address() as AddressInfo).port);
  }

  /** Stops listening and drops every connection, the waiting /next included. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
    }
    return this.closing;
  }
}

function route(h: RuntimeApiHandlers, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  if (url === NEXT) {
    if (req.method !== 'GET') return replyJson(res, 405, rapidReplies.notFound);
    // The request is complete; drain it so the connection stays usable.
    req.resume();
    return h.next(res);
  }
  if (req.method !== 'POST') return replyJson(res, 404, rapidReplies.notFound);
  if (url === INIT_ERROR) {
    return readBody(req, MAX_RESPONSE_BYTES, (body) =>
      h.initError(body ?? '', header(req, 'lambda-runtime-function-error-type'), res));
  }
  if (url.startsWith(INVOCATION)) {
    const rest = url.slice(INVOCATION.length);
    const slash = rest.lastIndexOf('/');
    const requestId = slash > 0 ? decodeId(rest.slice(0, slash)) : '';
    const action = rest.slice(slash + 1);
    if (requestId && action === 'response' && header(req, 'lambda-runtime-function-response-mode')?.toLowerCase() === 'streaming') {
      return h.responseStream(requestId, req, res);
    }
    if (requestId && action === 'response') return readBody(req, MAX_RESPONSE_BYTES, (body) => h.response(requestId, body, res));
    if (requestId && action === 'error') {
      return readBody(req, MAX_RESPONSE_BYTES, (body) =>
        h.error(requestId, body ?? '', header(req, 'lambda-runtime-function-error-type'), res));
    }
  }
  req.resume();
  replyJson(res, 404, rapidReplies.notFound);
}
