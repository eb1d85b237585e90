// Bench helper: the least any Lambda-shaped server can do, as bare process chains with no logic at all — no Redis, no
// queue, no auth, no logs, no persistence — so the invoke bench can say how much of klambda's time is the process
// model itself. A function runs in its own process behind the Lambda Runtime API (GET next, POST response), as AWS's
// runtime clients need; in front of it:
//   front  — one process that takes the HTTP call and serves the Runtime API itself (router and agent in one)
//   router — a router process forwarding each call over keep-alive HTTP to an agent process serving the Runtime API
// and `floor-process` is the floor's plain node:http handler in a process of its own.
// Run as a program (CHAIN_ROLE set), a file is one of those processes; imported, it starts them.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
type Role = 'front' | 'agent' | 'router' | 'runtime' | 'floor-process';

const body = (req: IncomingMessage): Promise<Buffer> => new Promise((resolve, reject) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
});

const answer = (res: ServerResponse, out: Buffer) =>
  res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'Content-Length': out.length }).end(out);

/** Starts one process of a chain and waits for its port; `group` makes it lead its own process group (its runtimes go with it). */
function launch(role: Role, env: Record<string, string>, group = false): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF], { env: { ...process.env, ...env, CHAIN_ROLE: role }, stdio: ['ignore', 'pipe', 'inherit'], detached: group });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

/** The Runtime API for `environments` runtime processes; the most recently idle one takes the next call (as klambda's queue hands it). */
async function runtimeApi(environments: number): Promise<(event: Buffer) => Promise<Buffer>> {
  const idle: ServerResponse[] = [];
  const waiting: Array<{ id: string; event: Buffer; done(out: Buffer): void }> = [];
  const running = new Map<string, (out: Buffer) => void>();
  let seq = 0;
  const hand = (res: ServerResponse, job: { id: string; event: Buffer; done(out: Buffer): void }) => {
    running.set(job.id, job.done);
    res.writeHead(200, { 'Lambda-Runtime-Aws-Request-Id': job.id, 'Content-Type': 'application/json', 'Content-Length': job.event.length }).end(job.event);
  };
  const server = createServer((req, res) => {
    if (req.url!.endsWith('/next')) {
      const job = waiting.shift();
      if (job) hand(res, job); else idle.push(res);
      return;
    }
    const id = /invocation\/([^/]+)\/response$/.exec(req.url!)?.[1] ?? '';
    void body(req).then((out) => {
      res.writeHead(202).end();
      running.get(id)?.(out);
      running.delete(id);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (let i = 0; i < environments; i++) {
    spawn(process.execPath, ['--import', 'tsx', SELF], { env: { ...process.env, CHAIN_ROLE: 'runtime', AWS_LAMBDA_RUNTIME_API: api }, stdio: 'inherit' });
  }
  return (event) => new Promise((done) => {
    const job = { id: String(++seq), event, done };
    const res = idle.pop();
    if (res) hand(res, job); else waiting.push(job);
  });
}

/** An HTTP front answering every POST with what `invoke` makes of its body. */
async function front(invoke: (event: Buffer) => Promise<Buffer>): Promise<void> {
  const server = createServer((req, res) => { void body(req).then(invoke).then((out) => answer(res, out)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
}

/** A runtime client's loop, as lean as one can be: GET next, the no-op handler, POST response, over one kept-alive socket. */
async function runtimeLoop(): Promise<never> {
  const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API!.split(':');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: string, path: string, out?: string) => new Promise<{ id: string; event: Buffer }>((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path, agent, headers: out === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) } }, (res) => {
      void body(res).then((event) => resolve({ id: String(res.headers['lambda-runtime-aws-request-id'] ?? ''), event }));
    });
    req.on('error', reject).end(out);
  });
  const handler = async (_event: unknown) => ({});
  for (;;) {
    const { id, event } = await call('GET', '/2018-06-01/runtime/invocation/next');
    const out = JSON.stringify(await handler(JSON.parse(event.toString() || '{}')));
    await call('POST', `/2018-06-01/runtime/invocation/${id}/response`, out);
  }
}

async function main(role: Role): Promise<void> {
  const environments = Number(process.env.CHAIN_ENVIRONMENTS ?? 1);
  if (role === 'runtime') { await runtimeLoop(); return; }
  if (role === 'front' || role === 'agent') { await front(await runtimeApi(environments)); return; }
  if (role === 'floor-process') {
    const handler = async (_event: unknown) => ({});
    await front(async (event) => Buffer.from(JSON.stringify(await handler(JSON.parse(event.toString() || '{}')))));
    return;
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const port = Number(process.env.CHAIN_AGENT_PORT);
  await front((event) => new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'Content-Length': event.length } }, (res) => { void body(res).then(resolve); })
      .on('error', reject).end(event);
  }));
}

export interface Chain { url: string; stop(): void }

/** Starts a chain (`front`: 2 processes; `router`: 3; `floor-process`: 1) with `environments` runtime processes; its runtimes die with it. */
export async function startChain(kind: 'front' | 'router' | 'floor-process', environments = 1): Promise<Chain> {
  const env = { CHAIN_ENVIRONMENTS: String(environments) };
  const kill = (c: ChildProcess) => { try { process.kill(-c.pid!, 'SIGKILL'); } catch { c.kill('SIGKILL'); } };
  if (kind !== 'router') {
    const p = await launch(kind, env, true);
    return { url: `http://127.0.0.1:${p.port}`, stop: () => kill(p.child) };
  }
  const agent = await launch('agent', env, true);
  const router = await launch('router', { CHAIN_AGENT_PORT: String(agent.port) });
  return { url: `http://127.0.0.1:${router.port}`, stop: () => { router.child.kill('SIGKILL'); kill(agent.child); } };
}

const role = process.env.CHAIN_ROLE as Role | undefined;
if (role) main(role).catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
