// The local mode's /opt: a function's layers, each unpacked once in the code cache, merged in order into one folder per
// combination (`.klambda/opt/<digest of the ordered digests>`), made aside and renamed into place whole.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ResourceNotFoundError } from '../api/errors.js';
import { copyMergedLayers } from '../code/layer-merge.js';
import { materializeCode } from './code-cache.js';
import { findLayers } from './layer-refs.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';

/** The merged folder's name: the layers' digests in order, hashed (the same layers in another order are another /opt). */
export function optFolderName(sha256s: readonly string[]): string {
  return createHash('sha256').update(sha256s.join('\n')).digest('hex').slice(0, 32);
}

/** `.klambda/opt` beside the code cache (`.klambda/code`). */
export const optRootOf = (codeCacheDir: string): string => join(dirname(resolve(codeCacheDir)), 'opt');

/**
 * The /opt folder of a function whose `spec.layers` are `refs` (undefined without layers): each layer version unpacked
 * into the code cache by digest, then merged; the folder appears whole or not at all, and is reused while it exists.
 */
export async function materializeOpt(snap: ManifestSnapshot, ns: string, refs: readonly string[] | undefined, codeCacheDir: string): Promise<string | undefined> {
  if (!refs || refs.length === 0) return undefined;
  const { used, missing } = findLayers(snap, ns, refs);
  if (missing.length > 0) throw new ResourceNotFoundError(`Layer version ${missing.map((m) => m.label).join(', ')} does not exist`);
  const root = optRootOf(codeCacheDir);
  const dest = join(root, optFolderName(used.map((u) => u.pkg.sha256)));
  if (await isDir(dest)) return dest;
  const sources: string[] = [];
  for (const u of used) {
    sources.push(await materializeCode({ resolveCode: () => ({ kind: 'package', package: u.pkg }) }, ns, { code: { path: u.pkg.path } }, codeCacheDir));
  }
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, '.tmp-'));
  try {
    await chmod(tmp, 0o755);
    await copyMergedLayers(sources, tmp);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    // another writer made the same combination first
    if (await isDir(dest)) return dest;
    throw err;
  }
  return dest;
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
