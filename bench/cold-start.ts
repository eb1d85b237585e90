// Benchmark: cold start of a function whose code is a 20 MB zip (verify + unpack into the code cache: a miss, then a
// hit after klambda dev restarts) against inline code, first invoke after start through the AWS SDK. Prints JSON.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeZip } from '../test/helpers/zips.js';
import { startKlambda } from './servers.js';

const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 5);
const PACKAGE_MB = 20;

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  // incompressible bytes: the zip is as large as its content, as a package of binaries and dependencies is
  const zip = await makeZip([
    { name: 'index.mjs', data: 'export const handler = async () => ({ ok: true });' },
    { name: 'vendor/blob.bin', data: randomBytes(PACKAGE_MB * 1024 * 1024) },
  ]);
  const inline: number[] = [];
  const miss: number[] = [];
  const hit: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'klambda-bench-cold-'));
    try {
      writeFileSync(join(dir, 'pkg.zip'), zip);
      writeFileSync(join(dir, 'big.yaml'), manifest('big', '{path: pkg.zip}'));
      writeFileSync(join(dir, 'small.yaml'), manifest('small', '{inline: {index.mjs: "export const handler = async () => ({ ok: true });"}}'));
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
  process.stdout.write(`${JSON.stringify({
    benchmark: 'cold-start', function: 'nodejs20 no-op', client: '@aws-sdk/client-lambda InvokeCommand, first call after klambda dev started',
    machine: { cpus: cpus().length, node: process.version }, rounds: ROUNDS, package_bytes: zip.length,
    first_invoke_ms_median: { inline: round(median(inline)), package_cache_miss: round(median(miss)), package_cache_hit: round(median(hit)) },
    first_invoke_ms_all: { inline: inline.map(round), package_cache_miss: miss.map(round), package_cache_hit: hit.map(round) },
  }, null, 2)}\n`);
}

main().catch((err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
