// Runs a command (the core suites: npm run test:redis-cluster) with REDIS_URL set to a private 3-master Redis Cluster,
// which it stops afterwards; exits with the command's status.
import { spawn } from 'node:child_process';
import { startRedisCluster } from './redis-cluster.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: tsx test/helpers/with-redis-cluster.ts COMMAND [ARG...]\n');
  process.exit(2);
}
const cluster = await startRedisCluster();
process.stderr.write(`Redis Cluster up: ${cluster.url}\n`);
const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, REDIS_URL: cluster.url } });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
const status = await new Promise<number>((resolve) => {
  child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  child.once('error', () => resolve(127));
});
await cluster.stop();
process.exit(status);
