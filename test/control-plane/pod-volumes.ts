// Lays out a pod's volumes as host folders for the process node: configMap and secret files (items, modes), emptyDir; other kinds are left out.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';

export interface KeyToPath { key: string; path: string; mode?: number }
interface ProjectedSource { items?: KeyToPath[]; defaultMode?: number; optional?: boolean }
export interface Volume {
  name: string;
  configMap?: ProjectedSource & { name: string };
  secret?: ProjectedSource & { secretName: string };
  emptyDir?: Record<string, unknown>;
}

/** A file to write into a volume folder. */
export interface VolumeFile { path: string; content: Buffer; mode: number }

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

/** A ConfigMap's or Secret's object as the API server returns it, or undefined if there is none. */
export type ReadObject = (resource: 'configmaps' | 'secrets', name: string) => Promise<Record<string, unknown> | undefined>;

const DEFAULT_MODE = 0o644;

/** A relative path without ".." segments, as the API server also requires of `items[].path`. */
function safePath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && !posix.normalize(path).split('/').includes('..');
}

/** The files a configMap/secret volume holds (pure): the `items` (key → path, own mode or defaultMode), or every key. */
export function volumeFiles(source: ProjectedSource, data: Readonly<Record<string, Buffer>> | undefined, what: string): Outcome<VolumeFile[]> {
  const optional = source.optional === true;
  if (data === undefined) return optional ? { ok: true, value: [] } : { ok: false, message: `${what} not found` };
  const mode = source.defaultMode ?? DEFAULT_MODE;
  const items: KeyToPath[] = source.items ?? Object.keys(data).sort().map((key) => ({ key, path: key }));
  const files: VolumeFile[] = [];
  for (const item of items) {
    const content = data[item.key];
    if (content === undefined) {
      if (optional) continue;
      return { ok: false, message: `${what} has no key "${item.key}"` };
    }
    if (!safePath(item.path)) return { ok: false, message: `${what}: item path "${item.path}" must be relative, without ".."` };
    files.push({ path: item.path, content, mode: item.mode ?? mode });
  }
  return { ok: true, value: files };
}

function configMapData(object: Record<string, unknown>): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries((object.data as Record<string, string> | undefined) ?? {})) data[k] = Buffer.from(v, 'utf8');
  for (const [k, v] of Object.entries((object.binaryData as Record<string, string> | undefined) ?? {})) data[k] = Buffer.from(v, 'base64');
  return data;
}

function secretData(object: Record<string, unknown>): Record<string, Buffer> {
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries((object.data as Record<string, string> | undefined) ?? {})) data[k] = Buffer.from(v, 'base64');
  return data;
}

async function sourceFiles(volume: Volume, read: ReadObject): Promise<Outcome<VolumeFile[]> | undefined> {
  if (volume.configMap) {
    const object = await read('configmaps', volume.configMap.name);
    return volumeFiles(volume.configMap, object && configMapData(object), `configmap "${volume.configMap.name}"`);
  }
  if (volume.secret) {
    const object = await read('secrets', volume.secret.secretName);
    return volumeFiles(volume.secret, object && secretData(object), `secret "${volume.secret.secretName}"`);
  }
  return undefined;
}

/**
 * Makes a folder `root/<volume name>` for each configMap, secret and emptyDir volume and writes its files.
 * Returns volume name → host folder, or why the pod cannot start yet (a missing ConfigMap: retry later).
 */
export async function materializeVolumes(root: string, volumes: readonly Volume[], read: ReadObject): Promise<Outcome<Map<string, string>>> {
  const dirs = new Map<string, string>();
  for (const volume of volumes) {
    const files = await sourceFiles(volume, read);
    if (files === undefined && !volume.emptyDir) continue;
    if (files && !files.ok) return files;
    const dir = posix.join(root, volume.name);
    await mkdir(dir, { recursive: true });
    for (const file of files?.value ?? []) {
      const path = posix.join(dir, file.path);
      await mkdir(posix.dirname(path), { recursive: true });
      await writeFile(path, file.content);
      await chmod(path, file.mode);
    }
    dirs.set(volume.name, dir);
  }
  return { ok: true, value: dirs };
}
