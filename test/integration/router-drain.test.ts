// The router's listener stops without resetting the requests it is answering: close() refuses new connections, lets
// the requests in flight finish (bounded by drainMs), and then drops what is left.
import express from 'express';
import { request } from 'node:http';
import { listen, type Listening } from '../../src/router/listen.js';

/** One GET, the answer read whole; rejects on a reset or refused connection. */
function get(url: string, agent = false): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agent ? undefined : false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('closing the listener', () => {
  let http: Listening | undefined;
  let release: () => void = () => undefined;
  let arrived: Promise<void>;
  let arrive: () => void;

  beforeEach(async () => {
    arrived = new Promise<void>((r) => { arrive = r; });
    const gate = new Promise<void>((r) => { release = r; });
    const app = express();
    app.get('/slow', (_req, res) => { arrive(); void gate.then(() => res.send('finished')); });
    app.get('/fast', (_req, res) => { res.send('fast'); });
    http = await listen(app, 0, '127.0.0.1');
  });
  afterEach(async () => { release(); await http?.close(0); });

  it('lets a request in flight finish, and takes no new connection meanwhile', async () => {
    const slow = get(`${http!.url}/slow`);
    await arrived;
    const closing = http!.close(60_000);
    // the port no longer takes connections
    await expect(get(`${http!.url}/fast`)).rejects.toThrow(/ECONNREFUSED/);
    release();
    await expect(slow).resolves.toMatchObject({ status: 200, body: 'finished' });
    await closing;
  });

  it('closes at once when nothing is in flight', async () => {
    await expect(get(`${http!.url}/fast`, true)).resolves.toMatchObject({ status: 200, body: 'fast' });
    // an idle keep-alive connection does not hold the stop for the drain time
    await http!.close(600_000);
  });

  it('drops a request still running when the drain time is over', async () => {
    const slow = get(`${http!.url}/slow`);
    await arrived;
    await http!.close(1);
    await expect(slow).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
