// Bench helper: a `provided` runtime's bootstrap built by a hack/testbin script (cached in ~/.cache/klambda), zipped as a function's code.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { makeZip } from '../test/helpers/zips.js';

/** Runs hack/testbin/<script> (which builds only when its cache misses) and writes its binary as `bootstrap` into DIR/<zipName>. */
export async function writeBootstrapZip(script: string, dir: string, zipName: string): Promise<void> {
  const out = execFileSync('bash', [join(packageRoot(), 'hack', 'testbin', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
  const binary = out.trim().split('\n').at(-1)!;
  await writeFile(join(dir, zipName), await makeZip([{ name: 'bootstrap', data: readFileSync(binary), mode: 0o100755 }]));
}
