// The ops endpoints of a klambda process, without authentication: /healthz (Redis answers), /readyz (started and
// Redis answers), /metrics (the process's own Registry). Kept off the API port so probes and scrapes never meet SigV4.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';

export interface OpsHandlers {
  registry: Registry;
  /** Resolves when Redis answers PING (any error or rejection: unhealthy). */
  ping(): Promise<unknown>;
  /** True once the process has started fully (router: keys, routes, Redis; controller: informers synced). */
  ready(): boolean;
  /** How long a PING may take before the probe fails (default 1 s). */
  pingTimeoutMs?: number;
}

export interface OpsServerOptions extends OpsHandlers {
  port: number;
  host: string;
  logger: Logger;
}

export interface OpsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' }).end(text);
}

/** Why Redis is not healthy, or undefined when it answered PING in time. */
export async function redisProblem(h: Pick<OpsHandlers, 'ping' | 'pingTimeoutMs'>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = h.pingTimeoutMs ?? 1000;
  const late = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(`redis did not answer PING within ${timeoutMs} ms`), timeoutMs); });
  try {
    return await Promise.race([h.ping().then(() => undefined, (err: unknown) => `redis: ${err instanceof Error ? err.message : String(err)}`), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The request handler alone, for a process that serves these paths on a server it already has. */
export function opsHandler(h: OpsHandlers, logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') { json(res, 405, { ok: false, reason: 'method not allowed' }); return; }
    if (path === '/healthz' || path === '/readyz') {
      void redisProblem(h).then((problem) => {
        if (problem) json(res, 503, { ok: false, reason: problem });
        else if (path === '/readyz' && !h.ready()) json(res, 503, { ok: false, reason: 'starting' });
        else json(res, 200, { ok: true });
      });
      return;
    }
    if (path === '/metrics') {
      h.registry.metrics().then(
        (text) => { res.writeHead(200, { 'Content-Type': h.registry.contentType, 'Content-Length': Buffer.byteLength(text) }).end(text); },
        (err: unknown) => {
          logger.error({ msg: 'metrics collection failed', error: err instanceof Error ? err.message : String(err) });
          json(res, 500, { ok: false, reason: 'metrics collection failed' });
        });
      return;
    }
    json(res, 404, { ok: false, reason: `no such path: ${path}` });
  };
}

/** Listens on HOST:PORT (0 picks a free port) and logs {"msg":"ops listening","url":...}. */
export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const server = createServer(opsHandler(opts, opts.logger));
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(opts.port, opts.host, () => ok()); });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  opts.logger.info({ msg: 'ops listening', url });
  return {
    url, port,
    close: () => new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}
