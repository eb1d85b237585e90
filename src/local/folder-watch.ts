// Watches a folder and its subfolders, except hidden ones and node_modules: one plain watch per folder.
// Node 20's recursive watch on Linux stats and re-lists the tree on every change anywhere below it, so the
// private Redis's append-only file in .klambda/ (written on every invocation) would cost a tree walk per call.
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface FolderWatch {
  close(): void;
}

export interface FolderWatchHandlers {
  /** Something changed at `rel` (relative to the watched folder, with / separators). */
  change(rel: string): void;
  error(err: Error): void;
}

/** Folders never watched (nor anything below them): hidden ones (.klambda, .git) and node_modules. */
export const isSkippedFolder = (name: string): boolean => name.startsWith('.') || name === 'node_modules';

export function watchFolder(root: string, on: FolderWatchHandlers): FolderWatch {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;

  const isDir = (path: string): boolean => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  };

  const unwatch = (dir: string): void => {
    for (const [path, w] of watchers) {
      if (path === dir || path.startsWith(dir + sep)) {
        w.close();
        watchers.delete(path);
      }
    }
  };

  const add = (dir: string): void => {
    if (closed || watchers.has(dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, (event, name) => {
        if (closed || name === null) return;
        const path = join(dir, String(name));
        on.change(relative(root, path).split(sep).join('/'));
        // a folder made or moved in is watched from now on (with what it already holds); one gone is let go
        if (event === 'rename' && !isSkippedFolder(String(name))) {
          if (isDir(path)) add(path);
          else unwatch(path);
        }
      });
    } catch (err) {
      // it went away between its listing and here: nothing to watch
      if (dir !== root && !isDir(dir)) return;
      throw err;
    }
    w.on('error', (err) => {
      if (dir !== root && !isDir(dir)) unwatch(dir);
      else if (!closed) on.error(err);
    });
    watchers.set(dir, w);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !isSkippedFolder(e.name)) add(join(dir, e.name));
  };

  add(root);
  return {
    close: () => {
      closed = true;
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
