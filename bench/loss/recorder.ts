// The loss tests' function: a Function whose handler records what it ran in OUT_DIR/rec.log, in a manifest folder.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `<name>.yaml` into `folder` (made readable by the runtime's unprivileged user, as a user's folder is): nodejs20,
 * 3 s, Lambda's async defaults (2 retries, 6 h), OUT_DIR=`outDir` and `env`, and `code` as its index.mjs.
 */
export function writeRecorder(folder: string, o: { name: string; outDir: string; env?: Record<string, string>; code: string }): void {
  mkdirSync(folder, { recursive: true });
  chmodSync(folder, 0o755);
  const env = Object.entries({ OUT_DIR: o.outDir, ...o.env }).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  const code = o.code.split('\n').map((l) => (l ? `        ${l}` : l)).join('\n');
  writeFileSync(join(folder, `${o.name}.yaml`), `apiVersion: klambda.dev/v1alpha1
kind: Function
metadata: {name: ${o.name}}
spec:
  runtime: nodejs20
  handler: index.handler
  timeoutSeconds: 3
  async: {maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600}
  environment: {${env}}
  code:
    inline:
      index.mjs: |
${code}`);
}
