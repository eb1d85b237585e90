// Volume ownership in the pod network mode, as a kubelet's volume manager sets it: with an fsGroup every volume (claims
// included) belongs to that group, group-writable, directories setgid; without one, a volume only one container mounts
// belongs to that container's user (so a non-root Redis can write its claim).
import { chmod, chown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod } from './container-process.js';
import type { Identity } from './pod-sandbox.js';

async function walk(dir: string, visit: (path: string, isDir: boolean) => Promise<void>): Promise<void> {
  await visit(dir, true);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const st = await lstat(path);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) await walk(path, visit);
    else await visit(path, false);
  }
}

export async function ownForFsGroup(pod: Pod, dirs: ReadonlyMap<string, string>, identity: (c: Container) => Identity | undefined): Promise<void> {
  const fsGroup = pod.spec.securityContext?.fsGroup;
  for (const [volume, dir] of dirs) {
    if (fsGroup !== undefined) {
      await walk(dir, async (path, isDir) => {
        const st = await lstat(path);
        await chown(path, st.uid, fsGroup);
        await chmod(path, (st.mode & 0o7777) | (isDir ? 0o2070 : 0o060));
      });
      continue;
    }
    const users = pod.spec.containers.filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume));
    // an emptyDir several containers share is a kubelet's: root's, mode 0777
    if (users.length > 1 && pod.spec.volumes?.find((v) => v.name === volume)?.emptyDir) { await chmod(dir, 0o777); continue; }
    const writers = users.filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume && m.readOnly !== true));
    // one container's alone; or, shared, its one writer's (as an emptyDir's 0777 lets it write), readable by the rest
    const owner = users.length === 1 ? users[0]! : writers.length === 1 ? writers[0]! : undefined;
    const id = owner ? identity(owner) : undefined;
    if (!id) continue;
    await walk(dir, (path) => chown(path, id.uid, id.gid));
    await chmod(dir, users.length === 1 ? 0o700 : 0o755);
  }
}
