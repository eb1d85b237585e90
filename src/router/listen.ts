// Serves the router's express app on HOST:PORT (0 picks a free port) and closes it with its keep-alive connections.
import type { Express } from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = createServer(app);
  // longer than the usual 60 s idle timeout of load balancers in front of it
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(port, host, () => ok()); });
  const actual = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actual}`, port: actual,
    close: () => new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}
