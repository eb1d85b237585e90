// Over the limit, a request body is refused with 413 and the connection closed: the server reads little of the rest.
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { silentLogger } from '../../src/core/logger.js';
import { sendAwsError, sendJson } from '../../src/router/aws-response.js';
import { readBody } from '../../src/router/body.js';

const LIMIT = 1024 * 1024;
const BODY = 50 * 1024 * 1024;
const MB = 1024 * 1024;

let server: Server;
let port: number;
/** Every socket the server accepted, to read how many bytes it took off the wire. */
const accepted: Socket[] = [];

beforeAll(async () => {
  const app = express();
  app.post('/upload', async (req: Request, res: Response) => {
    const body = await readBody(req, LIMIT);
    sendJson(res, 200, { size: body.length });
  });
  app.get('/nobody', (_req: Request, res: Response) => { sendJson(res, 200, { ok: true }); });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => sendAwsError(res, err, silentLogger));
  server = createServer(app);
  server.on('connection', (s: Socket) => { accepted.push(s); });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});

interface Upload { response: string; closed: boolean; serverRead: number }

/**
 * Sends `head` then up to BODY bytes (as one declared body, or as 1 MB chunks), honouring backpressure, until the
 * server closes the connection; resolves with what came back and how many bytes the server's socket read.
 */
function upload(head: string, chunked: boolean): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const before = accepted.length;
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let closed = false;
    socket.on('data', (d: Buffer) => { response += d.toString('latin1'); });
    socket.on('error', () => undefined); // the server's reset after its answer is expected
    socket.on('close', () => {
      closed = true;
      const serverSocket = accepted[before];
      if (!serverSocket) { reject(new Error('the server saw no connection')); return; }
      resolve({ response, closed, serverRead: serverSocket.bytesRead });
    });
    const chunk = Buffer.alloc(MB, 0x61);
    let sent = 0;
    const pump = () => {
      while (!socket.destroyed && sent < BODY) {
        sent += chunk.length;
        const more = chunked ? socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n') : socket.write(chunk);
        if (!more) { socket.once('drain', pump); return; }
      }
      if (!socket.destroyed && chunked) socket.write('0\r\n\r\n');
    };
    socket.write(head, () => pump());
  });
}

describe('a request body over the limit', () => {
  it('with a declared Content-Length: 413 at once, Connection: close, and the server reads almost none of it', async () => {
    const out = await upload(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY}\r\n\r\n`, false);
    expect(out.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.response).toMatch(/\r\nConnection: close\r\n/i);
    expect(out.response).toMatch(/\r\nx-amzn-ErrorType: RequestTooLargeException\r\n/);
    expect(out.closed).toBe(true);
    expect(out.serverRead).toBeLessThan(MB);
  });

  it('chunked: 413 once the limit is passed, and the server reads little beyond the limit', async () => {
    const out = await upload('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', true);
    expect(out.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.response).toMatch(/\r\nConnection: close\r\n/i);
    expect(JSON.parse(out.response.slice(out.response.indexOf('\r\n\r\n') + 4))).toMatchObject({ __type: 'RequestTooLargeException' });
    expect(out.serverRead).toBeGreaterThan(LIMIT);
    expect(out.serverRead).toBeLessThan(LIMIT + 2 * MB);
  });

  it('a body answered without being read (a GET with a body) also closes instead of being drained', async () => {
    const out = await upload(`GET /nobody HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY}\r\n\r\n`, false);
    expect(out.response).toMatch(/^HTTP\/1\.1 200 /);
    expect(out.response).toMatch(/\r\nConnection: close\r\n/i);
    expect(out.serverRead).toBeLessThan(MB);
  });
});

describe('a body within the limit', () => {
  it('is read whole and the connection stays open for the next request', async () => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (d: Buffer) => { response += d.toString('latin1'); });
    const body = JSON.stringify({ s: 'x'.repeat(1000) });
    const request = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    socket.write(request + request);
    await new Promise<void>((ok) => { const check = () => { if ((response.match(/HTTP\/1\.1 200 /g) ?? []).length === 2) ok(); else socket.once('data', check); }; check(); });
    expect(response).not.toMatch(/Connection: close/i);
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });
});
