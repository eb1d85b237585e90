// Writing what a reconcile found back to the object: finalizer in or out, status (only when it changed), Events on transitions.
import { sameJson } from '../api/code.js';
import type { KubeClient } from '../kube/client.js';
import { nextStatus, readyCondition, type ConditionInput } from './conditions.js';
import type { ControllerContext } from './context.js';
import { checkStored, type Stored } from './kinds.js';

export const FINALIZER = 'klambda.dev/cleanup';

const hasFinalizer = (obj: Stored<unknown>): boolean => obj.metadata.finalizers?.includes(FINALIZER) ?? false;

/** Adds our finalizer (optimistic: fails with a conflict if the object changed meanwhile, and is retried). */
async function ensureFinalizer<S>(client: KubeClient, path: string, obj: Stored<S>): Promise<Stored<S>> {
  if (hasFinalizer(obj)) return obj;
  return client.patch<Stored<S>>(path, { metadata: { finalizers: [...(obj.metadata.finalizers ?? []), FINALIZER], resourceVersion: obj.metadata.resourceVersion } });
}

async function removeFinalizer(client: KubeClient, path: string, obj: Stored<unknown>): Promise<void> {
  if (!hasFinalizer(obj)) return;
  await client.patch(path, { metadata: { finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== FINALIZER), resourceVersion: obj.metadata.resourceVersion } });
}

/** Writes Ready + fields + observedGeneration when they differ from what is stored; records an Event when Ready changes. */
export async function writeStatus(ctx: ControllerContext, path: string, obj: Stored<unknown>, ready: ConditionInput, fields: Record<string, unknown> = {}): Promise<void> {
  const status = nextStatus(obj.status, obj.metadata.generation, ready, fields, new Date(ctx.now()).toISOString());
  if (sameJson(status, obj.status)) return;
  await ctx.client.patch(`${path}/status`, { status });
  const before = readyCondition(obj.status);
  if (before?.status !== ready.status || before?.reason !== ready.reason) {
    await ctx.events.record(obj, ready.status === 'True' ? 'Normal' : 'Warning', ready.reason, ready.message);
  }
}

/** What a reconcile works on: the object (with our finalizer) and its checked spec. */
export interface Opened<S, Raw> { obj: Stored<Raw>; spec: S }

/**
 * The common start of a reconcile of a kind with Redis state: re-read the object; if it is being deleted, run
 * `cleanup` and let it go; else make sure it carries our finalizer and check its spec (an invalid one gets
 * Ready False InvalidSpec). Undefined when there is nothing more to do.
 */
export async function openForReconcile<S, Raw = unknown>(ctx: ControllerContext, path: string, cleanup: (obj: Stored<Raw>) => Promise<void>): Promise<Opened<S, Raw> | undefined> {
  const found = await ctx.client.find<Stored<Raw>>(path);
  if (!found) return undefined;
  if (found.metadata.deletionTimestamp) {
    if (hasFinalizer(found)) {
      await cleanup(found);
      await removeFinalizer(ctx.client, path, found);
    }
    return undefined;
  }
  const obj = await ensureFinalizer(ctx.client, path, found);
  const checked = checkStored<S>(obj);
  if (!checked.ok) {
    await writeStatus(ctx, path, obj, { type: 'Ready', status: 'False', reason: 'InvalidSpec', message: checked.message });
    return undefined;
  }
  return { obj, spec: checked.spec };
}
