// Benchmark: cold start of a function whose code is a 20 MB zip against inline code, in two places. Local mode: first
// invoke after klambda dev starts through the AWS SDK (verify + unpack into the code cache: a miss, then a hit after a
// restart). Cluster: an agent's preparePackage before its function container starts (presigned GET from a real
// versitygw on 127.0.0.1, size + CodeSha256 check, unpack into the node's cache, copy into the code volume: a miss, then
// a hit that only copies) against writing the inline handler's files into a folder (what a code ConfigMap gives). JSON.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { preparePackage, type PackageFetchConfig } from '../src/agent/package-fetch.js';
import { CodeStore } from '../src/code/code-store.js';
import { startVersityGw } from '../test/helpers/versitygw.js';
import { makeZip } from '../test/helpers/zips.js';
import { startKlambda } from './servers.js';

const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 5);
const CLUSTER_ROUNDS = Number(process.env.BENCH_COLD_CLUSTER_ROUNDS ?? 3);
/** The cluster section gives up past this (each round moves the package once over loopback). */
const CLUSTER_DEADLINE_MS = Number(process.env.BENCH_COLD_CLUSTER_DEADLINE_MS ?? 120_000);
const PACKAGE_MB = 20;
const HANDLER = 'export const handler = async () => ({ ok: true });';

const manifest = (name: string, code: string) =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: nodejs20\n  handler: index.handler\n  code: ${code}\n`;

async function firstInvoke(url: string, name: string): Promise<number> {
  const c = new LambdaClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const t0 = process.hrtime.bigint();
  const out = await c.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  c.destroy();
  if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`invoke of ${name} failed`);
  return ms;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await f();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function localMode(zip: Buffer) {
  const inline: number[] = [];
  const miss: number[] = [];
  const hit: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'klambda-bench-cold-'));
    try {
      writeFileSync(join(dir, 'pkg.zip'), zip);
      writeFileSync(join(dir, 'big.yaml'), manifest('big', '{path: pkg.zip}'));
      writeFileSync(join(dir, 'small.yaml'), manifest('small', `{inline: {index.mjs: "${HANDLER}"}}`));
      // a fresh folder: nothing in .klambda/code yet
      let k = await startKlambda(dir);
      try {
        inline.push(await firstInvoke(k.url, 'small'));
        miss.push(await firstInvoke(k.url, 'big'));
      } finally { await k.stop(); }
      // started again on the same folder: the package is unpacked already
      k = await startKlambda(dir);
      try { hit.push(await firstInvoke(k.url, 'big')); } finally { await k.stop(); }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { inline, package_cache_miss: miss, package_cache_hit: hit };
}

/** The agent's side of a cold start on a cluster, each round with an empty node cache: miss, then hit into another pod's volume. */
async function clusterPath(zip: Buffer) {
  const deadline = Date.now() + CLUSTER_DEADLINE_MS;
  const inTime = (what: string) => { if (Date.now() > deadline) throw new Error(`the cluster section took over ${CLUSTER_DEADLINE_MS} ms (${what})`); };
  const gw = await startVersityGw();
  const store = new CodeStore({ endpoint: gw.endpoint, region: gw.region, bucket: 'klambda-code', credentials: gw.root });
  const work = mkdtempSync(join(tmpdir(), 'klambda-bench-cold-cluster-'));
  const inline: number[] = [];
  const miss: number[] = [];
  const hit: number[] = [];
  try {
    const stored = await store.putPackage('bench', zip);
    const url = await store.presignRead(stored.key, 600);
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`the presigned URL leaves the machine: ${new URL(url).host}`);
    mkdirSync(join(work, 'secret'));
    const urlFile = join(work, 'secret', 'package-url');
    writeFileSync(urlFile, url, { mode: 0o400 });
    for (let r = 0; r < CLUSTER_ROUNDS; r++) {
      const dir = join(work, `round-${r}`);
      const cfg = (target: string): PackageFetchConfig => ({ sha256: stored.sha256, size: stored.size, urlFile, cacheDir: join(dir, 'cache'), targetDir: join(dir, target) });
      try {
        inline.push((await timed(async () => {
          await mkdir(join(dir, 'code-inline'), { recursive: true });
          await writeFile(join(dir, 'code-inline', 'index.mjs'), HANDLER, { mode: 0o644 });
        })).ms);
        const m = await timed(() => preparePackage(cfg('code-miss')));
        if (m.value.cached) throw new Error('the first fetch of a round found the package cached');
        miss.push(m.ms);
        inTime(`round ${r + 1}, cache miss`);
        const h = await timed(() => preparePackage(cfg('code-hit')));
        if (!h.value.cached) throw new Error('the second fetch of a round did not find the package cached');
        hit.push(h.ms);
        inTime(`round ${r + 1}, cache hit`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    store.destroy();
    await gw.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return { inline_files: inline, package_cache_miss: miss, package_cache_hit: hit };
}

const medians = (all: Record<string, number[]>) => Object.fromEntries(Object.entries(all).map(([k, xs]) => [k, round(median(xs))]));
const rounded = (all: Record<string, number[]>) => Object.fromEntries(Object.entries(all).map(([k, xs]) => [k, xs.map(round)]));

async function main(): Promise<void> {
  // incompressible bytes: the zip is as large as its content, as a package of binaries and dependencies is
  const zip = await makeZip([
    { name: 'index.mjs', data: HANDLER },
    { name: 'vendor/blob.bin', data: randomBytes(PACKAGE_MB * 1024 * 1024) },
  ]);
  const local = await localMode(zip);
  const cluster = await clusterPath(zip);
  process.stdout.write(`${JSON.stringify({
    benchmark: 'cold-start', function: 'nodejs20 no-op', client: '@aws-sdk/client-lambda InvokeCommand, first call after klambda dev started',
    machine: { cpus: cpus().length, node: process.version }, rounds: ROUNDS, package_bytes: zip.length,
    first_invoke_ms_median: medians(local),
    first_invoke_ms_all: rounded(local),
    cluster: {
      what: 'the agent\'s preparePackage before the function container starts; inline_files: the handler\'s files written into a folder',
      store: 'versitygw (posix backend) on 127.0.0.1, presigned GetObject URL',
      cache: 'a fresh node cache per round: miss = fetch + size/CodeSha256 check + unpack + copy into the code volume, hit = copy only',
      rounds: CLUSTER_ROUNDS, package_bytes: zip.length,
      ms_median: medians(cluster),
      ms_all: rounded(cluster),
    },
  }, null, 2)}\n`);
}

main().catch((err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
