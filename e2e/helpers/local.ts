// e2e helper: a klambda local mode on a temporary folder of manifests, and an AWS SDK client pointed at it.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { silentLogger } from '../../src/core/logger.js';
import { startLocal, type LocalKlambda, type LocalOptions } from '../../src/local/dev.js';

export interface Fixture {
  local: LocalKlambda;
  lambda: LambdaClient;
  dir: string;
  /** Function output lines seen so far. */
  logs: string[];
  write(file: string, text: string | Buffer): void;
  stop(): Promise<void>;
}

export async function startFixture(files: Record<string, string | Buffer>, opts: Partial<LocalOptions> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-e2e-'));
  chmodSync(dir, 0o755); // a project folder, readable by the runtime's unprivileged user as a user's folder is
  const write = (file: string, text: string | Buffer) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  for (const [file, text] of Object.entries(files)) write(file, text);
  const logs: string[] = [];
  const local = await startLocal({
    dir, port: 0, host: '127.0.0.1', idleTimeoutSeconds: 300, region: 'us-east-1', accountId: '000000000000',
    logger: silentLogger, keyPrefix: `e2e${Math.random().toString(36).slice(2, 10)}`,
    onFunctionLog: (_q, line) => { logs.push(line); },
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    ...opts,
  });
  const lambda = new LambdaClient({
    endpoint: local.url, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    local, lambda, dir, logs, write,
    stop: async () => {
      lambda.destroy();
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { waitFor } from '../../test/helpers/wait.js';

/** A folder functions may write to, whichever user their runtime runs as. */
export function sharedOutDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o1777);
  return dir;
}

export const decode = (payload: Uint8Array | undefined): unknown =>
  payload && payload.length ? JSON.parse(Buffer.from(payload).toString('utf8')) : undefined;

/** A Function manifest with inline code. */
export function fn(name: string, runtime: string, handler: string, code: Record<string, string>, extra = ''): string {
  const files = Object.entries(code)
    .map(([file, text]) => `      ${file}: |\n${text.split('\n').map((l) => `        ${l}`).join('\n')}`)
    .join('\n');
  return `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: ${runtime}\n  handler: ${handler}\n  code:\n    inline:\n${files}\n${extra}`;
}
