// A pod's zip package, before its function container starts: fetched from the code store with the version's own
// presigned URL (it reads that one object), checked against the version's digest, unpacked as hostile input into the
// node's package cache (once per digest, whole or not at all), then copied into the code volume the function mounts
// read-only at /var/task. The function container never sees the URL or the cache.
import { createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { digestingStream, digestName } from '../code/package-digest.js';
import { MAX_UNZIPPED_BYTES } from '../code/package-limits.js';
import { unpackZip } from '../code/zip-extract.js';

/** One zip package of the code store, as a version's agent reads it. */
export interface PackageRef {
  /** Base64 SHA-256 and byte size of the zip (Lambda's CodeSha256 and CodeSize). */
  sha256: string;
  size: number;
  /** A file holding the presigned URL that reads the package (the version's Secret). */
  urlFile: string;
}

export interface PackageFetchConfig extends PackageRef {
  /** The node's package cache (a hostPath shared by the node's agents, or the pod's own emptyDir). */
  cacheDir: string;
  /** The code volume: the function container mounts it read-only at /var/task. */
  targetDir: string;
}

export interface FetchOutcome {
  /** The package was already in the node's cache. */
  cached: boolean;
  ms: number;
}

/** Fills `targetDir` with the package's files; throws with a clear message when it cannot be fetched or does not match. */
export async function preparePackage(cfg: PackageFetchConfig, now: () => number = () => performance.now()): Promise<FetchOutcome> {
  const start = now();
  const { dir, cached } = await cachedPackage(cfg, cfg.cacheDir);
  await copyInto(dir, cfg.targetDir);
  return { cached, ms: now() - start };
}

/** The package unpacked in the node's cache (fetched, checked and unpacked first unless it is there): its folder. */
export async function cachedPackage(pkg: PackageRef, cacheDir: string): Promise<{ dir: string; cached: boolean }> {
  const dir = join(cacheDir, digestName(pkg.sha256));
  if (await isDir(dir)) return { dir, cached: true };
  await mkdir(cacheDir, { recursive: true });
  const zip = join(cacheDir, `.fetch-${process.pid}-${Math.random().toString(36).slice(2)}.zip`);
  try {
    await download((await readFile(pkg.urlFile, 'utf8')).trim(), zip, pkg);
    await unpackZip(zip, dir);
  } catch (err) {
    // another agent on this node unpacked the same digest first: theirs is as good as ours
    if (!(await isDir(dir))) throw err;
    return { dir, cached: true };
  } finally {
    await rm(zip, { force: true });
  }
  return { dir, cached: false };
}

/** GETs the presigned URL into `file`, hashing on the way; refuses a size or digest that is not the version's. */
async function download(url: string, file: string, cfg: PackageRef): Promise<void> {
  const res = await request(url);
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`the code store answered ${res.statusCode} for the package ${cfg.sha256} (its presigned URL may have expired: the controller renews it)`);
  }
  const check = digestingStream(Math.min(cfg.size, MAX_UNZIPPED_BYTES), () => new Error(`the package from the code store is larger than its ${cfg.size} bytes`));
  await pipeline(res, check.stream, createWriteStream(file, { mode: 0o600 }));
  const { sha256, size } = check.digest();
  if (size !== cfg.size || sha256 !== cfg.sha256) {
    throw new Error(`the package from the code store is not the version's: CodeSha256 ${sha256} (${size} bytes), expected ${cfg.sha256} (${cfg.size} bytes)`);
  }
}

function request(url: string): Promise<IncomingMessage> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, resolve);
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error('the code store did not answer within 60 s')));
  });
}

/** Empties a volume folder (a restarted agent container finds its last copy there). */
export async function emptyFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
}

/** The cached files into the code volume, emptied first. */
async function copyInto(from: string, to: string): Promise<void> {
  await emptyFolder(to);
  // links stay links (the unpacker allowed only those that point inside the package)
  // the volume's own folder is left as the kubelet made it (an emptyDir is root's, mode 0777: not the agent's to chmod)
  await cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
