// FunctionVersion → the version's workload (its own code ConfigMap, Deployment, NetworkPolicy), its route, and status.
import type { ResolvedCode } from '../../api/code.js';
import { API_VERSION } from '../../api/common.js';
import type { FunctionVersionSpec } from '../../api/function-version.js';
import { KlambdaError } from '../../core/errors.js';
import { runtimeAvailability } from '../../core/runtime-availability.js';
import { controllerRef, splitKey } from '../../kube/objects.js';
import { NotOwnedError, RejectedError } from '../apply.js';
import { resolveClusterCode } from '../cluster-code.js';
import { layerProblemReason, resolveClusterLayers, type ClusterLayer } from '../layer-code.js';
import { packageKeysOf } from '../agent-credentials.js';
import type { ControllerContext } from '../context.js';
import { klambdaPath } from '../kinds.js';
import { openForReconcile, writeStatus } from '../object-status.js';
import type { ReconcileResult } from '../reconcile-queue.js';
import { ensureWorkload } from '../workload.js';
import { secretEnvironmentRefusal } from '../secret-environment.js';

/** A version whose function is not routed yet is looked at again this often. */
const FUNCTION_RETRY_MS = 1000;

export async function reconcileFunctionVersion(ctx: ControllerContext, key: string): Promise<ReconcileResult | void> {
  const { namespace, name } = splitKey(key);
  const path = klambdaPath(namespace, 'functionversions', name);
  const opened = await openForReconcile<FunctionVersionSpec, FunctionVersionSpec>(ctx, path, async (found) => {
    const { functionName, version } = found.spec;
    await ctx.table.removeVersion(namespace, functionName, version);
    await ctx.queues.purge({ namespace, functionName, version });
    await ctx.credentials.remove({ namespace, functionName, version });
  });
  if (!opened) return;
  const { obj: fv, spec } = opened;
  const runtime = spec.function.code.image === undefined ? runtimeAvailability(spec.function.runtime, () => true, ctx.workload.runtimes) : undefined;
  if (runtime && !runtime.available) {
    await writeStatus(ctx, path, fv, { type: 'Ready', status: 'False', reason: 'InvalidRuntime', message: `${spec.function.runtime} cannot run here: ${runtime.reason}` });
    return;
  }
  const secrets = secretEnvironmentRefusal(spec.function.secretEnvironment, namespace, ctx.ownNamespace, () => ({ functions: ctx.functions.list(), versions: ctx.versions.list() }));
  if (secrets) {
    await writeStatus(ctx, path, fv, { type: 'Ready', status: 'False', reason: 'InvalidSecretEnvironment', message: secrets });
    return;
  }
  let code: ResolvedCode;
  try {
    code = await resolveClusterCode(ctx.client, namespace, spec.function.code, ctx.s3);
  } catch (e) {
    if (!(e instanceof KlambdaError)) throw e;
    await writeStatus(ctx, path, fv, { type: 'Ready', status: 'False', reason: 'CodeNotFound', message: e.message });
    return { requeueAfterMs: 10_000 };
  }
  let layers: ClusterLayer[];
  try {
    // the layer versions it was published with: immutable, and not deletable while it uses them
    layers = await resolveClusterLayers(ctx.client, ctx.s3, namespace, ctx.arnFor(namespace), spec.function.layers);
  } catch (e) {
    if (!(e instanceof KlambdaError)) throw e;
    await writeStatus(ctx, path, fv, { type: 'Ready', status: 'False', reason: layerProblemReason(e), message: e.message });
    return { requeueAfterMs: 10_000 };
  }
  const owner = controllerRef({ ...fv, apiVersion: API_VERSION, kind: 'FunctionVersion' });
  try {
    const packageKeys = packageKeysOf(code.kind === 'stored' ? code.stored.key : undefined, layers.map((l) => l.stored.key));
    await ctx.credentials.ensure({ namespace, functionName: spec.functionName, version: spec.version, owner, packageKeys });
    await ensureWorkload(ctx.client, { ...ctx.workload, accountId: ctx.arnFor(namespace).accountId }, {
      namespace, functionName: spec.functionName, version: spec.version, config: spec.function, code, layers: layers.map((l) => l.stored), owner,
    });
  } catch (e) {
    if (!(e instanceof NotOwnedError) && !(e instanceof RejectedError)) throw e;
    await writeStatus(ctx, path, fv, { type: 'Ready', status: 'False', reason: e instanceof NotOwnedError ? 'NotOwned' : 'Rejected', message: e.message });
    return;
  }
  const routed = await ctx.table.setVersion(namespace, spec.functionName, spec.version, {
    timeoutSeconds: spec.function.timeoutSeconds, async: spec.function.async,
  });
  if (routed === 'no-function') {
    // the Function is not routed (yet: its own reconcile writes it; or no more: it was deleted, and this version goes
    // with it by garbage collection) — never route a version of a function that is not there
    const fn = ctx.functions.get(`${namespace}/${spec.functionName}`);
    if (!fn || fn.metadata.deletionTimestamp) return;
    await writeStatus(ctx, path, fv, { type: 'Ready', status: 'False', reason: 'FunctionNotRouted', message: `Function ${spec.functionName} is not routed yet` });
    return { requeueAfterMs: FUNCTION_RETRY_MS };
  }
  await writeStatus(ctx, path, fv, { type: 'Ready', status: 'True', reason: 'Deployed', message: `version ${spec.version} of ${spec.functionName} is deployed` });
}
