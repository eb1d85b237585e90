// Converges one owned object: create if missing, refuse if someone else's, update when the desired content changed.
import { createHash } from 'node:crypto';
import { KubeApiError, type KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/objects.js';

export const DESIRED_HASH = 'klambda.dev/desired-hash';

/** The object exists but another owner controls it: reported in status, not retried. */
export class NotOwnedError extends Error {
  constructor(message: string) { super(message); this.name = 'NotOwnedError'; }
}

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export function desiredHash(obj: unknown): string {
  return createHash('sha256').update(JSON.stringify(obj)).digest('hex').slice(0, 16);
}

function withHash<T extends KubeObject>(desired: T, hash: string): T {
  return { ...desired, metadata: { ...desired.metadata, annotations: { ...(desired.metadata.annotations ?? {}), [DESIRED_HASH]: hash } } };
}

export interface EnsureOptions<T> {
  /** Fields owned by someone else (e.g. a Deployment's replicas, owned by the scaler) copied from the observed object. */
  keep?(observed: T, desired: T): T;
}

/** `collection` is the object's collection path; the object's own path is collection/name. */
export async function ensureOwned<T extends KubeObject>(client: KubeClient, collection: string, desired: T, ownerUid: string, opts: EnsureOptions<T> = {}): Promise<ApplyOutcome> {
  const hash = desiredHash(desired);
  const path = `${collection}/${desired.metadata.name}`;
  const observed = await client.find<T>(path);
  if (!observed) {
    try {
      await client.create(collection, withHash(desired, hash));
      return 'created';
    } catch (e) {
      // created meanwhile by an earlier reconcile whose answer we lost: converge on the next pass
      if (e instanceof KubeApiError && e.status === 409) throw new Error(`${path} appeared while being created; retrying`);
      throw e;
    }
  }
  if (!observed.metadata.ownerReferences?.some((r) => r.uid === ownerUid && r.controller)) {
    throw new NotOwnedError(`${desired.kind ?? 'object'} ${desired.metadata.name} exists and is not owned by this object`);
  }
  if (observed.metadata.annotations?.[DESIRED_HASH] === hash) return 'unchanged';
  const next = opts.keep ? opts.keep(observed, desired) : desired;
  await client.replace(path, { ...withHash(next, hash), metadata: { ...withHash(next, hash).metadata, resourceVersion: observed.metadata.resourceVersion } });
  return 'updated';
}

/** Deletes an owned object if it exists and is ours; answers whether it deleted one. */
export async function deleteOwned(client: KubeClient, path: string, ownerUid: string): Promise<boolean> {
  const observed = await client.find<KubeObject>(path);
  if (!observed || !observed.metadata.ownerReferences?.some((r) => r.uid === ownerUid)) return false;
  await client.delete(path).catch((e: unknown) => { if (!(e instanceof KubeApiError && e.status === 404)) throw e; });
  return true;
}
