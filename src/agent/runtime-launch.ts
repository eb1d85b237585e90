// How a runtime process is started: its command line and its environment (pure; the I/O is in runtime-process.ts).
import { join } from 'node:path';
import type { EnvironmentSpec, Runtime } from '../core/environment-spec.js';
import { RUNTIME_FACTS } from '../core/runtimes.js';

export interface LaunchCommand {
  command: string;
  args: string[];
  /** Files and folders outside the code and runtime folders that the runtime's user must read (a JDK, a client's jars). */
  reads?: string[];
}

export interface LaunchPaths {
  /** The node binary for nodejs20 (the agent's own: process.execPath). */
  nodePath: string;
  /** The python binary for python3.11. */
  pythonPath: string;
  /** Folder holding nodejs/bootstrap.mjs and python/bootstrap.py. */
  runtimesDir: string;
  /** For java17/java21: the JDK's java and the folder of AWS's runtime client jars, or why there are none (java-install.ts). */
  java?: { java: string; lib: string; problem?: undefined } | { problem: string; java?: undefined; lib?: undefined };
}

/** V8's old space gets ~90% of the function's memory, leaving room for the rest of the process. */
export const maxOldSpaceMB = (memoryMB: number): number => Math.max(16, Math.floor(memoryMB * 0.9));

/** How the agent starts one runtime: the process, the folder it runs from, where it finds layers' libraries. */
export interface RuntimeLauncher {
  command(spec: EnvironmentSpec, paths: LaunchPaths): LaunchCommand;
  /** LAMBDA_RUNTIME_DIR. */
  runtimeDir(spec: EnvironmentSpec, runtimesDir: string): string;
  /** The variables that point the runtime's module loader at /opt (beyond PATH and LD_LIBRARY_PATH). */
  layerVariables?(opt: string): Record<string, string>;
}

/** A `provided` function brings its own runtime: an executable named bootstrap at the root of its code. */
export const providedBootstrapPath = (codeDir: string): string => join(codeDir, 'bootstrap');

const colonJoin = (...parts: (string | undefined)[]): string => parts.filter((p): p is string => !!p).join(':');

/** java17/java21: `sh bootstrap <java> <lib>`, the JDK and the client's jars found by the agent (java-install.ts). */
const javaLauncher: RuntimeLauncher = {
  command: (_spec, paths) => ({
    command: '/bin/sh',
    args: [join(paths.runtimesDir, 'java', 'bootstrap'), paths.java?.java ?? 'java', paths.java?.lib ?? join(paths.runtimesDir, 'java', 'lib')],
    ...(paths.java?.java ? { reads: [paths.java.java, paths.java.lib] } : {}),
  }),
  runtimeDir: (_spec, runtimesDir) => join(runtimesDir, 'java'),
  // Lambda's /opt/java/lib is read by the client's own class loader
};

export const LAUNCHERS: Record<Runtime, RuntimeLauncher> = {
  nodejs20: {
    command: (spec, paths) => ({ command: paths.nodePath, args: [`--max-old-space-size=${maxOldSpaceMB(spec.memoryMB)}`, join(paths.runtimesDir, 'nodejs', 'bootstrap.mjs')] }),
    runtimeDir: (_spec, runtimesDir) => join(runtimesDir, 'nodejs'),
    layerVariables: (opt) => ({ NODE_PATH: colonJoin(`${opt}/nodejs/node20/node_modules`, `${opt}/nodejs/node_modules`) }),
  },
  'python3.11': {
    command: (_spec, paths) => ({ command: paths.pythonPath, args: ['-u', join(paths.runtimesDir, 'python', 'bootstrap.py')] }),
    runtimeDir: (_spec, runtimesDir) => join(runtimesDir, 'python'),
    layerVariables: (opt) => ({ PYTHONPATH: colonJoin(`${opt}/python/lib/python3.11/site-packages`, `${opt}/python`) }),
  },
  provided: {
    command: (spec) => ({ command: providedBootstrapPath(spec.codeDir), args: [] }),
    runtimeDir: (spec) => spec.codeDir,
  },
  // the Ruby on PATH; RUBYLIB for a layer's ruby/lib (the bootstrap adds its ruby/gems/<version> and vendor/bundle to Gem.path)
  ruby3: {
    command: (_spec, paths) => ({ command: 'ruby', args: [join(paths.runtimesDir, 'ruby', 'bootstrap.rb')] }),
    runtimeDir: (_spec, runtimesDir) => join(runtimesDir, 'ruby'),
    layerVariables: (opt) => ({ RUBYLIB: `${opt}/ruby/lib` }),
  },
  // AWS's bootstrap.net8.sh, ported: `dotnet exec` of an executable assembly, or of Amazon.Lambda.RuntimeSupport for a class library
  dotnet8: {
    command: (_spec, paths) => ({ command: 'bash', args: [join(paths.runtimesDir, 'dotnet', 'bootstrap.sh')] }),
    runtimeDir: (_spec, runtimesDir) => join(runtimesDir, 'dotnet'),
  },
  // AWS's Java runtime client, started by the same bootstrap as the runtime images' (JVM flags as AWS's java17 runtime's)
  java17: javaLauncher,
  java21: javaLauncher,
};

export const runtimeCommand = (spec: EnvironmentSpec, paths: LaunchPaths): LaunchCommand => LAUNCHERS[spec.runtime].command(spec, paths);

export const runtimeDir = (spec: EnvironmentSpec, runtimesDir: string): string => LAUNCHERS[spec.runtime].runtimeDir(spec, runtimesDir);

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
  const executionEnv = RUNTIME_FACTS[spec.runtime].executionEnv;
  if (executionEnv) reserved.AWS_EXECUTION_ENV = executionEnv;
  return { ...defaults, ...spec.environment, ...reserved };
}

/**
 * Where a runtime finds its layers, as Lambda sets it up under /opt: executables in bin (last on PATH), libraries in lib,
 * Node packages in nodejs/node20/node_modules then nodejs/node_modules, Python's in python/lib/python3.11/site-packages
 * then python. `opt` is /opt on a cluster, the merged layers' folder in the local mode.
 */
export function layerPaths(runtime: Runtime, opt: string, base: { PATH?: string; LD_LIBRARY_PATH?: string }): Record<string, string> {
  return {
    PATH: colonJoin(base.PATH, `${opt}/bin`),
    LD_LIBRARY_PATH: colonJoin(base.LD_LIBRARY_PATH, `${opt}/lib`),
    ...LAUNCHERS[runtime].layerVariables?.(opt),
  };
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
