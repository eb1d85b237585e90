#!/usr/bin/env node
// The `klambda` command: `klambda dev [DIR]` runs the local mode until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLogger } from '../core/logger.js';
import { packageRoot } from '../core/package-root.js';
import { startLocal } from '../local/dev.js';
import { parseCli, USAGE, UsageError, type DevCommand } from './args.js';

async function dev(cmd: DevCommand): Promise<void> {
  const logger = jsonLogger(process.stderr, { component: 'klambda-dev' });
  const local = await startLocal({
    ...cmd,
    logger,
    onFunctionLog: (q, line) => process.stdout.write(`[${q.functionName}:${q.version}] ${line}\n`),
  });
  process.stdout.write(`klambda listening on ${local.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`klambda stopping (${signal})\n`);
    local.stop().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`klambda: stop failed: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(): Promise<void> {
  const cmd = parseCli(process.argv.slice(2), process.env);
  if (cmd.command === 'help') { process.stdout.write(`${USAGE}\n`); return; }
  if (cmd.command === 'version') {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`klambda ${pkg.version}\n`);
    return;
  }
  await dev(cmd);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`klambda: ${err.message}\n${USAGE}\n`);
  else process.stderr.write(`klambda: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
