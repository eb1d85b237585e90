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

  it('exits 2 on a bad flag, saying what is wrong and where the options are', async () => {
    const p = run(['dev', '--port', 'x'], { ...process.env });
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('--port must be 0..65535, got x');
    expect(p.output()).toContain("See 'klambda dev --help'.");
  });
});

describe('klambda controller and klambda router, started wrong', () => {
  // no kubeconfig anywhere: an empty HOME, no KUBECONFIG, not in a pod
  const bare = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'klambda-cli-home-')) };
    delete env.KUBECONFIG;
    delete env.KUBERNETES_SERVICE_HOST;
    delete env.REDIS_URL;
    return env;
  };

  it.each(['controller', 'router'])('klambda %s --help prints its own options, not the local mode\'s', async (command) => {
    const p = run([command, '--help'], bare());
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain(`usage: klambda ${command} [options]`);
    expect(p.output()).toContain('--redis-url URL');
    expect(p.output()).toContain('--kubeconfig FILE');
    expect(p.output()).toContain('--ops-port PORT');
    expect(p.output()).not.toContain('klambda dev');
    expect(p.output()).not.toContain('--idle-timeout S seconds an idle version keeps its environments (default 300)\n  --region');
  });

  it.each(['controller', 'router'])('klambda %s without --redis-url says so in one line, without the usage text', async (command) => {
    const p = run([command], bare());
    expect(await p.exited).toBe(2);
    expect(p.output()).toBe(`klambda: --redis-url (or REDIS_URL) is required\nSee 'klambda ${command} --help'.\n`);
  });

  it.each(['controller', 'router'])('klambda %s without a kubeconfig says where it looked and exits', async (command) => {
    const env = bare();
    const p = run([command, '--redis-url', 'redis://127.0.0.1:1'], env);
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('no Kubernetes configuration: pass --kubeconfig FILE, set KUBECONFIG');
    expect(p.output()).toContain(join(env.HOME as string, '.kube', 'config'));
    expect(p.output()).not.toContain('HTTP protocol is not allowed');
    rmSync(env.HOME as string, { recursive: true, force: true });
  });

  it('klambda router --kubeconfig naming a missing file says so', async () => {
    const p = run(['router', '--redis-url', 'redis://127.0.0.1:1', '--kubeconfig', '/nonexistent/kubeconfig'], bare());
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('--kubeconfig /nonexistent/kubeconfig: no such file');
  });

  it('klambda controller with a kubeconfig whose server is plain HTTP says so instead of retrying forever', async () => {
    const env = bare();
    const file = join(env.HOME as string, 'plain.kubeconfig');
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      'clusters: [{name: plain, cluster: {server: "http://127.0.0.1:8080"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: c, context: {cluster: plain, user: u}}]',
    ].join('\n'));
    const p = run(['controller', '--redis-url', 'redis://127.0.0.1:1', '--kubeconfig', file], env);
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('cluster plain is plain HTTP (http://127.0.0.1:8080)');
    rmSync(env.HOME as string, { recursive: true, force: true });
  });
});
