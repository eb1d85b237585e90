// Build step after tsc: the files klambda reads at run time beside its modules (Lua scripts, runtime bootstraps) go into dist/.
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const dir of ['queue/commands', 'agent/runtimes']) {
  const to = join(root, 'dist', dir);
  rmSync(to, { recursive: true, force: true });
  cpSync(join(root, 'src', dir), to, { recursive: true, filter: (src) => !src.includes('__pycache__') });
}
