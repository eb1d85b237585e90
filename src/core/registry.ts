// The router's view of functions: resolve a name + qualifier to the version that runs it.
import type { FunctionNameRef } from './arn.js';
import type { AsyncConfig } from '../api/function.js';

export interface ResolvedTarget {
  namespace: string;
  functionName: string;
  /** The version that runs this invocation ("$LATEST" or a number), after alias routing. */
  version: string;
  /** The qualifier as the caller gave it, if any. */
  qualifier?: string;
  timeoutSeconds: number;
  /** Unset = no reserved concurrency; 0 = the function is throttled. */
  reservedConcurrency?: number;
  /** The async settings of the version that runs it (AWS's defaults when absent). */
  async?: AsyncConfig;
}

export interface FunctionRegistry {
  /** Throws a ResourceNotFoundException (KlambdaError 404) for an unknown function, version or alias. */
  resolve(ref: FunctionNameRef, random: number): ResolvedTarget;
}
