// Benchmark: sync invoke latency (concurrency 1) and throughput (concurrency 16) of a no-op nodejs function
// through the AWS SDK against klambda's local mode, unsigned and with SigV4 on (--auth), side by side with the
// floor: the same handler behind a plain node:http server, driven by the same SDK client in the same run; and the
// cost of one SigV4 verification on its own; and, in the same run, what the process model costs by itself — the floor
// in a process of its own and bare process chains with no logic (bench/process-chain.ts) — with each one's ratios
// to the floor (`against_floor`). Prints JSON.
// klambda runs as a user runs it (`klambda dev`, its own process); the client runs in this process.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFloor, startKlambda } from './servers.js';
import { startChain } from './process-chain.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SigningKeyCache, sha256Hex, verifySigV4 } from '../src/core/sigv4/index.js';

const LATENCY_CALLS = Number(process.env.BENCH_LATENCY_CALLS ?? 3000);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 8);
const CONCURRENCY = 16;


const KEY = { accessKeyId: 'AKIAKLAMBDABENCH0001', secretAccessKey: 'bench-secret' };

function client(endpoint: string): LambdaClient {
  return new LambdaClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: KEY });
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

/** The bare chains measured beside the floor: name, shape, runtime processes. */
const CHAINS: ReadonlyArray<readonly [string, 'front' | 'router' | 'floor-process', number]> = [
  ['floor_process', 'floor-process', 1],
  ['front_16_environments', 'front', 16], ['front_2_environments', 'front', 2],
  ['router_16_environments', 'router', 16], ['router_2_environments', 'router', 2],
];

const round2 = (x: number) => Math.round(x * 100) / 100;

type Figures = Awaited<ReturnType<typeof measure>>;

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

/** node:crypto behind the hash interface of the SDK's signer. */
class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | Uint8Array) { this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data: string | Uint8Array): void { this.h.update(data); }
  digest(): Promise<Uint8Array> { return Promise.resolve(new Uint8Array(this.h.digest())); }
}

/** One SigV4 verification of an SDK-signed Invoke (warm derived-key cache), alone: median µs over 20 rounds of 5,000. */
async function verifyCost(): Promise<{ p50: number; rounds: number; calls_per_round: number }> {
  const body = '{}';
  const signer = new SignatureV4({ credentials: KEY, region: 'us-east-1', service: 'lambda', sha256: Sha256 as never, uriEscapePath: true });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: '/2015-03-31/functions/noop/invocations', query: {}, body,
    headers: { host: '127.0.0.1:9000', 'content-type': 'application/octet-stream', 'content-length': '2', 'x-amz-user-agent': 'aws-sdk-js/3', 'amz-sdk-invocation-id': '0d8c3e1e-aaaa-bbbb-cccc-000000000000', 'amz-sdk-request': 'attempt=1; max=1' },
  } as never);
  const headers = (signed as unknown as { headers: Record<string, string> }).headers;
  const req = { method: 'POST', url: '/2015-03-31/functions/noop/invocations', headers, rawHeaders: Object.entries(headers).flat(), bodySha256: sha256Hex(body) };
  const cache = new SigningKeyCache();
  const lookup = (id: string) => (id === KEY.accessKeyId ? KEY : undefined);
  const now = Date.now();
  const rounds: number[] = [];
  const N = 5000;
  for (let r = 0; r < 21; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) verifySigV4(req, lookup, { region: 'us-east-1', services: ['lambda'], now, cache });
    if (r > 0) rounds.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
  }
  rounds.sort((a, b) => a - b);
  return { p50: Math.round(percentile(rounds, 50) * 100) / 100, rounds: rounds.length, calls_per_round: N };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-bench-'));
  writeFileSync(join(dir, 'noop.yaml'), [
    'apiVersion: klambda.dev/v1alpha1', 'kind: Function', 'metadata: {name: noop}',
    'spec:', '  runtime: nodejs20', '  handler: index.handler', '  code:', '    inline:',
    '      index.mjs: "export const handler = async () => ({});"', '',
  ].join('\n'));
  writeFileSync(join(dir, 'keys.ini'), `[bench]\naws_access_key_id = ${KEY.accessKeyId}\naws_secret_access_key = ${KEY.secretAccessKey}\n`);
  const local = await startKlambda(dir);
  try {
    const klambda = await measure(local.url);
    await local.stop();
    // the same, every call SigV4-verified (klambda dev --auth)
    const signed = await startKlambda(dir, ['--auth', join(dir, 'keys.ini')]);
    const klambdaSigned = await measure(signed.url).finally(() => signed.stop());
    // The same run with at most two environments (one per core): the 16 concurrent calls queue for them.
    const capped = await startKlambda(dir, ['--max-environments', '2']);
    const klambdaTwoEnvironments = await measure(capped.url).finally(() => capped.stop());
    const floorServer = await startFloor();
    const floor = await measure(floorServer.url);
    floorServer.server.close();
    // What the process model costs by itself, in the same run: bare chains with no logic (bench/process-chain.ts)
    const chains: Record<string, Figures> = {};
    for (const [name, kind, environments] of CHAINS) {
      const chain = await startChain(kind, environments);
      chains[name] = await measure(chain.url).finally(() => chain.stop());
    }
    const ratios = (x: { p50: Figures; sixteen: Figures; two: Figures }) => ({
      p50_over_floor: round2(x.p50.sync_p50_ms / floor.sync_p50_ms),
      throughput_share_16_environments: round2(x.sixteen.throughput_per_s / floor.throughput_per_s),
      throughput_share_2_environments: round2(x.two.throughput_per_s / floor.throughput_per_s),
    });
    process.stdout.write(`${JSON.stringify({
      benchmark: 'invoke', function: 'nodejs20 no-op, 128 MB', client: '@aws-sdk/client-lambda InvokeCommand',
      machine: { cpus: cpus().length, node: process.version }, klambda, klambda_sigv4: klambdaSigned, klambda_max_environments_2: klambdaTwoEnvironments, floor,
      process_chains: chains,
      against_floor: {
        targets: { p50_over_floor_at_most: 2, throughput_share_16_environments_at_least: 0.6, throughput_share_2_environments_at_least: 0.9 },
        klambda: ratios({ p50: klambda, sixteen: klambda, two: klambdaTwoEnvironments }),
        chain_2_processes: ratios({ p50: chains.front_2_environments!, sixteen: chains.front_16_environments!, two: chains.front_2_environments! }),
        chain_3_processes: ratios({ p50: chains.router_2_environments!, sixteen: chains.router_16_environments!, two: chains.router_2_environments! }),
        floor_in_own_process: ratios({ p50: chains.floor_process!, sixteen: chains.floor_process!, two: chains.floor_process! }),
      },
      sigv4_verify_us: await verifyCost(),
      target: { sync_p50_ms_below: 1.5, throughput_per_s_at_least: 3000, sigv4_verify_us_below: 100 },
    }, null, 2)}\n`);
  } finally {
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
