// Readiness probes as a kubelet runs them (pod network mode): httpGet and tcpSocket against the pod IP, exec in the
// container; a container with a probe is ready once one passes and unready after failureThreshold misses in a row.
import { connect } from 'node:net';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Probe {
  httpGet?: { path?: string; port: number | string; scheme?: string; httpHeaders?: Array<{ name: string; value: string }> };
  tcpSocket?: { port: number | string };
  exec?: { command?: string[] };
  periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number;
}
export interface ContainerPort { name?: string; containerPort: number }

/** Tests cannot wait a kubelet's default 10 s between probes. */
export const MAX_PERIOD_MS = 1000;

/** A probe's port: a number, or the name of one of the container's ports (undefined if unknown). */
export function probePort(port: number | string, ports: readonly ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^[0-9]+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

function httpOk(url: string, headers: Record<string, string>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? httpsRequest : request)(url, { headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      // a kubelet counts 200..399 as success
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpOk(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('timeout', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(false));
  });
}

/** One probe run; `exec` runs a command in the container and gives its exit code. */
export async function probeOnce(probe: Probe, podIP: string, ports: readonly ContainerPort[], exec: (argv: string[], timeoutMs: number) => Promise<number | null>): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = probePort(probe.httpGet.port, ports);
    if (port === undefined) return false;
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return httpOk(`${scheme}://${podIP}:${port}${probe.httpGet.path ?? '/'}`, headers, timeoutMs);
  }
  if (probe.tcpSocket) {
    const port = probePort(probe.tcpSocket.port, ports);
    return port === undefined ? false : tcpOk(podIP, port, timeoutMs);
  }
  if (probe.exec?.command?.length) return (await exec(probe.exec.command, timeoutMs)) === 0;
  return true;
}

/** Runs `probe` every period until stopped, calling `set` when readiness changes (it starts unready). */
export function startProber(probe: Probe, run: () => Promise<boolean>, set: (ready: boolean) => void): () => void {
  const period = Math.min((probe.periodSeconds ?? 10) * 1000, MAX_PERIOD_MS);
  const threshold = probe.failureThreshold ?? 3;
  let ready = false;
  let misses = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const ok = await run().catch(() => false);
    if (stopped) return;
    misses = ok ? 0 : misses + 1;
    const now = ok ? true : ready && misses < threshold;
    if (now !== ready) { ready = now; set(ready); }
    timer = setTimeout(() => void tick(), period);
  };
  void tick();
  return () => { stopped = true; if (timer) clearTimeout(timer); };
}
