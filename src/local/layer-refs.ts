// The local mode's layers as functions use them: a `spec.layers` item found among the folder's Layer manifests, and
// what the folder must satisfy (each version there, no layer twice, code and layers within Lambda's unzipped limit).
import type { CodePackage, ResolvedCode } from '../api/code.js';
import type { ManifestIssue } from '../api/errors.js';
import type { FunctionConfig } from '../api/function.js';
import type { LayerVersionSpec } from '../api/layer.js';
import { MAX_UNZIPPED_BYTES } from '../code/package-limits.js';
import { combinedSizeProblem, parseLayerVersionRef, sameLayerTwice, type LayerVersionRef } from '../core/layer-arn.js';
import type { ManifestSnapshot } from './manifest-snapshot.js';
import type { PackageDigests } from './package-digests.js';

/** A layer version a function uses, found in the folder. */
export interface UsedLayer {
  /** As the function's spec writes it. */
  label: string;
  ref: LayerVersionRef;
  version: LayerVersionSpec;
  pkg: CodePackage;
}

/**
 * The layer versions `refs` name, in order; a ref the folder does not hold (or not as a package) is a problem, by index.
 * The local mode is one account and region: an ARN is found by its layer name and version alone.
 */
export function findLayers(snap: ManifestSnapshot, ns: string, refs: readonly string[]): { used: UsedLayer[]; missing: { index: number; label: string }[] } {
  const used: UsedLayer[] = [];
  const missing: { index: number; label: string }[] = [];
  refs.forEach((label, index) => {
    const ref = parseLayerVersionRef(label);
    const version = ref && snap.layerVersion(ns, ref.name, ref.version);
    const pkg = version && snap.layerPackage(version);
    if (ref && version && pkg) used.push({ label, ref, version, pkg });
    else missing.push({ index, label });
  });
  return { used, missing };
}

/** Bytes a function's own code unpacks to; undefined for code the local mode does not unpack (an image). */
export async function codeUnzippedBytes(code: ResolvedCode, digests: PackageDigests): Promise<number | undefined> {
  if (code.kind === 'package') return digests.unzippedSize(code.package);
  if (code.kind === 'files') return Object.values(code.files).reduce((n, text) => n + Buffer.byteLength(text), 0);
  return undefined;
}

/** Lambda's message when code of `codeBytes` and the layers `used` unpack to more than its limit, or undefined. */
export async function layersSizeProblem(codeBytes: number, used: readonly UsedLayer[], digests: PackageDigests): Promise<string | undefined> {
  const layerBytes: number[] = [];
  for (const u of used) layerBytes.push(await digests.unzippedSize(u.pkg));
  return combinedSizeProblem(codeBytes, layerBytes, MAX_UNZIPPED_BYTES);
}

/** Every Function's and FunctionVersion's `spec.layers` checked against the folder: present, no layer twice, within the size limit. */
export async function layerUseIssues(snap: ManifestSnapshot, digests: PackageDigests): Promise<ManifestIssue[]> {
  const issues: ManifestIssue[] = [];
  for (const { object: o, source, document } of snap.entries()) {
    const [config, at]: [FunctionConfig | undefined, string] = o.kind === 'Function' ? [o.spec, 'spec.layers']
      : o.kind === 'FunctionVersion' ? [o.spec.function, 'spec.function.layers'] : [undefined, ''];
    const refs = config?.layers;
    if (!config || !refs || refs.length === 0) continue;
    const ns = o.metadata.namespace;
    const issue = (path: string, message: string) => issues.push({ source, document, path, message });
    // one account here: an ARN and a short ref of one layer are the same layer
    const twice = sameLayerTwice(refs, refs.map((r) => ({ name: parseLayerVersionRef(r)?.name ?? r, version: 0 })));
    if (twice) issue(at, twice);
    const { used, missing } = findLayers(snap, ns, refs);
    for (const m of missing) {
      const ref = parseLayerVersionRef(m.label);
      const where = ref ? `no Layer ${JSON.stringify(ref.name)} with version ${ref.version} in namespace ${ns}` : 'not a layer version';
      issue(`${at}[${m.index}]`, `layer version ${m.label} does not exist: ${where}; add its Layer manifest to the folder`);
    }
    if (missing.length > 0 || twice) continue;
    let code: ResolvedCode;
    try {
      code = snap.resolveCode(ns, config.code);
    } catch {
      continue; // the code's own problem is reported where it is read
    }
    const bytes = await codeUnzippedBytes(code, digests).catch(() => undefined);
    if (bytes === undefined) continue;
    const tooBig = await layersSizeProblem(bytes, used, digests).catch((err: Error) => err.message);
    if (tooBig) issue(at, tooBig);
  }
  return issues;
}
