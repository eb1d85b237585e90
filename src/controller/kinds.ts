// Our kinds as the API server stores them (metadata + spec + status), their REST paths, and the spec check.
import { API_VERSION } from '../api/common.js';
import { checkObject } from '../api/parse.js';
import type { ObjectMetaLike } from '../kube/objects.js';

export const KLAMBDA_API = `/apis/${API_VERSION}`;

export type Plural = 'functions' | 'functionversions' | 'aliases' | 'topics' | 'eventrules' | 'eventsourcemappings' | 'layers' | 'bucketnotifications';

/** Collection path in a namespace, or one object's path when `name` is given. */
export function klambdaPath(namespace: string, plural: Plural, name?: string): string {
  return `${KLAMBDA_API}/namespaces/${namespace}/${plural}${name === undefined ? '' : `/${name}`}`;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface StoredStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  [field: string]: unknown;
}

/** A stored object of one of our kinds: the API server's metadata, the spec as written, and our status. */
export interface Stored<S> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetaLike & { namespace: string };
  spec: S;
  status?: StoredStatus;
}

export type SpecCheck<S> = { ok: true; spec: S } | { ok: false; message: string };

/**
 * Our own validation of a stored object (the same rules as the local manifests, incl. those a CRD cannot say),
 * with our defaults filled in. The API server's metadata extras are not checked.
 */
export function checkStored<S>(obj: Stored<unknown>): SpecCheck<S> {
  const result = checkObject({
    apiVersion: obj.apiVersion, kind: obj.kind,
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace }, spec: obj.spec,
  });
  if (result.ok) return { ok: true, spec: (result.object as unknown as { spec: S }).spec };
  return { ok: false, message: result.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ') };
}
