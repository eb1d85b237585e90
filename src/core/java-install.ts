// Which JDK runs a java17/java21 function where the agent runs the runtime itself (the local mode, a process node), and
// where AWS's Java runtime client's jars are: looked up once per launch, with the reason when there is none.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export const JAVA_RUNTIMES = { java17: 17, java21: 21 } as const;
export type JavaRuntime = keyof typeof JAVA_RUNTIMES;
export const isJavaRuntime = (runtime: string): runtime is JavaRuntime => Object.hasOwn(JAVA_RUNTIMES, runtime);

/** The pinned version of aws-lambda-java-runtime-interface-client (hack/testbin/fetch-java-ric.sh, docker/java*.Dockerfile). */
export const JAVA_RIC_VERSION = '2.10.1';

export interface JavaInstall {
  /** The java binary. */
  java: string;
  /** Its JDK's folder. */
  home: string;
  /** Its major version, from the JDK's `release` file. */
  major: number;
  /** Where it was found: `KLAMBDA_JAVA21_HOME`, `JAVA_HOME`, `PATH` or `/usr/lib/jvm`. */
  source: string;
}

export interface JavaLookup {
  install?: JavaInstall;
  /** What was looked at, with what it held: `JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 (17)`. */
  tried: string[];
}

/** The major version a JDK folder's `release` file names (JAVA_VERSION="17.0.15" → 17, "1.8.0_402" → 8). */
export function releaseMajor(home: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(home, 'release'), 'utf8');
  } catch {
    return undefined;
  }
  const m = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(text);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

function onPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function jvmFolders(root: string): string[] {
  try {
    return readdirSync(root).sort().map((n) => join(root, n));
  } catch {
    return [];
  }
}

/**
 * The JDK for a Java runtime: `KLAMBDA_JAVA<N>_HOME`, then `JAVA_HOME`, then the `java` on PATH, then the folders of
 * /usr/lib/jvm (Debian's and the Temurin packages' place) — the first whose major version is the runtime's. A JDK of
 * another version is never used: a java21 function on a machine with only JDK 17 finds none.
 */
export function findJava(runtime: JavaRuntime, env: NodeJS.ProcessEnv = process.env, jvmRoot = '/usr/lib/jvm'): JavaLookup {
  const want = JAVA_RUNTIMES[runtime];
  const tried: string[] = [];
  const candidates: Array<{ source: string; home: string }> = [];
  const own = `KLAMBDA_JAVA${want}_HOME`;
  if (env[own]) candidates.push({ source: own, home: env[own] });
  if (env.JAVA_HOME) candidates.push({ source: 'JAVA_HOME', home: env.JAVA_HOME });
  const javaOnPath = onPath('java', env.PATH);
  if (javaOnPath) {
    try {
      candidates.push({ source: 'PATH', home: dirname(dirname(realpathSync(javaOnPath))) });
    } catch { /* a dangling link: nothing there */ }
  }
  for (const home of jvmFolders(jvmRoot)) candidates.push({ source: jvmRoot, home });
  const seen = new Set<string>();
  for (const { source, home } of candidates) {
    let real = home;
    try { real = realpathSync(home); } catch { /* reported below as having no release file */ }
    if (seen.has(real)) continue;
    seen.add(real);
    const major = releaseMajor(real);
    const java = join(real, 'bin', 'java');
    tried.push(`${source}=${home} (${major ?? 'no JDK'})`);
    if (major === want && existsSync(java)) return { install: { java, home: real, major, source }, tried };
  }
  return { tried };
}

/** The message of a Java runtime without its JDK: what was looked at, and how to point at one. */
export function missingJavaMessage(runtime: JavaRuntime, lookup: JavaLookup): string {
  const want = JAVA_RUNTIMES[runtime];
  const seen = lookup.tried.length > 0 ? lookup.tried.join(', ') : 'no JDK at all';
  return `${runtime} needs a JDK ${want}, and this machine has none (looked at: ${seen}); install one, or set KLAMBDA_JAVA${want}_HOME to its folder`;
}

/**
 * The folder of the runtime client's jars and JNI library: KLAMBDA_JAVA_RIC_DIR, else where
 * hack/testbin/fetch-java-ric.sh puts them (`$KLAMBDA_CACHE`, else `$XDG_CACHE_HOME/klambda` or `~/.cache/klambda`).
 */
export function javaRicDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KLAMBDA_JAVA_RIC_DIR) return env.KLAMBDA_JAVA_RIC_DIR;
  const cache = env.KLAMBDA_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'klambda');
  return join(cache, `java-ric-${JAVA_RIC_VERSION}`);
}

/** Undefined when the folder holds a whole fetch (its `.complete` marker), else why not. */
export function javaRicProblem(dir: string): string | undefined {
  if (existsSync(join(dir, '.complete'))) return undefined;
  return `AWS's Java runtime client ${JAVA_RIC_VERSION} is not in ${dir}: run hack/testbin/fetch-java-ric.sh from klambda's package `
    + '(it downloads the pinned jars and checks their SHA-256), or set KLAMBDA_JAVA_RIC_DIR to its folder';
}

/** What a launch of a Java runtime gets: the JDK's java and the client's folder, or why it cannot start. */
export type JavaLaunch = { java: string; lib: string; install: JavaInstall; problem?: undefined } | { problem: string; java?: undefined; lib?: undefined; install?: undefined };

export function javaLaunch(runtime: JavaRuntime, env: NodeJS.ProcessEnv = process.env): JavaLaunch {
  const lookup = findJava(runtime, env);
  if (!lookup.install) return { problem: missingJavaMessage(runtime, lookup) };
  const lib = javaRicDir(env);
  const problem = javaRicProblem(lib);
  if (problem) return { problem };
  return { java: lookup.install.java, lib, install: lookup.install };
}
