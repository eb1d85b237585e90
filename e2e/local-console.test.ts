// `klambda dev`'s console as a person sees it: on a terminal (a pseudo-terminal from util-linux `script`) and with
// --log-format text into a pipe, one line per invocation naming function, version, request id and cold then warm;
// into a pipe by default, the JSON lines of before.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { shortRequestId } from '../src/local/console-format.js';
import { decode, fn, waitFor } from './helpers/local.js';

const cli = join(packageRoot(), 'dist', 'cli', 'main.js');
const hasScript = spawnSync('script', ['--version']).status === 0;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Ends it as its user would: Ctrl-C on the terminal, SIGTERM otherwise. */
  stop(): void;
  /** The exit code, once it has exited and its output has all been read. */
  done: Promise<number | null>;
}

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * `klambda dev DIR` with its own redis-server (no REDIS_URL); `tty`: inside `script -qfec`, whose pseudo-terminal is
 * klambda's stdout and stderr (both arrive on script's stdout) and whose stdin takes the Ctrl-C.
 */
function run(dir: string, args: string[], tty: boolean): Run {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.REDIS_URL;
  delete env.NO_COLOR;
  const argv = [process.execPath, cli, 'dev', dir, '--port', '0', ...args];
  const child = tty
    // `exec`: script runs the command with $SHELL -c, and a shell that stays as klambda's parent (dash, when SHELL is
    // /bin/sh as on CI) dies of the Ctrl-C itself, so script would report 130 whatever klambda did
    ? spawn('script', ['-qfec', `exec ${argv.map(quote).join(' ')}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const done = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const stop = (): void => { if (tty) child.stdin!.write('\x03'); else child.kill('SIGTERM'); };
  return { child, stdout: () => out, stderr: () => err, stop, done };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
/** The lines as a person reads them: colours off, a terminal's \r\n as \n. */
const plainLines = (text: string): string[] => text.replace(ANSI, '').replace(/\r\n/g, '\n').split('\n');

async function listening(p: Run): Promise<string> {
  return waitFor(() => p.stdout().match(/klambda listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1], 20_000, 'klambda listening')
    .catch(() => { throw new Error(`not listening:\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`); });
}

/** Invokes `greet` once through the AWS SDK; its request id, as the SDK returned it. */
async function invoke(lambda: LambdaClient, name: string): Promise<string> {
  const res = await lambda.send(new InvokeCommand({ FunctionName: 'greet', Payload: Buffer.from(JSON.stringify({ name })) }));
  expect(res.StatusCode).toBe(200);
  expect(res.FunctionError).toBeUndefined();
  expect(decode(res.Payload)).toEqual({ hi: name });
  const id = res.$metadata.requestId;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}

/** The invocation lines of a request id: `HH:MM:SS greet:$LATEST <id8> done <n> ms cold (init <n> ms)` or `… warm`. */
const invocationLines = (lines: string[], requestId: string): string[] =>
  lines.filter((l) => l.includes(` greet:$LATEST ${shortRequestId(requestId)} done `));

const lineFor = (p: Run, requestId: string): Promise<string> =>
  waitFor(() => invocationLines(plainLines(p.stdout()), requestId)[0], 20_000, `the line of ${requestId}`)
    .catch(() => { throw new Error(`no line for ${requestId}:\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`); });

describe('klambda dev console', () => {
  let dir: string;
  let p: Run | undefined;
  let lambda: LambdaClient | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'klambda-console-'));
    writeFileSync(join(dir, 'greet.yaml'), fn('greet', 'nodejs20', 'index.handler', {
      'index.mjs': "export const handler = async (e) => { console.log('greeting', e.name); return { hi: e.name }; };",
    }));
  });

  afterEach(async () => {
    lambda?.destroy();
    lambda = undefined;
    // a failed test must not leave its klambda running
    if (p && p.child.exitCode === null && p.child.signalCode === null) {
      p.stop();
      const stopped = await Promise.race([p.done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000))]);
      if (!stopped) p.child.kill('SIGKILL');
    }
    p = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (url: string): LambdaClient => (lambda = new LambdaClient({
    endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  }));

  /** Two invokes (cold, then warm) and their invocation lines, one each, in the text format. */
  async function coldThenWarm(run1: Run): Promise<string[]> {
    const lambda = client(await listening(run1));
    const first = await invoke(lambda, 'Ada');
    const firstLine = await lineFor(run1, first);
    const second = await invoke(lambda, 'Grace');
    const secondLine = await lineFor(run1, second);
    expect(firstLine).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d greet:\\$LATEST ${shortRequestId(first)} done [\\d.]+ m?s cold \\(init [\\d.]+ m?s\\)$`));
    expect(secondLine).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d greet:\\$LATEST ${shortRequestId(second)} done [\\d.]+ m?s warm$`));
    const lines = plainLines(run1.stdout());
    // one line per invocation, after the function's own line with the same request id; no raw platform lines
    expect(invocationLines(lines, first)).toHaveLength(1);
    expect(invocationLines(lines, second)).toHaveLength(1);
    expect(lines.indexOf(firstLine)).toBeLessThan(lines.indexOf(secondLine));
    expect(lines.findIndex((l) => l.endsWith(` greet:$LATEST ${shortRequestId(first)} greeting Ada`))).toBeGreaterThan(-1);
    expect(lines.findIndex((l) => l.endsWith(` greet:$LATEST ${shortRequestId(first)} greeting Ada`))).toBeLessThan(lines.indexOf(firstLine));
    expect(lines.filter((l) => /\b(START|END|REPORT) RequestId:/.test(l))).toEqual([]);
    return lines;
  }

  const itIfScript = hasScript ? it : it.skip;
  itIfScript('on a terminal: text by default, in colour, one line per invocation, cold then warm; Ctrl-C stops it', async () => {
    const run1 = run(dir, [], true);
    p = run1;
    await coldThenWarm(run1);
    expect(run1.stdout()).toMatch(ANSI);
    expect(run1.stdout()).not.toContain('"level":');
    run1.stop();
    expect(await run1.done).toBe(0);
    expect(plainLines(run1.stdout()).some((l) => /^\d\d:\d\d:\d\d klambda stopping \(SIGINT\)$/.test(l.replace(/^\^C/, '')))).toBe(true);
  }, 60_000);

  it('into a pipe with --log-format text: the same lines, without colour; klambda\'s own events as short lines', async () => {
    const run2 = run(dir, ['--log-format', 'text'], false);
    p = run2;
    await coldThenWarm(run2);
    expect(run2.stdout() + run2.stderr()).not.toMatch(ANSI);
    // the events of the cold start (its agent starting), as text: none of them JSON
    await waitFor(() => (/ greet:\$LATEST environment starting /.test(run2.stderr()) ? true : undefined), 20_000, 'the environment starting line');
    expect(run2.stderr().split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    run2.stop();
    expect(await run2.done).toBe(0);
  }, 60_000);

  it('into a pipe by default: JSON lines of klambda\'s events on stderr, the function\'s lines as before on stdout', async () => {
    const run3 = run(dir, [], false);
    p = run3;
    const lambda = client(await listening(run3));
    const id = await invoke(lambda, 'Ada');
    await waitFor(() => (run3.stdout().includes(`[greet:$LATEST] REPORT RequestId: ${id}\t`) ? true : undefined), 20_000, 'the REPORT line')
      .catch(() => { throw new Error(`no REPORT line:\n${run3.stdout()}`); });
    expect(run3.stdout()).toContain(`[greet:$LATEST] START RequestId: ${id} Version: $LATEST\n`);
    expect(run3.stdout()).toMatch(/^klambda listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(run3.stdout()).not.toMatch(ANSI);
    await waitFor(() => (run3.stderr().includes('"msg":"environment starting"') ? true : undefined), 20_000, 'the environment starting line');
    const events = run3.stderr().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { component?: string; level?: string });
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e).toMatchObject({ component: 'klambda-dev', level: expect.any(String) });
    run3.stop();
    expect(await run3.done).toBe(0);
  }, 60_000);
});
