// Whether another user could reach a path: the permission bits of each folder on the way (pure), read with stat (I/O).
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ModeOwner {
  mode: number;
  uid: number;
  gid: number;
}

export interface Want {
  read?: boolean;
  write?: boolean;
  execute?: boolean;
}

/** The owner, group or other bits that apply to `user` (no supplementary groups: the runtime runs without them). */
export function allows(st: ModeOwner, user: { uid: number; gid: number }, want: Want): boolean {
  if (user.uid === 0) return true;
  const shift = st.uid === user.uid ? 6 : st.gid === user.gid ? 3 : 0;
  const bits = (st.mode >> shift) & 7;
  return (!want.read || (bits & 4) !== 0) && (!want.write || (bits & 2) !== 0) && (!want.execute || (bits & 1) !== 0);
}

/** Every folder from / down to (not including) `path`, outermost first. */
export function foldersAbove(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); ; d = dirname(d)) {
    out.unshift(d);
    if (dirname(d) === d) return out;
  }
}

/**
 * Why `user` cannot reach `path` with `want` (following symlinks), or undefined if it can. A path that does not
 * exist is not this check's business (the runtime reports it as it would anyway).
 */
export function unreachableBy(path: string, user: { uid: number; gid: number }, want: Want): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  try {
    for (const dir of foldersAbove(real)) {
      if (!allows(statSync(dir), user, { execute: true })) return `uid ${user.uid} cannot enter ${dir}`;
    }
    if (!allows(statSync(real), user, want)) return `uid ${user.uid} cannot ${describe(want)} ${real}`;
  } catch (err) {
    return `cannot check ${real}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

/** The folder and what it directly holds, readable (and folders enterable) by `user`. */
export function folderUnreadableBy(dir: string, user: { uid: number; gid: number }): string | undefined {
  const top = unreachableBy(dir, user, { read: true, execute: true });
  if (top) return top;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue; // a dangling symlink
      const want = st.isDirectory() ? { read: true, execute: true } : { read: true };
      if (!allows(st, user, want)) return `uid ${user.uid} cannot ${describe(want)} ${path}`;
    }
  } catch (err) {
    return `cannot check ${dir}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

const describe = (w: Want): string => [w.read && 'read', w.write && 'write', w.execute && 'execute'].filter(Boolean).join('/');
