// Which runtimes this klambda can run, and why not (pure): a runtime needs its program (python3, ruby, dotnet …) where the
// agent runs it, and a cluster serves only the runtimes it is told it has images for. The local mode asks the PATH
// (runtime-probe.ts); the controller and the cluster's Lambda API ask their --runtimes list.
import { RUNTIME_FACTS, RUNTIMES, type Runtime } from './runtimes.js';

export type RuntimeAvailability = { available: true } | { available: false; reason: string };

/** The program a runtime runs on, looked up on PATH, and how to get it. nodejs20 runs on the agent's own node; provided brings its own. */
export interface RuntimeProgram {
  program: string;
  install: string;
}

export const RUNTIME_PROGRAMS: Partial<Record<Runtime, RuntimeProgram>> = {
  'python3.11': { program: 'python3', install: 'install Python 3.11 (Debian 12: apt-get install python3)' },
  ruby3: { program: 'ruby', install: 'install Ruby 3 (Debian 12: apt-get install ruby)' },
  dotnet8: { program: 'dotnet', install: 'install the .NET 8 runtime or SDK (https://dot.net), or run the function on a cluster with the dotnet8 image' },
};

export const AVAILABLE: RuntimeAvailability = { available: true };

/**
 * Whether `runtime` can run here. `hasProgram` answers whether a program is installed (on PATH); `enabled`, when given,
 * is the runtimes this klambda was told to serve (a cluster's --runtimes): others are refused whatever is installed.
 */
export function runtimeAvailability(runtime: Runtime, hasProgram: (program: string) => boolean, enabled?: readonly string[]): RuntimeAvailability {
  if (enabled && !enabled.includes(runtime)) {
    return { available: false, reason: `this klambda does not serve ${runtime} (its runtimes: ${enabled.join(', ') || 'none'})` };
  }
  const needs = RUNTIME_PROGRAMS[runtime];
  if (needs && !hasProgram(needs.program)) {
    return { available: false, reason: `${needs.program} is not installed (no ${needs.program} on PATH): ${needs.install}` };
  }
  return AVAILABLE;
}

/** The Lambda API's answer for a runtime that is unavailable: InvalidParameterValueException's message. */
export const unavailableRuntimeMessage = (runtime: Runtime, reason: string): string =>
  `The runtime parameter of ${RUNTIME_FACTS[runtime].lambdaName} is not supported on this klambda: ${reason}`;

/** Parses a --runtimes list (comma-separated klambda or Lambda names); undefined for all; throws on an unknown name. */
export function parseRuntimeList(text: string | undefined): Runtime[] | undefined {
  if (text === undefined || text.trim() === '' || text.trim() === 'all') return undefined;
  const out: Runtime[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const r = RUNTIMES.find((x) => x === raw || RUNTIME_FACTS[x].apiNames.includes(raw));
    if (!r) throw new Error(`unknown runtime ${JSON.stringify(raw)} in the runtime list; klambda's runtimes: ${RUNTIMES.join(', ')}`);
    if (!out.includes(r)) out.push(r);
  }
  return out;
}
