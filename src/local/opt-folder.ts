// The local mode's /opt: a function's layers, each unpacked once in the code cache, merged in order into one folder per
// combination (`.klambda/opt/<digest of the ordered digests>`), made aside and renamed into place whole.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ResourceNotFoundError } from '../api/errors.js';
import { listFolder } from '../code/zip-folder.js';
import { materializeCode } from './code-cache.js';
import { findLayers } from './layer-refs.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';

export type EntryKind = 'file' | 'link' | 'dir';

/** What wins at each path of /opt: the entry's kind and the index of the layer it comes from. */
export type MergePlan = Map<string, { kind: EntryKind; layer: number }>;

/**
 * Layers unpacked one over the other, as Lambda extracts them into /opt in order: a later layer's file or link replaces
 * whatever an earlier one had at its path (a folder with all it held), its folder replaces an earlier file, and folders of
 * the same name merge (pure). Each listing is '/'-separated names, parents before children.
 */
export function mergeLayers(listings: readonly (readonly { name: string; kind: EntryKind }[])[]): MergePlan {
  const plan: MergePlan = new Map();
  const dropUnder = (name: string) => {
    for (const key of plan.keys()) if (key.startsWith(`${name}/`)) plan.delete(key);
  };
  listings.forEach((entries, layer) => {
    for (const e of entries) {
      const parts = e.name.split('/');
      // a file of an earlier layer where this layer has a folder on the way
      for (let i = 1; i < parts.length; i++) {
        const up = parts.slice(0, i).join('/');
        const had = plan.get(up);
        if (had && had.kind !== 'dir') plan.set(up, { kind: 'dir', layer });
      }
      const had = plan.get(e.name);
      if (e.kind !== 'dir' && had?.kind === 'dir') dropUnder(e.name);
      if (e.kind === 'dir' && had?.kind === 'dir') continue;
      plan.set(e.name, { kind: e.kind, layer });
    }
  });
  return new Map([...plan.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

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
  const listings = await Promise.all(sources.map((dir) => listFolder(dir)));
  const plan = mergeLayers(listings);
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, '.tmp-'));
  try {
    await chmod(tmp, 0o755);
    for (const [name, { kind, layer }] of plan) {
      const from = join(sources[layer]!, name);
      const to = join(tmp, name);
      if (kind === 'dir') await mkdir(to, { mode: 0o755 });
      else if (kind === 'link') await symlink(await readlink(from), to);
      else {
        await copyFile(from, to, constants.COPYFILE_FICLONE);
        await chmod(to, (await stat(from)).mode & 0o111 ? 0o755 : 0o644);
      }
    }
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
