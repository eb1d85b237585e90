// Benchmark: what the Runtime API guard costs. A child process (the runtime) calls a Runtime API server with and
// without the guard, on a new connection per call (what the guard checks) and on one kept-alive connection (a warm
// invocation: checked once, never again); plus the guard's own time per connection. Prints JSON.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { silentLogger } from '../src/core/logger.js';
import { procDescendants } from '../src/agent/process-table.js';
import { RuntimeApiGuard } from '../src/agent/runtime-api-guard.js';
import { replyJson, RuntimeApiServer } from '../src/agent/runtime-api-server.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);

/** The runtime's side: CALLS GETs of /next, each on a new connection or all on one; the latency of each in µs. */
const CLIENT = `
const http = require('node:http');
const [port, calls, keepAlive] = process.argv.slice(1).map(Number);
const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
const one = () => new Promise((resolve, reject) => {
  const t0 = process.hrtime.bigint();
  const req = http.request({ host: '127.0.0.1', port, path: '/2018-06-01/runtime/invocation/next', agent }, (res) => {
    res.resume();
    res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1000));
  });
  req.on('error', reject);
  req.end();
});
(async () => {
  const out = [];
  for (let i = 0; i < calls; i++) out.push(await one());
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 10) / 10;
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p99: pct(xs, 99) });

async function run(guarded: boolean, keepAlive: boolean): Promise<{ callUs: ReturnType<typeof summary>; guardUs?: ReturnType<typeof summary>; refused: number }> {
  let runtimePid = -1;
  const guardTimes: number[] = [];
  const guard = new RuntimeApiGuard({ logger: silentLogger, functionName: 'bench', version: '$LATEST', mode: () => ({ on: true }) });
  const admit = (socket: Socket) => {
    const t0 = process.hrtime.bigint();
    const ok = guard.admit(socket, () => [runtimePid, ...procDescendants(runtimePid)]);
    guardTimes.push(Number(process.hrtime.bigint() - t0) / 1000);
    return ok;
  };
  const server = await RuntimeApiServer.listen({
    next: (res) => replyJson(res, 200, {}),
    response: (_id, _body, res) => replyJson(res, 202, {}),
    responseStream: (_id, req, res) => { req.resume(); replyJson(res, 202, {}); },
    error: (_id, _body, _type, res) => replyJson(res, 202, {}),
    initError: (_body, _type, res) => replyJson(res, 202, {}),
  }, undefined, guarded ? admit : undefined);
  const child = spawn(process.execPath, ['-e', CLIENT, String(server.port), String(CALLS), keepAlive ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  runtimePid = child.pid ?? -1;
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  await server.close();
  if (code !== 0) throw new Error(`client exited ${code}`);
  const calls = (JSON.parse(out) as number[]).slice(Math.floor(CALLS / 10)); // warm-up dropped
  return { callUs: summary(calls), ...(guarded ? { guardUs: summary(guardTimes) } : {}), refused: guard.refused };
}

/** One whole read of /proc/net/tcp{,6} (µs): what the guard would pay without stopping at the peer's line. */
function wholeTableReadUs(path: string): ReturnType<typeof summary> {
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = process.hrtime.bigint();
    readFileSync(path);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return summary(times);
}

const result = {
  calls: CALLS,
  socketsInProcNetTcp: readFileSync('/proc/net/tcp', 'latin1').split('\n').length - 2,
  wholeTableReadUs: { tcp: wholeTableReadUs('/proc/net/tcp'), tcp6: wholeTableReadUs('/proc/net/tcp6') },
  newConnectionPerCall: { unguarded: await run(false, false), guarded: await run(true, false) },
  keepAlive: { unguarded: await run(false, true), guarded: await run(true, true) },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
