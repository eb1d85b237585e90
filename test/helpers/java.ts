// AWS's Java runtime client and the compiled Java test functions, for the java17/java21 tests: fetched and built once
// by hack/testbin's scripts (pinned SHA-256 jars; javac against aws-lambda-java-core), cached by version and source hash.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';

const script = (name: string, env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync('bash', [join(packageRoot(), 'hack', 'testbin', name)], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').at(-1)!;

/**
 * The client's folder, and KLAMBDA_JAVA_RIC_DIR pointed at it for this process's agents. It is kept under the
 * repository's node_modules/.cache (not ~/.cache): a runtime sandboxed as another user must read it, and root's home is
 * closed to other users.
 */
export function useJavaRic(): string {
  const dir = process.env.KLAMBDA_JAVA_RIC_DIR ?? join(packageRoot(), 'node_modules', '.cache', 'klambda', 'java-ric-2.10.1');
  const out = script('fetch-java-ric.sh', { ...process.env, KLAMBDA_JAVA_RIC_DIR: dir });
  process.env.KLAMBDA_JAVA_RIC_DIR = out;
  return out;
}

/** The folder holding classes/ (example.Hello, example.Stream) and functions.jar. */
export const javaFunctions = (): string => script('build-java-functions.sh');
