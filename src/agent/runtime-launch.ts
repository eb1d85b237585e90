// How a runtime process is started: its command line and its environment (pure; the I/O is in runtime-process.ts).
import { join } from 'node:path';
import type { EnvironmentSpec, Runtime } from '../core/environment-spec.js';

export interface LaunchCommand {
  command: string;
  args: string[];
}

export interface LaunchPaths {
  /** The node binary for nodejs20 (the agent's own: process.execPath). */
  nodePath: string;
  /** The python binary for python3.11. */
  pythonPath: string;
  /** Folder holding nodejs/bootstrap.mjs and python/bootstrap.py. */
  runtimesDir: string;
}

/** V8's old space gets ~90% of the function's memory, leaving room for the rest of the process. */
export const maxOldSpaceMB = (memoryMB: number): number => Math.max(16, Math.floor(memoryMB * 0.9));

export function runtimeCommand(spec: EnvironmentSpec, paths: LaunchPaths): LaunchCommand {
  switch (spec.runtime) {
    case 'nodejs20':
      return { command: paths.nodePath, args: [`--max-old-space-size=${maxOldSpaceMB(spec.memoryMB)}`, join(paths.runtimesDir, 'nodejs', 'bootstrap.mjs')] };
    case 'python3.11':
      return { command: paths.pythonPath, args: ['-u', join(paths.runtimesDir, 'python', 'bootstrap.py')] };
    case 'provided':
      return { command: providedBootstrapPath(spec.codeDir), args: [] };
  }
}

/** A `provided` function brings its own runtime: an executable named bootstrap at the root of its code. */
export const providedBootstrapPath = (codeDir: string): string => join(codeDir, 'bootstrap');

export function runtimeDir(spec: EnvironmentSpec, runtimesDir: string): string {
  switch (spec.runtime) {
    case 'nodejs20': return join(runtimesDir, 'nodejs');
    case 'python3.11': return join(runtimesDir, 'python');
    case 'provided': return spec.codeDir;
  }
}

const EXECUTION_ENV: Record<Runtime, string | undefined> = {
  nodejs20: 'AWS_Lambda_nodejs20.x',
  'python3.11': 'AWS_Lambda_python3.11',
  provided: undefined, // Lambda sets none for custom runtimes
};

/** `2024/01/31/[$LATEST]0123…`: the date the environment started, its version and a random id. */
export function logStreamName(now: Date, version: string, id: string): string {
  const d = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${d}/[${version}]${id}`;
}

export interface EnvironmentInputs {
  runtimeApi: string;
  runtimesDir: string;
  tmpDir: string;
  logStreamName: string;
  /** The agent's PATH (and LD_LIBRARY_PATH): the runtime finds its tools where the agent does. */
  hostPath: string;
  hostLdLibraryPath?: string;
}

/**
 * The runtime process's whole environment: defaults the function may override, then the function's own
 * variables, then Lambda's reserved variables, which it may not. Nothing else leaks from the agent.
 */
export function runtimeEnvironment(spec: EnvironmentSpec, inp: EnvironmentInputs): Record<string, string> {
  const defaults: Record<string, string> = {
    PATH: inp.hostPath,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    HOME: inp.tmpDir,
    TMPDIR: inp.tmpDir,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1', // the code folder may be read-only or the user's own
  };
  if (inp.hostLdLibraryPath) defaults.LD_LIBRARY_PATH = inp.hostLdLibraryPath;
  if (spec.optDir) Object.assign(defaults, layerPaths(spec.runtime, spec.optDir, defaults));
  const reserved: Record<string, string> = {
    AWS_LAMBDA_RUNTIME_API: inp.runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: runtimeDir(spec, inp.runtimesDir),
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMB),
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: inp.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
  const executionEnv = EXECUTION_ENV[spec.runtime];
  if (executionEnv) reserved.AWS_EXECUTION_ENV = executionEnv;
  return { ...defaults, ...spec.environment, ...reserved };
}

/**
 * Where a runtime finds its layers, as Lambda sets it up under /opt: executables in bin (last on PATH), libraries in lib,
 * Node packages in nodejs/node20/node_modules then nodejs/node_modules, Python's in python/lib/python3.11/site-packages
 * then python. `opt` is /opt on a cluster, the merged layers' folder in the local mode.
 */
export function layerPaths(runtime: Runtime, opt: string, base: { PATH?: string; LD_LIBRARY_PATH?: string }): Record<string, string> {
  const join = (...parts: (string | undefined)[]) => parts.filter((p): p is string => !!p).join(':');
  const out: Record<string, string> = {
    PATH: join(base.PATH, `${opt}/bin`),
    LD_LIBRARY_PATH: join(base.LD_LIBRARY_PATH, `${opt}/lib`),
  };
  if (runtime === 'nodejs20') out.NODE_PATH = join(`${opt}/nodejs/node20/node_modules`, `${opt}/nodejs/node_modules`);
  if (runtime === 'python3.11') out.PYTHONPATH = join(`${opt}/python/lib/python3.11/site-packages`, `${opt}/python`);
  return out;
}

/**
 * The Lambda-Runtime-Client-Context header: the caller's base64 X-Amz-Client-Context decoded to its JSON
 * text (what runtimes parse), with non-ASCII escaped so it is a valid header value; undefined if it is not
 * base64 JSON.
 */
export function clientContextHeader(base64: string | undefined): string | undefined {
  if (!base64) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
    return JSON.stringify(parsed).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  } catch {
    return undefined;
  }
}
