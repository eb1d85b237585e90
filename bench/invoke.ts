// Benchmark: sync invoke latency (concurrency 1) and throughput (concurrency 16) of a no-op nodejs function
// through the AWS SDK against klambda's local mode, side by side with the floor: the same handler behind a
// plain node:http server, driven by the same SDK client in the same run. Prints JSON.
// klambda runs as a user runs it (`klambda dev`, its own process); the client runs in this process.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { packageRoot } from '../src/core/package-root.js';

const LATENCY_CALLS = Number(process.env.BENCH_LATENCY_CALLS ?? 3000);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 8);
const CONCURRENCY = 16;

const handler = async (_event: unknown) => ({});

function client(endpoint: string): LambdaClient {
  return new LambdaClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
}

async function invokeOnce(c: LambdaClient): Promise<number> {
  const t0 = process.hrtime.bigint();
  const out = await c.send(new InvokeCommand({ FunctionName: 'noop', Payload: Buffer.from('{}') }));
  if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`invoke failed: ${out.StatusCode} ${out.FunctionError ?? ''}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(endpoint: string) {
  const c = client(endpoint);
  // concurrency 1 first, as a caller at that pace sees it: one warm execution environment
  for (let i = 0; i < 300; i++) await invokeOnce(c);
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_CALLS; i++) latencies.push(await invokeOnce(c));
  latencies.sort((a, b) => a - b);
  // then warm every environment the concurrency run will use
  const warmUntil = Date.now() + 3000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (Date.now() < warmUntil) await invokeOnce(c); }));
  let count = 0;
  const t0 = Date.now();
  const until = t0 + THROUGHPUT_SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < until) { await invokeOnce(c); count++; }
  }));
  const seconds = (Date.now() - t0) / 1000;
  c.destroy();
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    sync_p50_ms: round(percentile(latencies, 50)),
    sync_p99_ms: round(percentile(latencies, 99)),
    sync_calls: LATENCY_CALLS,
    throughput_per_s: Math.round(count / seconds),
    throughput_concurrency: CONCURRENCY,
    throughput_seconds: round(seconds),
  };
}

function startFloor(): Promise<{ server: Server; url: string }> {
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

async function startKlambda(dir: string, extraArgs: string[] = []): Promise<{ url: string; stop(): Promise<void> }> {
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-bench-'));
  writeFileSync(join(dir, 'noop.yaml'), [
    'apiVersion: klambda.dev/v1alpha1', 'kind: Function', 'metadata: {name: noop}',
    'spec:', '  runtime: nodejs20', '  handler: index.handler', '  code:', '    inline:',
    '      index.mjs: "export const handler = async () => ({});"', '',
  ].join('\n'));
  const local = await startKlambda(dir);
  try {
    const klambda = await measure(local.url);
    await local.stop();
    // The same run with at most two environments (one per core): the 16 concurrent calls queue for them.
    const capped = await startKlambda(dir, ['--max-environments', '2']);
    const klambdaTwoEnvironments = await measure(capped.url).finally(() => capped.stop());
    const floorServer = await startFloor();
    const floor = await measure(floorServer.url);
    floorServer.server.close();
    process.stdout.write(`${JSON.stringify({
      benchmark: 'invoke', function: 'nodejs20 no-op, 128 MB', client: '@aws-sdk/client-lambda InvokeCommand',
      machine: { cpus: cpus().length, node: process.version }, klambda, klambda_max_environments_2: klambdaTwoEnvironments, floor,
      target: { sync_p50_ms_below: 1.5, throughput_per_s_at_least: 3000 },
    }, null, 2)}\n`);
  } finally {
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
