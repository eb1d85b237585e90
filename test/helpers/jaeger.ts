// Test helper: a real Jaeger v2 (all-in-one: OTLP/HTTP receiver, in-memory storage, query API) on free 127.0.0.1 ports
// ($KLAMBDA_JAEGER_BIN, else built once by hack/testbin/build-jaeger.sh).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { freePort } from './prometheus.js';
import { waitFor } from './wait.js';

/** The folder holding `jaeger`. */
export function jaegerBinaries(): string {
  if (process.env.KLAMBDA_JAEGER_BIN) return process.env.KLAMBDA_JAEGER_BIN;
  const script = join(packageRoot(), 'hack', 'testbin', 'build-jaeger.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`building Jaeger failed (bash ${script}, exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

/** A span as Jaeger's query API (/api/traces) gives it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags: Array<{ key: string; type: string; value: unknown }>;
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface RunningJaeger {
  /** What OTEL_EXPORTER_OTLP_ENDPOINT names (OTLP over HTTP). */
  otlpEndpoint: string;
  /** The query API and UI. */
  queryUrl: string;
  /** A trace by its id (32 hex), or undefined while Jaeger has none. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** The traces that have a span of `service`. */
  traces(service: string): Promise<JaegerTrace[]>;
  stop(): Promise<void>;
}

/** Jaeger's config: only the OTLP/HTTP receiver, memory storage and the query API, each on its own free port. */
function config(ports: { otlp: number; http: number; grpc: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces: {receivers: [otlp], processors: [], exporters: [jaeger_storage_exporter]}
  telemetry:
    metrics: {level: none}
    logs: {level: warn}
extensions:
  jaeger_storage:
    backends:
      mem: {memory: {max_traces: 10000}}
  jaeger_query:
    storage: {traces: mem}
    http: {endpoint: "127.0.0.1:${ports.http}"}
    grpc: {endpoint: "127.0.0.1:${ports.grpc}"}
receivers:
  otlp:
    protocols:
      http: {endpoint: "127.0.0.1:${ports.otlp}"}
exporters:
  jaeger_storage_exporter: {trace_storage: mem}
`;
}

export async function startJaeger(bin: string): Promise<RunningJaeger> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-jaeger-'));
  const ports = { otlp: await freePort(), http: await freePort(), grpc: await freePort() };
  writeFileSync(join(dir, 'config.yaml'), config(ports));
  const queryUrl = `http://127.0.0.1:${ports.http}`;
  const output: string[] = [];
  const child: ChildProcess = spawn(join(bin, 'jaeger'), ['--config', `file:${join(dir, 'config.yaml')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [child.stdout, child.stderr]) s?.on('data', (d: Buffer) => { output.push(d.toString()); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const get = async <T>(path: string): Promise<T | undefined> => {
    const res = await fetch(`${queryUrl}${path}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`Jaeger ${path}: HTTP ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { data: T }).data;
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`jaeger exited ${child.exitCode}: ${output.join('').slice(-2000)}`);
      const up = await fetch(`${queryUrl}/api/services`).then((r) => r.ok, () => false);
      const otlp = await fetch(`http://127.0.0.1:${ports.otlp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
        .then((r) => r.ok, () => false);
      return up && otlp ? true : undefined;
    }, 60_000, 'Jaeger to be ready', 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    otlpEndpoint: `http://127.0.0.1:${ports.otlp}`,
    queryUrl,
    stop,
    trace: async (traceId) => (await get<JaegerTrace[]>(`/api/traces/${traceId}`))?.[0],
    traces: async (service) => (await get<JaegerTrace[]>(`/api/traces?${new URLSearchParams({ service, limit: '1000', lookback: '1h' })}`)) ?? [],
  };
}

/** The span's service name. */
export const serviceOf = (t: JaegerTrace, s: JaegerSpan): string => t.processes[s.processID]?.serviceName ?? '';

/** A tag's value, or undefined. */
export const tagOf = (s: JaegerSpan, key: string): unknown => s.tags.find((t) => t.key === key)?.value;

/** The span's parent span id (CHILD_OF), or undefined for a root. */
export const parentOf = (s: JaegerSpan): string | undefined => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
