// e2e helper: the AWS CLI v1 (what `pip install awscli` gives) against a klambda router, with v1's settings from the
// environment (AWS_DEFAULT_REGION, no pager), as the README's examples run it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CliKey { accessKeyId: string; secretAccessKey: string }

/** `aws <service> <args…> --endpoint-url <endpoint>` signed with `key`; resolves to stdout, rejects with the stderr. */
export function awsCli(service: string, endpoint: string, key: CliKey, timeoutMs = 300_000): (...args: string[]) => Promise<string> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
  return async (...args: string[]) => {
    try {
      return (await run('aws', [service, ...args, '--endpoint-url', endpoint], { env, timeout: timeoutMs })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; code?: number };
      throw new Error(`aws ${service} ${args[0]} failed (${e.code}): ${e.stderr}`);
    }
  };
}
