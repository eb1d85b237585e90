// The local mode without --auth, as a web page would try it: a foreign Host (DNS rebinding), a foreign Origin, and
// writes a page can send cross-site without asking (text/plain, forms) are refused with 403; loopback JSON works, and
// so does a form that carries a SigV4 Authorization header (an SNS call, which no page can send without asking).
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fn, startFixture, type Fixture } from './helpers/local.js';

let f: Fixture;
let port: number;
beforeAll(async () => {
  f = await startFixture({ 'hi.yaml': fn('hi', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (e) => ({ hi: e.name ?? "you" });' }) });
  port = f.local.port;
}, 60_000);
afterAll(async () => { await f?.stop(); });

interface Answer { status: number; type: string | undefined; body: string }

/** Raw HTTP, so Host and Origin can be anything a browser might send. */
function send(method: string, path: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['x-amzn-errortype'] as string | undefined, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const invokePath = '/2015-03-31/functions/hi/invocations';
const json = { 'Content-Type': 'application/json' };

it('answers loopback JSON, also from a loopback page (Origin http://localhost:3000) and for Host localhost', async () => {
  expect(await send('POST', invokePath, { ...json, Host: `127.0.0.1:${port}` }, '{"name":"a"}')).toMatchObject({ status: 200, body: '{"hi":"a"}' });
  expect(await send('POST', invokePath, { ...json, Host: `localhost:${port}`, Origin: 'http://localhost:3000' }, '{}')).toMatchObject({ status: 200 });
  expect(await send('GET', '/2015-03-31/functions/', { Host: `[::1]:${port}` })).toMatchObject({ status: 200 });
});

it('refuses a Host that is not loopback (a DNS-rebound page): 403 AccessDeniedException', async () => {
  const out = await send('POST', invokePath, { ...json, Host: `rebound.evil.example:${port}` }, '{}');
  expect(out).toMatchObject({ status: 403, type: 'AccessDeniedException' });
  expect(JSON.parse(out.body).message).toMatch(/^Host 'rebound\.evil\.example:\d+' refused/);
});

it('refuses a foreign Origin, reads included (GetFunction would show the environment)', async () => {
  expect(await send('POST', invokePath, { ...json, Host: `127.0.0.1:${port}`, Origin: 'https://evil.example' }, '{}')).toMatchObject({ status: 403, type: 'AccessDeniedException' });
  expect(await send('GET', '/2015-03-31/functions/hi', { Host: `127.0.0.1:${port}`, Origin: 'null' })).toMatchObject({ status: 403, type: 'AccessDeniedException' });
});

it('refuses writes a page can send without asking (text/plain, a form, curl -d), and writes nothing', async () => {
  const alias = JSON.stringify({ Name: 'live', FunctionVersion: '$LATEST' });
  for (const ct of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    expect(await send('POST', '/2015-03-31/functions/hi/aliases', { Host: `127.0.0.1:${port}`, 'Content-Type': ct }, alias)).toMatchObject({ status: 403, type: 'AccessDeniedException' });
  }
  expect(existsSync(join(f.dir, 'hi.live.alias.yaml'))).toBe(false);
  expect(await send('POST', '/2015-03-31/functions/hi/aliases', { ...json, Host: `127.0.0.1:${port}` }, alias)).toMatchObject({ status: 201 });
  expect(existsSync(join(f.dir, 'hi.live.alias.yaml'))).toBe(true);
});

it('refuses an SNS-shaped form without a SigV4 Authorization header (403, in SNS\'s XML); with one the guard lets it through', async () => {
  const form = { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const body = 'Action=ListTopics&Version=2010-03-31';
  const bare = await send('POST', '/', form, body);
  expect(bare).toMatchObject({ status: 403, type: 'AuthorizationError' });
  expect(bare.body).toMatch(/^<ErrorResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><Error><Type>Sender<\/Type><Code>AuthorizationError<\/Code><Message>Content-Type &apos;application\/x-www-form-urlencoded&apos; refused/);
  const signed = await send('POST', '/', { ...form, Authorization: 'AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0' }, body);
  expect(signed.status).not.toBe(403);
  // a foreign Origin stays refused, signed or not
  expect(await send('POST', '/', { ...form, Origin: 'https://evil.example', Authorization: 'AWS4-HMAC-SHA256 Credential=x' }, body)).toMatchObject({ status: 403 });
});
