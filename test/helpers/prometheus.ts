// Test helper: promtool and a real Prometheus ($KLAMBDA_PROM_BIN, else built once by hack/testbin/build-prometheus.sh).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { waitFor } from './wait.js';

/** The folder holding `prometheus` and `promtool`. */
export function prometheusBinaries(): string {
  if (process.env.KLAMBDA_PROM_BIN) return process.env.KLAMBDA_PROM_BIN;
  const script = join(packageRoot(), 'hack', 'testbin', 'build-prometheus.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`building Prometheus failed (bash ${script}, exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

/** `promtool check metrics` on an exposition text: its complaints, or '' when it passes. */
export function promtoolProblems(bin: string, exposition: string): string {
  const r = spawnSync(join(bin, 'promtool'), ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return r.status === 0 ? '' : `exit ${r.status}: ${r.stdout}${r.stderr}`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ScrapeTarget {
  job: string;
  /** host:port */
  address: string;
  path?: string;
}

export interface RunningPrometheus {
  url: string;
  /** The result of an instant query (`data.result`), or a rejection with Prometheus's error. */
  query(expr: string): Promise<unknown[]>;
  stop(): Promise<void>;
}

/** Prometheus on 127.0.0.1 only, its own data folder, scraping every target each second. */
export async function startPrometheus(bin: string, targets: ScrapeTarget[]): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-prom-'));
  const config = [
    'global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms}',
    'scrape_configs:',
    ...targets.map((t) => `  - {job_name: ${JSON.stringify(t.job)}, metrics_path: ${JSON.stringify(t.path ?? '/metrics')}, static_configs: [{targets: [${JSON.stringify(t.address)}]}]}`),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child: ChildProcess = spawn(join(bin, 'prometheus'), [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [child.stdout, child.stderr]) s?.on('data', (d: Buffer) => { output.push(d.toString()); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${output.join('').slice(-2000)}`);
      return fetch(`${url}/-/ready`).then((r) => (r.ok ? true : undefined), () => undefined);
    }, 60_000, 'Prometheus to be ready', 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url, stop,
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      if (body.status !== 'success') throw new Error(`query failed: ${body.error ?? res.status}: ${expr}`);
      return body.data?.result ?? [];
    },
  };
}

/** Every query of a Grafana dashboard (panels in rows included), with its panel title. */
export function dashboardQueries(dashboard: unknown): Array<{ panel: string; expr: string }> {
  const out: Array<{ panel: string; expr: string }> = [];
  const visit = (panels: unknown): void => {
    for (const p of (panels as Array<{ title?: string; targets?: Array<{ expr?: string }>; panels?: unknown }>) ?? []) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? '', expr: t.expr });
      if (p.panels) visit(p.panels);
    }
  };
  visit((dashboard as { panels?: unknown }).panels);
  return out;
}

/** A dashboard query with its variables given: `$name` / `${name}` from `vars`, Grafana's `$__rate_interval` as `rateInterval`. */
export function substitute(expr: string, vars: Record<string, string>, rateInterval: string): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? whole);
}
