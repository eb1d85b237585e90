// Benchmark: a cold start per runtime, the first response from zero through the AWS SDK. Each fixture of
// bench/runtime-fixtures/ (sorted; RUNTIME_COLD_START_ONLY=a,b keeps those whose file name or runtime is listed) writes
// one small function into a fresh klambda dev folder; the local mode runs on it with an idle timeout of 0, so a
// version's environment stops at the scaler's next tick after its call ends. A round waits until the version has no
// environment left, then times one InvokeCommand (LogType Tail) and checks that its REPORT line carries an Init
// Duration, i.e. that the call really started an environment. One untimed round first unpacks the code into the code
// cache (what every later cold start finds on the node). JSON with p50/p90/min/max per fixture; a fixture that fails is
// reported with its error (exit code 1) and the others still run.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../src/core/logger.js';
import { startLocal, type LocalKlambda } from '../src/local/dev.js';
import { waitFor } from '../test/helpers/wait.js';

export interface RuntimeFixture {
  runtime: string;
  /** Writes the manifest and code of one small function into dir, a klambda dev folder. */
  prepare(dir: string): Promise<{ functionName: string; payload?: unknown }>;
}

const ROUNDS = Number(process.env.RUNTIME_COLD_START_ROUNDS ?? 20);
const ONLY = (process.env.RUNTIME_COLD_START_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const FIXTURES_DIR = join(import.meta.dirname, 'runtime-fixtures');

async function loadFixtures(): Promise<{ name: string; fixture: RuntimeFixture }[]> {
  const files = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.ts')).sort();
  const all: { name: string; fixture: RuntimeFixture }[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(FIXTURES_DIR, file)).href)) as { fixture?: RuntimeFixture };
    if (!mod.fixture || typeof mod.fixture.prepare !== 'function') throw new Error(`${file} exports no fixture { runtime, prepare }`);
    all.push({ name: basename(file, '.ts'), fixture: mod.fixture });
  }
  const picked = ONLY.length ? all.filter((f) => ONLY.includes(f.name) || ONLY.includes(f.fixture.runtime)) : all;
  if (ONLY.length && picked.length === 0) throw new Error(`RUNTIME_COLD_START_ONLY=${ONLY.join(',')} matches none of ${all.map((f) => f.name).join(', ')}`);
  return picked;
}

const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil(q * s.length) - 1)]!; };
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The version's environments are all gone: the next call starts one from zero. */
async function untilNoEnvironment(local: LocalKlambda, functionName: string): Promise<void> {
  await waitFor(() => (local.backend.queues().some((q) => q.functionName === functionName) ? undefined : true), 60_000, `${functionName} to have no environment`);
}

async function coldCall(lambda: LambdaClient, functionName: string, payload: unknown): Promise<{ ms: number; initMs: number }> {
  const t0 = process.hrtime.bigint();
  const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload ?? {})), LogType: 'Tail' }));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
  if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`invoke of ${functionName} failed (${out.FunctionError ?? out.StatusCode}): ${Buffer.from(out.Payload ?? []).toString('utf8')}\n${log}`);
  const init = /Init Duration: ([\d.]+) ms/.exec(log);
  if (!init) throw new Error(`the call of ${functionName} found a warm environment (no Init Duration in its REPORT line):\n${log}`);
  return { ms, initMs: Number(init[1]) };
}

async function measure(name: string, fixture: RuntimeFixture) {
  const dir = mkdtempSync(join(tmpdir(), `klambda-bench-runtime-${name}-`));
  chmodSync(dir, 0o755); // a project folder, readable by the runtime's unprivileged user
  let local: LocalKlambda | undefined;
  let lambda: LambdaClient | undefined;
  try {
    const { functionName, payload } = await fixture.prepare(dir);
    local = await startLocal({
      dir, port: 0, host: '127.0.0.1', idleTimeoutSeconds: 0, region: 'us-east-1', accountId: '000000000000',
      logger: silentLogger, keyPrefix: `bench${Math.random().toString(36).slice(2, 10)}`,
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    });
    lambda = new LambdaClient({ endpoint: local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await coldCall(lambda, functionName, payload); // untimed: unpacks the code into the code cache
    const ms: number[] = [];
    const initMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await untilNoEnvironment(local, functionName);
      const c = await coldCall(lambda, functionName, payload);
      ms.push(c.ms);
      initMs.push(c.initMs);
    }
    return {
      runtime: fixture.runtime,
      first_response_ms: { p50: round1(quantile(ms, 0.5)), p90: round1(quantile(ms, 0.9)), min: round1(Math.min(...ms)), max: round1(Math.max(...ms)) },
      init_duration_ms: { p50: round1(quantile(initMs, 0.5)), p90: round1(quantile(initMs, 0.9)), min: round1(Math.min(...initMs)) },
      all_ms: ms.map(round1),
    };
  } finally {
    lambda?.destroy();
    await local?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  let failed = false;
  for (const { name, fixture } of await loadFixtures()) {
    process.stderr.write(`runtime-cold-start: ${name}\n`);
    // one fixture that cannot run (its runtime not installed here, say) is reported, and the others still measured
    try {
      results[name] = await measure(name, fixture);
    } catch (err) {
      failed = true;
      results[name] = { runtime: fixture.runtime, error: err instanceof Error ? err.message : String(err) };
    }
  }
  process.stdout.write(`${JSON.stringify({
    benchmark: 'runtime-cold-start',
    what: 'first response from zero: @aws-sdk/client-lambda InvokeCommand to klambda dev (in-process, --idle-timeout 0) while the version has no environment; each call checked cold by the Init Duration of its REPORT line',
    includes: 'the agent process start, the runtime\'s start and init, the invocation, the reply through the router; not the code unpack (done by one untimed call first)',
    machine: { cpus: cpus().length, node: process.version }, rounds: ROUNDS,
    runtimes: results,
  }, null, 2)}\n`);
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => { process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`); process.exit(1); });
