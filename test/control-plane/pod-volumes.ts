// Lays out a pod's volumes as host folders for the process node: configMap and secret files (items, modes), emptyDir;
// with a pod network also projected volumes (service-account token, ca.crt, namespace) and PVCs bound to hostPath PVs;
// hostPath volumes are folders of the node (one per path, shared by its pods).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';

export interface KeyToPath { key: string; path: string; mode?: number }
interface ProjectedSource { items?: KeyToPath[]; defaultMode?: number; optional?: boolean }
export interface Volume {
  name: string;
  configMap?: ProjectedSource & { name: string };
  secret?: ProjectedSource & { secretName: string };
  emptyDir?: Record<string, unknown>;
  projected?: { defaultMode?: number; sources?: ProjectedVolumeSource[] };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  hostPath?: { path: string; type?: string };
}

export interface ProjectedVolumeSource {
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  configMap?: ProjectedSource & { name: string };
  secret?: ProjectedSource & { name: string };
  downwardAPI?: { items?: Array<{ path: string; mode?: number; fieldRef?: { fieldPath: string } }> };
}

/** What a kubelet asks the cluster for beyond ConfigMaps and Secrets (given only in the pod network mode). */
export interface ClusterVolumes {
  /** A token for the pod's ServiceAccount from the TokenRequest API, bound to the pod. */
  token(audience: string | undefined, expirationSeconds: number): Promise<string>;
  /** A downward API field of the pod (metadata.namespace, metadata.name, …). */
  field(fieldPath: string): string | undefined;
  /** The host folder of a bound claim, or why the pod must wait. */
  claim(claimName: string): Promise<Outcome<string>>;
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

/** The files of a projected volume: its sources in order into one folder. */
async function projectedFiles(volume: NonNullable<Volume['projected']>, read: ReadObject, cluster: ClusterVolumes): Promise<Outcome<VolumeFile[]>> {
  const mode = volume.defaultMode ?? DEFAULT_MODE;
  const files: VolumeFile[] = [];
  for (const source of volume.sources ?? []) {
    let part: Outcome<VolumeFile[]> = { ok: true, value: [] };
    if (source.serviceAccountToken) {
      const { audience, expirationSeconds = 3607, path } = source.serviceAccountToken;
      part = { ok: true, value: [{ path, content: Buffer.from(await cluster.token(audience, expirationSeconds)), mode }] };
    } else if (source.configMap) {
      const object = await read('configmaps', source.configMap.name);
      part = volumeFiles({ defaultMode: mode, ...source.configMap }, object && configMapData(object), `configmap "${source.configMap.name}"`);
    } else if (source.secret) {
      const object = await read('secrets', source.secret.name);
      part = volumeFiles({ defaultMode: mode, ...source.secret }, object && secretData(object), `secret "${source.secret.name}"`);
    } else if (source.downwardAPI) {
      const data: Record<string, Buffer> = {};
      const items = (source.downwardAPI.items ?? []).map((i) => ({ key: i.path, path: i.path, mode: i.mode }));
      for (const i of source.downwardAPI.items ?? []) {
        const value = i.fieldRef ? cluster.field(i.fieldRef.fieldPath) : undefined;
        if (value !== undefined) data[i.path] = Buffer.from(value);
      }
      part = volumeFiles({ defaultMode: mode, items }, data, 'downwardAPI');
    }
    if (!part.ok) return part;
    files.push(...part.value);
  }
  return { ok: true, value: files };
}

async function sourceFiles(volume: Volume, read: ReadObject, cluster: ClusterVolumes | undefined): Promise<Outcome<VolumeFile[]> | undefined> {
  if (volume.projected && cluster) return projectedFiles(volume.projected, read, cluster);
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
 * Makes a folder `root/<volume name>` for each configMap, secret and emptyDir volume and writes its files; with
 * `cluster`, projected volumes too, and a PVC's volume is its PV's host folder.
 * Returns volume name → host folder, or why the pod cannot start yet (a missing ConfigMap: retry later).
 */
export async function materializeVolumes(root: string, volumes: readonly Volume[], read: ReadObject, cluster?: ClusterVolumes, hostRoot?: string): Promise<Outcome<Map<string, string>>> {
  const dirs = new Map<string, string>();
  for (const volume of volumes) {
    if (volume.hostPath && hostRoot !== undefined) {
      // the node's own folders stand in for the host's: shared by every pod on this node that names the same path
      if (!volume.hostPath.path.startsWith('/') || posix.normalize(volume.hostPath.path).split('/').includes('..')) {
        return { ok: false, message: `hostPath ${volume.hostPath.path} must be an absolute path without ".."` };
      }
      const dir = posix.join(hostRoot, posix.normalize(volume.hostPath.path));
      await mkdir(dir, { recursive: true });
      dirs.set(volume.name, dir);
      continue;
    }
    if (volume.persistentVolumeClaim && cluster) {
      const claim = await cluster.claim(volume.persistentVolumeClaim.claimName);
      if (!claim.ok) return claim;
      dirs.set(volume.name, claim.value);
      continue;
    }
    const files = await sourceFiles(volume, read, cluster);
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
