// Benchmark: server capacity with a lean HTTP load generator (autocannon), so the AWS SDK client's own cost does not
// hide the server's: unsigned sync invokes of a no-op nodejs function on `klambda dev` (16 environments, then 2),
// beside the floor (the same handler behind a plain node:http server). Prints JSON.
import autocannon from 'autocannon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFloor, startKlambda } from './servers.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PATH = '/2015-03-31/functions/noop/invocations';

interface Figures { requests_per_s: number; latency_p50_ms: number; latency_p99_ms: number; non_2xx: number; errors: number }

async function load(url: string, seconds: number): Promise<Figures> {
  const r = await autocannon({ url: `${url}${PATH}`, method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, duration: seconds });
  return { requests_per_s: Math.round(r.requests.average), latency_p50_ms: r.latency.p50, latency_p99_ms: r.latency.p99, non_2xx: r.non2xx, errors: r.errors };
}

async function measure(url: string): Promise<Figures> {
  await load(url, 8); // warm: every environment the run will use is started (16 cold starts take seconds on 2 cores)
  return load(url, SECONDS);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-capacity-'));
  writeFileSync(join(dir, 'noop.yaml'), ['apiVersion: klambda.dev/v1alpha1', 'kind: Function', 'metadata: {name: noop}', 'spec:', '  runtime: nodejs20',
    '  handler: index.handler', '  code:', '    inline:', '      index.mjs: "export const handler = async () => ({});"', ''].join('\n'));
  try {
    const many = await startKlambda(dir);
    const klambda = await measure(many.url).finally(() => many.stop());
    const two = await startKlambda(dir, ['--max-environments', '2']);
    const klambdaTwo = await measure(two.url).finally(() => two.stop());
    const floorServer = await startFloor();
    const floor = await measure(floorServer.url).finally(() => floorServer.server.close());
    const share = (f: Figures) => Math.round((f.requests_per_s / floor.requests_per_s) * 1000) / 1000;
    process.stdout.write(`${JSON.stringify({
      benchmark: 'capacity', client: `autocannon, ${CONNECTIONS} connections, ${SECONDS} s`, function: 'nodejs20 no-op, 128 MB, sync, unsigned',
      machine: { cpus: cpus().length, node: process.version },
      klambda, klambda_max_environments_2: klambdaTwo, floor,
      share_of_floor: { klambda: share(klambda), klambda_max_environments_2: share(klambdaTwo) },
    }, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
