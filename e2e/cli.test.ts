// The `klambda dev` command as a user runs it: prints where it listens, serves invokes, stops cleanly on a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { fn, waitFor } from './helpers/local.js';

const cli = join(packageRoot(), 'dist', 'cli', 'main.js');

function run(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function waitForOutput(output: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return waitFor(() => output().match(pattern) ?? undefined, timeoutMs, `${pattern}`)
    .catch(() => { throw new Error(`no ${pattern} in output:\n${output()}`); });
}

describe('klambda dev', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'klambda-cli-'));
    writeFileSync(join(dir, 'hi.yaml'), fn('hi', 'nodejs20', 'index.handler', { 'index.mjs': "export const handler = async (e) => ({ hi: e.name });" }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the address it listens on, serves an invoke with curl-like HTTP, and stops on SIGTERM', async () => {
    const p = run(['dev', dir, '--port', '0'], { ...process.env });
    const [, url] = await waitForOutput(p.output, /klambda listening on (http:\/\/127\.0\.0\.1:\d+)/);
    // fetch would send text/plain, which the local mode refuses for writes (a web page could send it cross-site)
    const res = await fetch(`${url}/2015-03-31/functions/hi/invocations`, { method: 'POST', body: '{"name":"you"}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hi: 'you' });
    await waitForOutput(p.output, /\[hi:\$LATEST\] REPORT RequestId: /);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 40_000);

  it('says what to install when there is neither REDIS_URL nor redis-server', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/nonexistent' };
    delete env.REDIS_URL;
    const p = run(['dev', dir, '--port', '0'], env);
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/REDIS_URL.*redis-server|redis-server.*REDIS_URL/s);
    expect(p.output()).toContain('apt-get install -y redis-server');
  });

  it('refuses a folder with a bad manifest, naming the file, field and reason', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'klambda-cli-bad-'));
    writeFileSync(join(bad, 'bad.yaml'), fn('bad', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => 1;' }, '  memoryMB: 64\n'));
    const p = run(['dev', bad, '--port', '0'], { ...process.env });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('bad.yaml');
    expect(p.output()).toContain('spec.memoryMB');
    rmSync(bad, { recursive: true, force: true });
  });

  it('exits 2 with usage on a bad flag', async () => {
    const p = run(['dev', '--port', 'x'], { ...process.env });
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('usage: klambda dev');
  });
});
