// The local mode's code cache: a function's files (or its package, unpacked) written once per code digest, ready to run (LAMBDA_TASK_ROOT).
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { codeSha256, type CodePackage, type ResolvedCode } from '../api/code.js';
import { bufferDigest, digestName } from '../code/package-digest.js';
import { unpackZip } from '../code/zip-extract.js';
import { savePackage } from './package-files.js';
import { InvalidParameterError, UnsupportedCodeError } from '../api/errors.js';
import { inlineFileNameProblem, type FunctionCode } from '../api/function.js';

/** Where the code's files come from: the ManifestStore or one of its snapshots. */
export interface CodeSource {
  resolveCode(ns: string, code: FunctionCode): ResolvedCode;
}

/** Files that must be executable: the entry point of a `provided` runtime. */
const EXECUTABLE = new Set(['bootstrap']);

/**
 * Writes the code of `spec` into `cacheRoot/<digest prefix>/` unless it is there already, and returns that absolute
 * folder. The folder appears whole or not at all (written aside, then renamed). Container images cannot run locally.
 */
export async function materializeCode(store: CodeSource, ns: string, spec: { code: FunctionCode }, cacheRoot: string): Promise<string> {
  if (spec.code.image !== undefined) {
    throw new UnsupportedCodeError(`The local mode cannot run container images (spec.code.image: ${spec.code.image}); use spec.code.inline, spec.code.configMap or spec.code.path`);
  }
  const code = store.resolveCode(ns, spec.code);
  if (code.kind === 'image' || code.kind === 'stored') throw new UnsupportedCodeError('The local mode runs only file-based code (inline, configMap or path)');
  const root = resolve(cacheRoot);
  const dir = join(root, codeDirName(code));
  if (await isDir(dir)) return dir;
  await mkdir(root, { recursive: true });
  if (code.kind === 'package') return unpackPackage(code.package, root, dir);
  const tmp = await mkdtemp(join(root, '.tmp-'));
  try {
    // Readable by everyone, whatever the umask: the runtime may run as another, unprivileged user (uid 65534).
    await chmod(tmp, 0o755);
    for (const [name, content] of Object.entries(code.files)) {
      const problem = inlineFileNameProblem(name);
      const path = resolve(tmp, name);
      if (problem || !path.startsWith(tmp + sep)) throw new InvalidParameterError(`Unsafe code file name ${JSON.stringify(name)}: ${problem ?? 'outside the code folder'}`);
      const folder = dirname(path);
      if (folder !== tmp && !(await isDir(folder))) {
        await mkdir(folder, { recursive: true });
        for (let up = folder; up !== tmp; up = dirname(up)) await chmod(up, 0o755);
      }
      await writeFile(path, content);
      await chmod(path, EXECUTABLE.has(name) ? 0o755 : 0o644);
    }
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // Another writer got there first with the same digest: theirs is as good as ours.
    if (await isDir(dir)) return dir;
    throw err;
  }
  return dir;
}

/** A package: its zip copied aside (and checked against its digest), then unpacked as hostile input into `dir`. */
function unpackPackage(pkg: CodePackage, root: string, dir: string): Promise<string> {
  return unpackAside(root, dir, (zip) => savePackage(pkg, zip));
}

/**
 * Unpacks a zip sent in a request into the cache (`cacheRoot/<digest prefix>/`) unless it is there already, and
 * returns that folder: a hostile or broken zip is refused here, before anything else is written.
 */
export async function cacheZip(zip: Buffer, cacheRoot: string): Promise<string> {
  const root = resolve(cacheRoot);
  const dir = join(root, digestName(bufferDigest(zip).sha256));
  if (await isDir(dir)) return dir;
  await mkdir(root, { recursive: true });
  return unpackAside(root, dir, (file) => writeFile(file, zip));
}

/** `write` puts a zip in a temporary file of `root`; it is unpacked into `dir` (whole or not at all), then removed. */
async function unpackAside(root: string, dir: string, write: (file: string) => Promise<void>): Promise<string> {
  const zip = join(root, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}.zip`);
  try {
    await write(zip);
    await unpackZip(zip, dir);
  } catch (err) {
    // another writer got there first with the same digest
    if (await isDir(dir)) return dir;
    throw err;
  } finally {
    await rm(zip, { force: true });
  }
  return dir;
}

/** The cache folder's name: hex of the code digest (enough of it to never collide in practice). */
export function codeDirName(code: ResolvedCode): string {
  return digestName(codeSha256(code));
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
