// Converges one owned object: create if missing, refuse if someone else's, update when the desired content changed.
import { createHash } from 'node:crypto';
import { KubeApiError, type KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/objects.js';

export const DESIRED_HASH = 'klambda.dev/desired-hash';
/** Hash of the object's content as the API server stored it (normalized), to notice edits by hand. */
export const CONTENT_HASH = 'klambda.dev/content-hash';

/** The object exists but another owner controls it: reported in status, not retried. */
export class NotOwnedError extends Error {
  constructor(message: string) { super(message); this.name = 'NotOwnedError'; }
}

/** The API server refuses the object we built (e.g. code over a ConfigMap's 1 MiB): reported in status, not retried. */
export class RejectedError extends Error {
  constructor(message: string) { super(message); this.name = 'RejectedError'; }
}

/** A refusal that trying again cannot change (400 Bad Request, 413 Too Large, 422 Invalid). */
function rejection(what: string, e: unknown): unknown {
  if (e instanceof KubeApiError && [400, 413, 422].includes(e.status)) return new RejectedError(`${what}: ${e.message}`);
  return e;
}

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

/** JSON with object keys sorted, so that key order never changes a hash (pure). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function desiredHash(obj: unknown): string {
  return createHash('sha256').update(canonicalJson(obj)).digest('hex').slice(0, 16);
}

/** Everything but metadata and status; a Deployment's replicas are the scaler's and left out (pure). */
export function contentHash(obj: KubeObject): string {
  const { metadata: _m, status: _s, ...content } = obj as KubeObject & { status?: unknown; spec?: Record<string, unknown> };
  const spec = (content as { spec?: Record<string, unknown> }).spec;
  if (spec && 'replicas' in spec) {
    const { replicas: _r, ...rest } = spec;
    return desiredHash({ ...content, spec: rest });
  }
  return desiredHash(content);
}

function withHash<T extends KubeObject>(desired: T, hash: string): T {
  return { ...desired, metadata: { ...desired.metadata, annotations: { ...(desired.metadata.annotations ?? {}), [DESIRED_HASH]: hash } } };
}

export interface EnsureOptions<T> {
  /** Fields owned by someone else (e.g. a Deployment's replicas, owned by the scaler) copied from the observed object. */
  keep?(observed: T, desired: T): T;
}

/** `collection` is the object's collection path; the object's own path is collection/name. */
export function ensureOwned<T extends KubeObject>(client: KubeClient, collection: string, desired: T, ownerUid: string, opts: EnsureOptions<T> = {}): Promise<ApplyOutcome> {
  return ensureObject(client, collection, desired, (o) => o.metadata.ownerReferences?.some((r) => r.uid === ownerUid && r.controller) === true, 'is not owned by this object', opts);
}

/** ensureOwned for an object whose owner cannot be an ownerReference (another namespace): `ours` tells it by its labels. */
export async function ensureObject<T extends KubeObject>(client: KubeClient, collection: string, desired: T, ours: (observed: T) => boolean, notOurs: string, opts: EnsureOptions<T> = {}): Promise<ApplyOutcome> {
  const hash = desiredHash(desired);
  const path = `${collection}/${desired.metadata.name}`;
  const observed = await client.find<T>(path);
  if (!observed) {
    try {
      await recordContent(client, path, await client.create<T>(collection, withHash(desired, hash)));
      return 'created';
    } catch (e) {
      // created meanwhile by an earlier reconcile whose answer we lost: converge on the next pass
      if (e instanceof KubeApiError && e.status === 409) throw new Error(`${path} appeared while being created; retrying`);
      throw rejection(`${desired.kind ?? 'object'} ${desired.metadata.name}`, e);
    }
  }
  if (!ours(observed)) {
    throw new NotOwnedError(`${desired.kind ?? 'object'} ${desired.metadata.name} exists and ${notOurs}`);
  }
  const annotations = observed.metadata.annotations ?? {};
  if (annotations[DESIRED_HASH] === hash && annotations[CONTENT_HASH] === contentHash(observed)) return 'unchanged';
  const next = withHash(opts.keep ? opts.keep(observed, desired) : desired, hash);
  let stored: T;
  try {
    stored = await client.replace<T>(path, { ...next, metadata: { ...next.metadata, resourceVersion: observed.metadata.resourceVersion } });
  } catch (e) {
    throw rejection(`${desired.kind ?? 'object'} ${desired.metadata.name}`, e);
  }
  await recordContent(client, path, stored);
  return 'updated';
}

/** After a write, remembers the content as stored, so a later change by someone else shows. */
async function recordContent(client: KubeClient, path: string, stored: KubeObject): Promise<void> {
  await client.patch(path, { metadata: { annotations: { [CONTENT_HASH]: contentHash(stored) } } });
}

/** Deletes an owned object if it exists and is ours; answers whether it deleted one. */
export async function deleteOwned(client: KubeClient, path: string, ownerUid: string): Promise<boolean> {
  const observed = await client.find<KubeObject>(path);
  if (!observed || !observed.metadata.ownerReferences?.some((r) => r.uid === ownerUid)) return false;
  await client.delete(path).catch((e: unknown) => { if (!(e instanceof KubeApiError && e.status === 404)) throw e; });
  return true;
}
