// Function URLs served by klambda dev: an express app wrapped in serverless-http and a FastAPI app wrapped in mangum,
// unchanged, behind `spec.url` (routes, repeated query keys, cookies both ways, a PNG, the app's own 404), the payload
// 2.0 event as the function sees it, CORS preflights and headers, AWS's errors (502, 403 for an unknown id, 429, 413),
// and AWS_IAM URLs under --auth: refused without a signature or permission, served with one.
import { SignatureV4 } from '@smithy/signature-v4';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { urlHost, urlId } from '../src/core/function-url.js';
import { Sha256 } from '../test/helpers/sdk-sha256.js';
import { fn, startFixture, type Fixture } from './helpers/local.js';

/** A 1×1 PNG: binary bytes (0x89, 0x00…) that only survive as base64. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc000000301010018dd8db40000000049454e44ae426082', 'hex');

interface Answer { status: number; headers: IncomingHttpHeaders; body: Buffer; text: string }

/** One HTTP request with any Host and repeated headers, the answer read whole. */
function call(base: string, method: string, path: string, headers: Record<string, string | string[]> = {}, body?: Buffer | string): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body: b, text: b.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The packages `names` need, copied from this repository's node_modules into `dest` (a function's own node_modules). */
function copyPackages(names: string[], dest: string): void {
  const root = join(process.cwd(), 'node_modules');
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const dir = join(root, name);
    cpSync(dir, join(dest, name), { recursive: true, dereference: true });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    // a dependency nested in the package's own node_modules came along with it
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (!existsSync(join(dir, 'node_modules', dep))) queue.push(dep);
  }
}

const EXPRESS_APP = `import express from 'express';
import serverless from 'serverless-http';

const PNG = Buffer.from('${PNG.toString('hex')}', 'hex');
const app = express();
app.get('/hello/:name', (req, res) => { res.set('x-request-tag', 'hello').json({ hello: req.params.name, tag: req.query.tag }); });
app.get('/cookies', (req, res) => {
  res.cookie('session', 'abc123', { httpOnly: true });
  res.cookie('theme', 'dark');
  res.json({ got: req.headers.cookie ?? null });
});
app.get('/image.png', (_req, res) => { res.type('png').send(PNG); });
app.post('/echo', express.json(), (req, res) => { res.status(201).json({ body: req.body }); });

export const handler = serverless(app, { binary: ['image/*'] });
`;

const FASTAPI_APP = `from fastapi import FastAPI, Query, Request, Response
from mangum import Mangum

PNG = bytes.fromhex("${PNG.toString('hex')}")
app = FastAPI()


@app.get("/hello/{name}")
def hello(name: str, tag: list[str] = Query(default=[])):
    return {"hello": name, "tag": tag}


@app.get("/cookies")
def cookies(request: Request, response: Response):
    response.set_cookie("session", "py123", httponly=True)
    response.set_cookie("theme", "light")
    return {"got": request.cookies}


@app.get("/image.png")
def image():
    return Response(content=PNG, media_type="image/png")


@app.post("/echo", status_code=201)
async def echo(request: Request):
    return {"body": await request.json()}


handler = Mangum(app, lifespan="off")
`;

const manifest = (name: string, runtime: string, handler: string, path: string, url: string) =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: ${runtime}\n  handler: ${handler}\n  timeoutSeconds: 30\n  code: {path: ${path}}\n  url: ${url}\n`;

const CORS = '{authType: NONE, cors: {allowOrigins: ["https://app.example.com"], allowMethods: [GET, POST], allowHeaders: [content-type, x-custom], exposeHeaders: [x-request-tag], allowCredentials: true, maxAge: 300}}';

const ECHO = { 'index.mjs': 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });' };

/** A POST signed with the SDK's own SigV4 signer for service lambda, as awscurl or a SigV4 proxy sends it. */
async function signedCall(base: string, key: { accessKeyId: string; secretAccessKey: string }, path: string, body = ''): Promise<Answer> {
  const u = new URL(base);
  const signer = new SignatureV4({ credentials: key, region: 'us-east-1', service: 'lambda', sha256: Sha256, uriEscapePath: true });
  const [p, q] = path.split('?') as [string, string | undefined];
  const query = Object.fromEntries(new URLSearchParams(q ?? ''));
  const req = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: p, query, headers: { host: u.host, 'content-type': 'application/json' }, body });
  return call(base, 'POST', path, req.headers, body);
}

const pathOf = (name: string, rest = '/', qualifier = '$LATEST') => `/lambda-url/${urlId('default', name, qualifier)}${rest}`;

describe('klambda dev without --auth', () => {
  let f: Fixture;
  const get = (name: string, rest: string, headers: Record<string, string | string[]> = {}) => call(f.local.url, 'GET', pathOf(name, rest), headers);

  beforeAll(async () => {
    f = await startFixture({
      'web.yaml': manifest('web', 'nodejs20', 'app.handler', 'express-app', CORS),
      'express-app/app.mjs': EXPRESS_APP,
      'echo.yaml': fn('echo', 'nodejs20', 'index.handler', ECHO, '  url: {authType: NONE}\n'),
      'plain.yaml': fn('plain', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => "hello";' }, '  url: {authType: NONE}\n'),
      'broken.yaml': fn('broken', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => { throw new Error("boom"); };' }, '  url: {authType: NONE}\n'),
      'throttled.yaml': fn('throttled', 'nodejs20', 'index.handler', ECHO, '  reservedConcurrency: 0\n  url: {authType: NONE}\n'),
      'nourl.yaml': fn('nourl', 'nodejs20', 'index.handler', ECHO),
      'slow.yaml': fn('slow', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = () => new Promise((r) => setTimeout(r, 5000));' }, '  timeoutSeconds: 1\n  url: {authType: NONE}\n'),
      'huge.yaml': fn('huge', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => "x".repeat(7 * 1024 * 1024);' }, '  url: {authType: NONE}\n'),
      'arn.yaml': fn('arn', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (_e, context) => ({ arn: context.invokedFunctionArn });' }, '  url: {authType: NONE}\n'),
      'arn-live.yaml': 'apiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: arn-live}\nspec:\n  functionName: arn\n  name: live\n  functionVersion: $LATEST\n  url: {authType: NONE}\n',
      'iam.yaml': fn('iam', 'nodejs20', 'index.handler', ECHO, '  url: {authType: AWS_IAM}\n'),
    });
    copyPackages(['express', 'serverless-http'], join(f.dir, 'express-app', 'node_modules'));
    // FastAPI and mangum installed into the folder the function ships, as `pip install -t` does for a Lambda package:
    // inside the manifest folder, with the JSON pip leaves in *.dist-info (read as code, not as manifests)
    const pyDir = join(f.dir, 'fastapi-app');
    execFileSync('python3.11', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', pyDir, 'fastapi==0.165.0', 'mangum==0.22.0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(join(pyDir, 'main.py'), FASTAPI_APP);
    expect((readdirSync(pyDir, { recursive: true }) as string[]).filter((p) => p.endsWith('.json')).length).toBeGreaterThan(0);
    f.write('pyweb.yaml', manifest('pyweb', 'python3.11', 'main.handler', 'fastapi-app', '{authType: NONE}'));
    await f.local.store.reload();
  }, 180_000);
  afterAll(async () => {
    await f?.stop();
  });

  describe.each([['express in serverless-http', 'web'], ['FastAPI in mangum', 'pyweb']])('%s, unchanged', (_what, name) => {
    it('routes a path, with a repeated query key reaching the app as a list', async () => {
      const r = await get(name, '/hello/ada?tag=a&tag=b');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(r.text)).toEqual({ hello: 'ada', tag: ['a', 'b'] });
    }, 60_000);

    it('reads the cookies sent and sets its own, one Set-Cookie each', async () => {
      const r = await get(name, '/cookies', { cookie: 'a=1; b=2' });
      expect(r.status).toBe(200);
      const got = (JSON.parse(r.text) as { got: unknown }).got;
      expect(got).toEqual(name === 'web' ? 'a=1; b=2' : { a: '1', b: '2' });
      const set = r.headers['set-cookie'] ?? [];
      expect(set).toHaveLength(2);
      expect(set[0]).toMatch(/^session=(abc123|py123);.*HttpOnly/i);
      expect(set[1]).toMatch(/^theme=(dark|light)/);
    }, 60_000);

    it('answers a PNG byte for byte (base64 on the way, binary on the wire)', async () => {
      const r = await get(name, '/image.png');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('image/png');
      expect(r.body.equals(PNG)).toBe(true);
    }, 60_000);

    it('takes a JSON body and answers with its own status', async () => {
      const r = await call(f.local.url, 'POST', pathOf(name, '/echo'), { 'content-type': 'application/json' }, JSON.stringify({ n: 1, s: 'é' }));
      expect(r.status).toBe(201);
      expect(JSON.parse(r.text)).toEqual({ body: { n: 1, s: 'é' } });
    }, 60_000);

    it("passes on the app's own 404", async () => {
      const r = await get(name, '/no/such/route');
      expect(r.status).toBe(404);
      if (name === 'pyweb') expect(JSON.parse(r.text)).toEqual({ detail: 'Not Found' });
      else expect(r.text).toMatch(/Cannot GET \/no\/such\/route/);
    }, 60_000);
  });

  it('is served under its host name too: <url-id>.lambda-url.<region>.localhost', async () => {
    const host = `${urlHost(urlId('default', 'web', '$LATEST'), 'us-east-1', 'localhost')}:${f.local.port}`;
    const r = await call(f.local.url, 'GET', '/hello/host?tag=x', { host });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ hello: 'host', tag: 'x' });
  }, 60_000);

  it("serves an Alias's URL: the function runs invoked as name:alias; $LATEST's own URL unqualified", async () => {
    const live = await get('arn', '/', {});
    expect(JSON.parse(live.text)).toEqual({ arn: 'arn:aws:lambda:us-east-1:000000000000:function:arn' });
    const r = await call(f.local.url, 'GET', pathOf('arn', '/', 'live'));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ arn: 'arn:aws:lambda:us-east-1:000000000000:function:arn:live' });
  }, 60_000);

  it('hands the function the payload 2.0 event: raw path and query, joined values, cookies apart, base64 for binary', async () => {
    const r = await call(f.local.url, 'POST', pathOf('echo', '/a%20b/c?x=1&x=2&y=%C3%A9'), {
      cookie: 'k1=v1; k2=v2', 'x-multi': ['one', 'two'], 'content-type': 'application/octet-stream', 'user-agent': 'klambda-test',
    }, PNG);
    expect(r.status).toBe(200);
    const e = JSON.parse(r.text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(e).toMatchObject({
      version: '2.0', routeKey: '$default', rawPath: '/a%20b/c', rawQueryString: 'x=1&x=2&y=%C3%A9',
      cookies: ['k1=v1', 'k2=v2'], queryStringParameters: { x: '1,2', y: 'é' },
      body: PNG.toString('base64'), isBase64Encoded: true,
    });
    expect(e.headers).toMatchObject({ 'x-multi': 'one,two', 'content-type': 'application/octet-stream', 'user-agent': 'klambda-test' });
    expect(e.headers.cookie).toBeUndefined();
    expect(e.requestContext).toMatchObject({
      accountId: '000000000000', apiId: urlId('default', 'echo', '$LATEST'), domainPrefix: urlId('default', 'echo', '$LATEST'),
      domainName: urlHost(urlId('default', 'echo', '$LATEST'), 'us-east-1', 'localhost'),
      http: { method: 'POST', path: '/a%20b/c', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'klambda-test' },
      routeKey: '$default', stage: '$default',
    });
    expect(e.requestContext.requestId).toBe(r.headers['x-amzn-requestid']);
    expect(e.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(e.requestContext.authorizer).toBeUndefined();
  }, 60_000);

  it('sends text bodies as text, and no body and no query parameters when there are none', async () => {
    const text = JSON.parse((await call(f.local.url, 'PUT', pathOf('echo', '/t'), { 'content-type': 'text/plain; charset=utf-8' }, 'héllo')).text) as Record<string, unknown>;
    expect(text).toMatchObject({ body: 'héllo', isBase64Encoded: false });
    const bare = JSON.parse((await get('echo', '/')).text) as Record<string, unknown>;
    expect(bare).toMatchObject({ rawPath: '/', rawQueryString: '', isBase64Encoded: false });
    expect(bare).not.toHaveProperty('body');
    expect(bare).not.toHaveProperty('queryStringParameters');
    expect(bare).not.toHaveProperty('cookies');
  }, 60_000);

  it('answers a value that is no response object as a 200 application/json body: a string as its text', async () => {
    const r = await get('plain', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.text).toBe('hello');
  }, 60_000);

  describe('CORS', () => {
    const preflight = (origin: string) => call(f.local.url, 'OPTIONS', pathOf('web', '/echo'), { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });

    it('answers a preflight from an allowed origin itself, from the configuration', async () => {
      const r = await preflight('https://app.example.com');
      expect(r.status).toBe(200);
      expect(r.text).toBe('');
      // express would have answered OPTIONS with an Allow header: the function was not called
      expect(r.headers.allow).toBeUndefined();
      expect(r.headers).toMatchObject({
        'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'content-type,x-custom', 'access-control-max-age': '300', 'access-control-allow-credentials': 'true',
      });
    }, 60_000);

    it('tells an origin outside the list nothing', async () => {
      const r = await preflight('https://evil.example');
      expect(r.status).toBe(200);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
      expect(r.headers['access-control-allow-methods']).toBeUndefined();
    }, 60_000);

    it('adds the configured headers to the answers of the function', async () => {
      const r = await get('web', '/hello/cors', { origin: 'https://app.example.com' });
      expect(r.status).toBe(200);
      expect(r.headers).toMatchObject({
        'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'x-request-tag', 'x-request-tag': 'hello', vary: 'Origin',
      });
      expect((await get('web', '/hello/cors', { origin: 'https://evil.example' })).headers['access-control-allow-origin']).toBeUndefined();
    }, 60_000);
  });

  it('AWS_IAM without --auth: refused unsigned (403), any well-formed signature served as the anonymous caller', async () => {
    const unsigned = await call(f.local.url, 'POST', pathOf('iam', '/'), { 'content-type': 'application/json' }, '{}');
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    const r = await signedCall(f.local.url, { accessKeyId: 'test', secretAccessKey: 'test' }, pathOf('iam', '/'), '{}');
    expect(r.status).toBe(200);
    const e = JSON.parse(r.text) as { requestContext: { authorizer: { iam: Record<string, unknown> } } };
    expect(e.requestContext.authorizer.iam).toMatchObject({ accessKey: null, accountId: '000000000000', userArn: 'arn:aws:iam::000000000000:user/anonymous' });
  }, 60_000);

  describe("AWS's errors", () => {
    it('answers 502 Internal Server Error when the function fails', async () => {
      const r = await get('broken', '/');
      expect(r.status).toBe(502);
      expect(r.text).toBe('Internal Server Error');
    }, 60_000);

    it('answers 502 when the function times out, and when its answer is over 6 MB', async () => {
      for (const name of ['slow', 'huge']) {
        const r = await get(name, '/');
        expect(r.status).toBe(502);
        expect(r.text).toBe('Internal Server Error');
      }
    }, 60_000);

    it('answers 403 {"Message":null} for a url-id no Function has, and for a Function without a URL', async () => {
      for (const path of ['/lambda-url/0123456789abcdefghijklmnopqrstuv/', pathOf('nourl')]) {
        const r = await call(f.local.url, 'GET', path);
        expect(r.status).toBe(403);
        expect(r.headers['x-amzn-errortype']).toBe('AccessDeniedException');
        expect(r.text).toBe('{"Message":null}');
      }
    }, 60_000);

    it('answers 429 when the function is throttled (reserved concurrency 0)', async () => {
      const r = await get('throttled', '/');
      expect(r.status).toBe(429);
      expect(r.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
      expect(r.text).toBe('{"Message":"Rate Exceeded."}');
    }, 60_000);

    it('answers 413 to a body over 6 MB', async () => {
      const r = await call(f.local.url, 'POST', pathOf('echo', '/'), { 'content-type': 'application/octet-stream' }, Buffer.alloc(6 * 1024 * 1024 + 1));
      expect(r.status).toBe(413);
      expect(r.headers['x-amzn-errortype']).toBe('RequestTooLargeException');
    }, 60_000);

    it('refuses a Host that is no localhost name, as the rest of the unauthenticated local API does', async () => {
      const r = await call(f.local.url, 'GET', pathOf('echo', '/'), { host: 'rebound.example.com' });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text)).toEqual({ Message: expect.stringMatching(/Host 'rebound\.example\.com' refused/) });
    }, 60_000);
  });
});

describe('klambda dev --auth: AWS_IAM URLs', () => {
  let f: Fixture;
  const keysDir = mkdtempSync(join(tmpdir(), 'klambda-url-keys-'));
  const ADMIN = { accessKeyId: 'AKIAKLAMBDAURLADMIN1', secretAccessKey: 'url-admin-secret' };
  const INVOKER = { accessKeyId: 'AKIAKLAMBDAURLINVOK1', secretAccessKey: 'url-invoker-secret' };
  const keyFile = join(keysDir, 'keys.ini');
  writeFileSync(keyFile, `[admin]
aws_access_key_id = ${ADMIN.accessKeyId}
aws_secret_access_key = ${ADMIN.secretAccessKey}

[invoker]
aws_access_key_id = ${INVOKER.accessKeyId}
aws_secret_access_key = ${INVOKER.secretAccessKey}
klambda_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]}
`);

  beforeAll(async () => {
    f = await startFixture({
      'secure.yaml': fn('secure', 'nodejs20', 'index.handler', ECHO, '  url: {authType: AWS_IAM}\n'),
      'open.yaml': fn('open', 'nodejs20', 'index.handler', ECHO, '  url: {authType: NONE}\n'),
    }, { auth: keyFile });
  }, 60_000);
  afterAll(async () => {
    await f?.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const signed = (key: { accessKeyId: string; secretAccessKey: string }, path: string, body = '') => signedCall(f.local.url, key, path, body);

  it('refuses a request without a signature: 403 AccessDeniedException', async () => {
    const r = await call(f.local.url, 'GET', pathOf('secure', '/'));
    expect(r.status).toBe(403);
    expect(r.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(r.text)).toEqual({ Message: expect.stringMatching(/^Forbidden/) });
  }, 60_000);

  it('serves a signed request, the caller in requestContext.authorizer.iam', async () => {
    const r = await signed(ADMIN, `${pathOf('secure', '/who')}?a=1`, '{"hi":1}');
    expect(r.status).toBe(200);
    const e = JSON.parse(r.text) as { body: string; rawPath: string; requestContext: { authorizer: { iam: Record<string, unknown> } } };
    expect(e.rawPath).toBe('/who');
    expect(e.body).toBe('{"hi":1}');
    expect(e.requestContext.authorizer.iam).toMatchObject({ accessKey: ADMIN.accessKeyId, accountId: '000000000000', userArn: 'arn:aws:iam::000000000000:user/admin' });
  }, 60_000);

  it('refuses a wrong secret and a key whose policy does not allow lambda:InvokeFunctionUrl', async () => {
    const wrong = await signed({ accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'not-the-secret' }, pathOf('secure', '/'));
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.text)).toEqual({ Message: expect.stringMatching(/signature we calculated does not match/) });
    const denied = await signed(INVOKER, pathOf('secure', '/'));
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text)).toEqual({ Message: expect.stringMatching(/not authorized to perform: lambda:InvokeFunctionUrl on resource: arn:aws:lambda:us-east-1:000000000000:function:secure/) });
  }, 60_000);

  it('serves a NONE URL without a signature, before the SigV4 gate of the API', async () => {
    const r = await call(f.local.url, 'GET', pathOf('open', '/x'));
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as { rawPath: string }).rawPath).toBe('/x');
  }, 60_000);
});

