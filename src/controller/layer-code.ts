// A function's layers on a cluster: each `spec.layers` item found as a version of a Layer object of the function's own
// namespace, and that version's zip as a package of the code store (what the pod's agent fetches and merges into /opt).
import { InvalidParameterError, ResourceNotFoundError } from '../api/errors.js';
import type { LayerSpec, LayerVersionSpec } from '../api/layer.js';
import type { StoredPackage } from '../code/code-store.js';
import type { ArnContext } from '../core/arn.js';
import { parseLayerVersionRef, sameLayerTwice, type LayerVersionRef } from '../core/layer-arn.js';
import type { KubeClient } from '../kube/client.js';
import { checkStored, klambdaPath, type Stored } from './kinds.js';
import type { S3CodeResolver } from './s3-code.js';

/** A layer version a function uses, with its zip in the code store. */
export interface ClusterLayer {
  /** As the function's spec writes it (`name:version` or an ARN). */
  label: string;
  name: string;
  version: number;
  stored: StoredPackage;
}

/** Ready's reason when a function's layers cannot be used: one that is not there, or one that is not usable. */
export const layerProblemReason = (e: { statusCode: number }): 'LayerNotFound' | 'InvalidLayer' => (e.statusCode === 404 ? 'LayerNotFound' : 'InvalidLayer');

/**
 * The stored packages of the layer versions `refs` names, in order (none without layers). Throws a KlambdaError: 404
 * for a layer version the namespace does not have, 400 for one that cannot be used here.
 */
export async function resolveClusterLayers(client: KubeClient, s3: S3CodeResolver, namespace: string, arn: ArnContext, refs: readonly string[] | undefined): Promise<ClusterLayer[]> {
  if (!refs || refs.length === 0) return [];
  const parsed = refs.map((label) => {
    const ref = parseLayerVersionRef(label);
    if (!ref) throw new InvalidParameterError(`spec.layers: ${label} is not a layer version (name:version or a layer version ARN)`);
    checkOwnAccount(ref, label, arn);
    return ref;
  });
  // one account: an ARN and a short ref of one layer are the same layer
  const twice = sameLayerTwice(refs, parsed.map((r) => ({ name: r.name, version: r.version })));
  if (twice) throw new InvalidParameterError(twice);
  const out: ClusterLayer[] = [];
  for (const [i, ref] of parsed.entries()) {
    const label = refs[i]!;
    const v = await findLayerVersion(client, namespace, ref, label);
    out.push({ label, name: ref.name, version: ref.version, stored: await layerPackage(s3, namespace, ref.name, v) });
  }
  return out;
}

/** A layer version's zip in the code store: `code.s3` resolved as a function's is; it must still be what was published. */
export async function layerPackage(s3: S3CodeResolver, namespace: string, name: string, v: LayerVersionSpec): Promise<StoredPackage> {
  if (!v.code.s3) {
    throw new InvalidParameterError(`Layer ${name} version ${v.version}: code.path is a folder or zip of the local mode (klambda dev); on a cluster a layer version's code is code.s3 (publish it with the Lambda API)`);
  }
  const stored = await s3.resolve(namespace, v.code.s3);
  if (v.codeSha256 !== undefined && v.codeSha256 !== stored.sha256) {
    throw new InvalidParameterError(`Layer ${name} version ${v.version} is not the zip it was published with: CodeSha256 ${stored.sha256}, expected ${v.codeSha256} (a version is immutable: publish a new one)`);
  }
  return stored;
}

async function findLayerVersion(client: KubeClient, namespace: string, ref: LayerVersionRef, label: string): Promise<LayerVersionSpec> {
  const missing = () => new ResourceNotFoundError(`Layer version ${label} not found: no Layer ${ref.name} with version ${ref.version} in namespace ${namespace}`);
  const layer = await client.find<Stored<unknown>>(klambdaPath(namespace, 'layers', ref.name));
  if (!layer || layer.metadata.deletionTimestamp) throw missing();
  const checked = checkStored<LayerSpec>(layer);
  if (!checked.ok) throw new InvalidParameterError(`Layer ${ref.name} is not valid: ${checked.message}`);
  const v = checked.spec.versions.find((x) => x.version === ref.version);
  if (!v) throw missing();
  return v;
}

/** A function uses its own namespace's layers: an ARN must name that account and region. */
function checkOwnAccount(ref: LayerVersionRef, label: string, arn: ArnContext): void {
  if ((ref.accountId !== undefined && ref.accountId !== arn.accountId) || (ref.region !== undefined && ref.region !== arn.region)) {
    throw new InvalidParameterError(`spec.layers: ${label} is not a layer of this namespace (account ${arn.accountId}, region ${arn.region}); a function uses its own namespace's layers`);
  }
}
