// A pod's layers, before its function container starts: each layer version's zip fetched like the function's package
// (its own presigned URL from the version's Secret, size and CodeSha256 checked, unpacked once per digest into the
// node's cache), then merged in order into the opt volume, which the function mounts read-only at /opt.
import { copyMergedLayers } from '../code/layer-merge.js';
import { cachedPackage, emptyFolder, type FetchOutcome, type PackageRef } from './package-fetch.js';

export interface LayersFetchConfig {
  /** The function's layers in its order: later ones overwrite earlier files, as Lambda extracts them. */
  layers: PackageRef[];
  /** The node's package cache (shared with the function's own package). */
  cacheDir: string;
  /** The opt volume: the function container mounts it read-only at /opt. */
  targetDir: string;
}

/** Fills `targetDir` with the merged layers; throws with a clear message when one cannot be fetched or does not match. */
export async function prepareLayers(cfg: LayersFetchConfig, now: () => number = () => performance.now()): Promise<FetchOutcome> {
  const start = now();
  const dirs: string[] = [];
  let cached = true;
  for (const layer of cfg.layers) {
    const got = await cachedPackage(layer, cfg.cacheDir);
    dirs.push(got.dir);
    cached &&= got.cached;
  }
  await emptyFolder(cfg.targetDir);
  await copyMergedLayers(dirs, cfg.targetDir);
  return { cached, ms: now() - start };
}
