// Bench helpers: the floor (the benchmark's no-op handler behind a plain node:http server) and klambda dev as a user runs it.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { packageRoot } from '../src/core/package-root.js';

const handler = async (_event: unknown) => ({});

export function startFloor(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handler(JSON.parse(Buffer.concat(chunks).toString() || '{}')).then((out) => {
        const body = JSON.stringify(out);
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'Content-Length': Buffer.byteLength(body) }).end(body);
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` });
  }));
}

export async function startKlambda(dir: string, extraArgs: string[] = []): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [`${packageRoot()}/dist/cli/main.js`, 'dev', dir, '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /klambda listening on (\S+)/.exec(out);
      if (m) { out = ''; resolve(m[1]!); }
    });
    child.stderr.resume();
    child.once('exit', (code) => reject(new Error(`klambda dev exited with ${code}: ${out}`)));
  });
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  return { url, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

