// A function's layers merged into one /opt, as Lambda extracts them in order: the plan (pure) and its copy from the
// unpacked layers into a folder — shared by the local mode (.klambda/opt) and a pod's agent (the opt volume).
import { constants } from 'node:fs';
import { chmod, copyFile, mkdir, readlink, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { listFolder } from './zip-folder.js';

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

/**
 * Writes the merge of the unpacked layer folders `sources` (in order) into the empty folder `to` (its own mode is the
 * caller's): folders 0755, files 0755 when executable else 0644 (readable by the function's user whoever unpacked
 * them), links as they are.
 */
export async function copyMergedLayers(sources: readonly string[], to: string): Promise<void> {
  const plan = mergeLayers(await Promise.all(sources.map((dir) => listFolder(dir))));
  for (const [name, { kind, layer }] of plan) {
    const from = join(sources[layer]!, name);
    const dest = join(to, name);
    if (kind === 'dir') await mkdir(dest, { mode: 0o755 });
    else if (kind === 'link') await symlink(await readlink(from), dest);
    else {
      await copyFile(from, dest, constants.COPYFILE_FICLONE);
      await chmod(dest, (await stat(from)).mode & 0o111 ? 0o755 : 0o644);
    }
  }
}
