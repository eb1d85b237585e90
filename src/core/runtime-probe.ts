// Which runtimes' programs are installed on this machine: a PATH lookup for runtime-availability.ts's rules.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runtimeAvailability, type RuntimeAvailability } from './runtime-availability.js';
import type { Runtime } from './runtimes.js';

/** Whether `program` is an executable file in one of PATH's folders (the lookup spawn does). */
export function programOnPath(program: string, path = process.env.PATH ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, program);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** Whether a runtime can run on this machine (and is among `enabled`, when given). Asks PATH each time: installing a program takes effect at once. */
export const localRuntimeAvailability = (runtime: Runtime, enabled?: readonly string[], path?: string): RuntimeAvailability =>
  runtimeAvailability(runtime, (p) => programOnPath(p, path), enabled);
