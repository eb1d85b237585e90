// Which runtimes' programs are installed on this machine: a PATH lookup for runtime-availability.ts's rules.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isJavaRuntime, javaLaunch } from './java-install.js';
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

/**
 * Whether a runtime can run on this machine (and is among `enabled`, when given). Asks PATH each time: installing a
 * program takes effect at once. A Java runtime needs a JDK of its own major version and AWS's Java runtime client
 * (java-install.ts): java21 is refused where only a JDK 17 is.
 */
export function localRuntimeAvailability(runtime: Runtime, enabled?: readonly string[], path?: string): RuntimeAvailability {
  const base = runtimeAvailability(runtime, (p) => programOnPath(p, path), enabled);
  if (!base.available || !isJavaRuntime(runtime)) return base;
  const java = javaLaunch(runtime, path === undefined ? process.env : { ...process.env, PATH: path });
  return java.problem ? { available: false, reason: java.problem } : base;
}
