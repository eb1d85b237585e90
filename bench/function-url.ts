// Benchmark: a Function URL beside a sync Invoke of the same no-op function, in the same run against `klambda dev`:
// p50/p99 at concurrency 1 and throughput at concurrency 16. The URL is called with fetch (what a browser or curl
// would do), the Invoke with the AWS SDK (the path every URL call also takes behind the router). Prints JSON with
// the URL's cost relative to Invoke (the goal: within 10 %). Then a RESPONSE_STREAM URL whose function writes a
// byte, works STREAM_WORK_MS, then ends: time to first byte (before the work) and to the end, p50/p99.
//   npm run bench:function-url          (BENCH_LATENCY_CALLS, BENCH_THROUGHPUT_SECONDS, BENCH_STREAM_CALLS to change the run)
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { urlId } from '../src/core/function-url.js';
import { startKlambda } from './servers.js';

const LATENCY_CALLS = Number(process.env.BENCH_LATENCY_CALLS ?? 2000);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 8);
const CONCURRENCY = 16;
const STREAM_CALLS = Number(process.env.BENCH_STREAM_CALLS ?? 200);
const STREAM_WORK_MS = 50;

/** Time to the first body byte and to the end of a streamed URL answer, sequentially. */
async function measureStream(url: string) {
  const ttfb: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < STREAM_CALLS + 20; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(url);
    const reader = res.body!.getReader();
    let first: number | undefined;
    let text = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      first ??= Number(process.hrtime.bigint() - t0) / 1e6;
      text += Buffer.from(r.value).toString();
    }
    const end = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 200 || text !== 'ab' || first === undefined) throw new Error(`streamed URL call failed: ${res.status} ${text}`);
    if (i < 20) continue; // warm-up
    ttfb.push(first);
    total.push(end);
  }
  ttfb.sort((a, b) => a - b);
  total.sort((a, b) => a - b);
  return {
    calls: STREAM_CALLS, workMs: STREAM_WORK_MS,
    ttfb_p50_ms: round(percentile(ttfb, 50)), ttfb_p99_ms: round(percentile(ttfb, 99)),
    total_p50_ms: round(percentile(total, 50)), total_p99_ms: round(percentile(total, 99)),
  };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (x: number): number => Math.round(x * 1000) / 1000;

async function measure(call: () => Promise<void>) {
  for (let i = 0; i < 300; i++) await call();
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_CALLS; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  const warmUntil = Date.now() + 3000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (Date.now() < warmUntil) await call(); }));
  let count = 0;
  const t0 = Date.now();
  const until = t0 + THROUGHPUT_SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (Date.now() < until) { await call(); count++; } }));
  return { p50_ms: round(percentile(latencies, 50)), p99_ms: round(percentile(latencies, 99)), throughput_per_s: Math.round(count / ((Date.now() - t0) / 1000)) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-bench-url-'));
  writeFileSync(join(dir, 'noop.yaml'), [
    'apiVersion: klambda.dev/v1alpha1', 'kind: Function', 'metadata: {name: noop}', 'spec:', '  runtime: nodejs20', '  handler: index.handler',
    '  url: {authType: NONE}', '  code:', '    inline:', '      index.mjs: |', "        export const handler = async () => ({ statusCode: 200, body: 'ok' });", '',
  ].join('\n'));
  writeFileSync(join(dir, 'streamer.yaml'), [
    'apiVersion: klambda.dev/v1alpha1', 'kind: Function', 'metadata: {name: streamer}', 'spec:', '  runtime: nodejs20', '  handler: index.handler',
    '  url: {authType: NONE, invokeMode: RESPONSE_STREAM}', '  code:', '    inline:', '      index.mjs: |',
    `        export const handler = awslambda.streamifyResponse(async (_e, s) => { s.write('a'); await new Promise((r) => setTimeout(r, ${STREAM_WORK_MS})); s.end('b'); });`, '',
  ].join('\n'));
  const k = await startKlambda(dir, ['--max-environments', String(CONCURRENCY)]);
  const lambda = new LambdaClient({ endpoint: k.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const url = `${k.url}/lambda-url/${urlId('default', 'noop', '$LATEST')}/`;
  try {
    const invoke = async (): Promise<void> => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'noop', Payload: Buffer.from('{}') }));
      if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`invoke failed: ${out.StatusCode} ${out.FunctionError ?? ''}`);
    };
    const viaUrl = async (): Promise<void> => {
      const res = await fetch(url);
      const body = await res.text();
      if (res.status !== 200 || body !== 'ok') throw new Error(`URL call failed: ${res.status} ${body}`);
    };
    // alternated in two rounds each, so neither gets the machine at a quieter moment
    const invokeRuns = [await measure(invoke)];
    const urlRuns = [await measure(viaUrl)];
    invokeRuns.push(await measure(invoke));
    urlRuns.push(await measure(viaUrl));
    const best = (runs: Array<{ p50_ms: number; p99_ms: number; throughput_per_s: number }>) => ({
      p50_ms: Math.min(...runs.map((r) => r.p50_ms)), p99_ms: Math.min(...runs.map((r) => r.p99_ms)), throughput_per_s: Math.max(...runs.map((r) => r.throughput_per_s)),
    });
    const inv = best(invokeRuns);
    const fu = best(urlRuns);
    const streaming = await measureStream(`${k.url}/lambda-url/${urlId('default', 'streamer', '$LATEST')}/`);
    process.stdout.write(`${JSON.stringify({
      date: new Date().toISOString(), cpus: cpus().length, node: process.version, latencyCalls: LATENCY_CALLS, throughputSeconds: THROUGHPUT_SECONDS, concurrency: CONCURRENCY,
      invoke: inv, functionUrl: fu,
      url_p50_vs_invoke: round(fu.p50_ms / inv.p50_ms), url_throughput_vs_invoke: round(fu.throughput_per_s / inv.throughput_per_s),
      goal: 'URL p50 and throughput within 10 % of Invoke', runs: { invoke: invokeRuns, functionUrl: urlRuns },
      streamedUrl: streaming,
    }, null, 2)}\n`);
  } finally {
    lambda.destroy();
    await k.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
