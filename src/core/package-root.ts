// Finds the folder of klambda's package.json, so files shipped beside the code (Lua scripts, runtimes) resolve from src/ and dist/ alike.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

/** The nearest folder at or above `from` (a file URL or path; default: this module) that holds a package.json. */
export function packageRoot(from: string = import.meta.url): string {
  const cached = cache.get(from);
  if (cached !== undefined) return cached;
  const start = from.startsWith('file:') ? dirname(fileURLToPath(from)) : from;
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      cache.set(from, dir);
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json found in ${start} or any folder above it`);
    dir = parent;
  }
}
