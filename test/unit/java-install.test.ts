// Which JDK runs a java17/java21 function, on folders laid out as JDKs (their `release` file and bin/java), and the
// Java handler rule.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findJava, javaLaunch, javaRicDir, missingJavaMessage, releaseMajor } from '../../src/core/java-install.js';
import { RUNTIME_FACTS } from '../../src/core/runtimes.js';
import { LAUNCHERS } from '../../src/agent/runtime-launch.js';
import type { EnvironmentSpec } from '../../src/core/environment-spec.js';

let root: string;
const jdk = (name: string, version: string): string => {
  const home = join(root, name);
  mkdirSync(join(home, 'bin'), { recursive: true });
  writeFileSync(join(home, 'release'), `IMPLEMENTOR="test"\nJAVA_VERSION="${version}"\n`);
  writeFileSync(join(home, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
  return home;
};

beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'klambda-jdks-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('reads the major version of a JDK\'s release file, old and new numbering', () => {
  expect(releaseMajor(jdk('a', '17.0.15'))).toBe(17);
  expect(releaseMajor(jdk('b', '21'))).toBe(21);
  expect(releaseMajor(jdk('c', '1.8.0_402'))).toBe(8);
  expect(releaseMajor(join(root, 'none'))).toBeUndefined();
});

it('takes KLAMBDA_JAVA<N>_HOME first, then JAVA_HOME, then java on PATH, then the JVM folder — only of the runtime\'s major version', () => {
  const j17 = jdk('jdk17', '17.0.15');
  const j21 = jdk('jdk21', '21.0.5');
  const jvm = join(root, 'jvm');
  mkdirSync(jvm);
  symlinkSync(j21, join(jvm, 'temurin-21'));
  const none = join(root, 'empty-jvm');
  expect(findJava('java17', { JAVA_HOME: j17, KLAMBDA_JAVA17_HOME: j21 }, none).install).toMatchObject({ home: j17, major: 17, source: 'JAVA_HOME' });
  expect(findJava('java17', { KLAMBDA_JAVA17_HOME: j17, JAVA_HOME: j21 }, none).install).toMatchObject({ java: join(j17, 'bin', 'java'), source: 'KLAMBDA_JAVA17_HOME' });
  expect(findJava('java17', { PATH: join(j17, 'bin') }, none).install).toMatchObject({ home: j17, source: 'PATH' });
  expect(findJava('java21', { JAVA_HOME: j17, PATH: join(j17, 'bin') }, jvm).install).toMatchObject({ home: j21, major: 21, source: jvm });
});

it('finds no JDK for java21 where there is only a 17, and says what it looked at', () => {
  const j17 = jdk('jdk17', '17.0.15');
  const lookup = findJava('java21', { JAVA_HOME: j17, PATH: join(j17, 'bin') }, join(root, 'nope'));
  expect(lookup.install).toBeUndefined();
  expect(lookup.tried).toEqual([`JAVA_HOME=${j17} (17)`]);
  const message = missingJavaMessage('java21', lookup);
  expect(message).toContain('java21 needs a JDK 21');
  expect(message).toContain('KLAMBDA_JAVA21_HOME');
  expect(javaLaunch('java21', { JAVA_HOME: j17 }).problem).toContain('java21 needs a JDK 21');
});

it('finds the runtime client where KLAMBDA_JAVA_RIC_DIR or the cache says, and refuses a folder without a whole fetch', () => {
  expect(javaRicDir({ KLAMBDA_JAVA_RIC_DIR: '/x' })).toBe('/x');
  expect(javaRicDir({ KLAMBDA_CACHE: '/c' })).toBe('/c/java-ric-2.10.1');
  expect(javaRicDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/klambda/java-ric-2.10.1');
  const j17 = jdk('jdk17', '17.0.15');
  expect(javaLaunch('java17', { JAVA_HOME: j17, KLAMBDA_JAVA_RIC_DIR: root }).problem).toContain('hack/testbin/fetch-java-ric.sh');
  writeFileSync(join(root, '.complete'), '');
  expect(javaLaunch('java17', { JAVA_HOME: j17, KLAMBDA_JAVA_RIC_DIR: root })).toMatchObject({ java: join(j17, 'bin', 'java'), lib: root });
});

it('takes Java handlers as AWS\'s client reads them', () => {
  const shape = RUNTIME_FACTS.java17.handler!.shape;
  for (const ok of ['example.Hello::handleRequest', 'example.Hello', 'Hello', 'com.acme.orders.Handler$Inner::handle']) expect(shape.test(ok)).toBe(true);
  for (const bad of ['example.Hello::', '::handle', 'example..Hello', 'example.Hello::a::b', 'index.handler.js x', '']) expect(shape.test(bad)).toBe(false);
  expect(RUNTIME_FACTS.java21.executionEnv).toBe('AWS_Lambda_java21');
});

it('launches the JVM through the runtime\'s bootstrap with the JDK and client folder found', () => {
  const spec = { runtime: 'java17', codeDir: '/code', memoryMB: 512 } as EnvironmentSpec;
  expect(LAUNCHERS.java17.command(spec, { nodePath: 'node', pythonPath: 'python3', runtimesDir: '/rt', java: { java: '/jdk/bin/java', lib: '/ric' } }))
    .toEqual({ command: '/bin/sh', args: ['/rt/java/bootstrap', '/jdk/bin/java', '/ric'], reads: ['/jdk/bin/java', '/ric'] });
});
