// Over the limit, a request body is refused with 413 and the connection closed: the server reads little of the rest.
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { silentLogger } from '../../src/core/logger.js';
import { sendAwsError, sendJson } from '../../src/router/aws-response.js';
import { readBody } from '../../src/router/body.js';
import { uploadFromAnotherProcess } from '../helpers/upload-client.js';
import { waitFor } from '../helpers/wait.js';

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

interface Upload { response: string; serverRead: number }

/** Sends `head` and BODY bytes from another process; resolves with the answer and how much the server's socket read. */
async function upload(head: string, chunked: boolean): Promise<Upload> {
  const before = accepted.length;
  const response = await uploadFromAnotherProcess({ port, head, bodyBytes: BODY, chunked });
  const serverSocket = accepted[before];
  if (!serverSocket) throw new Error('the server saw no connection');
  return { response, serverRead: serverSocket.bytesRead };
}

describe('a request body over the limit', () => {
  it('with a declared Content-Length: 413 at once, Connection: close, and the server reads almost none of it', async () => {
    const out = await upload(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY}\r\n\r\n`, false);
    expect(out.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(out.response).toMatch(/\r\nConnection: close\r\n/i);
    expect(out.response).toMatch(/\r\nx-amzn-ErrorType: RequestTooLargeException\r\n/);
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

describe('the connection of a refused body', () => {
  it('is closed by the server a moment after the answer, even if the client keeps it open', async () => {
    const before = accepted.length;
    // half-open allowed: the client does not answer the server's FIN with its own
    const client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let response = '';
    client.on('data', (d: Buffer) => { response += d.toString('latin1'); });
    client.on('error', () => undefined);
    client.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY}\r\n\r\n${'x'.repeat(1000)}`);
    await waitFor(() => (response.includes('RequestTooLargeException') ? true : undefined), 5000, 'the 413');
    const serverSocket = accepted[before]!;
    await waitFor(() => (serverSocket.destroyed ? true : undefined), 5000, 'the server to close the connection');
    await waitFor(() => (client.readableEnded ? true : undefined), 5000, 'the client to see the end of the connection');
    client.destroy();
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
