// Function → its $LATEST workload (code ConfigMap, Deployment, NetworkPolicy), its route, publishing, and status.
import { codeSha256, codeSize, type ResolvedCode } from '../../api/code.js';
import { API_VERSION } from '../../api/common.js';
import type { FunctionSpec } from '../../api/function.js';
import { KlambdaError } from '../../core/errors.js';
import { runtimeAvailability } from '../../core/runtime-availability.js';
import type { UrlConfig } from '../../core/function-url.js';
import type { FunctionRoute } from '../../core/routes.js';
import { controllerRef, splitKey } from '../../kube/objects.js';
import { NotOwnedError, RejectedError } from '../apply.js';
import { resolveClusterCode } from '../cluster-code.js';
import { layerProblemReason, resolveClusterLayers, type ClusterLayer } from '../layer-code.js';
import { packageKeysOf } from '../agent-credentials.js';
import type { ControllerContext } from '../context.js';
import { klambdaPath } from '../kinds.js';
import { openForReconcile, writeStatus } from '../object-status.js';
import { publishFunctionVersion } from '../publish.js';
import type { ReconcileResult } from '../reconcile-queue.js';
import { ensureWorkload } from '../workload.js';
import { secretEnvironmentRefusal } from '../secret-environment.js';
import { deploymentName } from '../resources/names.js';

interface DeploymentState { metadata: { generation?: number }; spec?: { replicas?: number }; status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number } }

/**
 * Whether $LATEST's pods all run its current template (what LastUpdateStatus Successful waits for): the Deployment
 * has seen its last change and no pod of an older template is left.
 */
export function rolledOut(d: DeploymentState | undefined): boolean {
  if (!d) return false;
  const st = d.status ?? {};
  if ((st.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return false;
  return (st.replicas ?? 0) === (st.updatedReplicas ?? 0);
}

/** A function whose code is missing is looked at again this often (besides the ConfigMap informer's news). */
const CODE_RETRY_MS = 30_000;

export const invokeUrl = (routerUrl: string, name: string): string => `${routerUrl.replace(/\/$/, '')}/2015-03-31/functions/${name}/invocations`;

export async function reconcileFunction(ctx: ControllerContext, key: string): Promise<ReconcileResult | void> {
  const { namespace, name } = splitKey(key);
  const path = klambdaPath(namespace, 'functions', name);
  const opened = await openForReconcile<FunctionSpec>(ctx, path, () => cleanupFunction(ctx, namespace, name));
  if (!opened) return;
  const { obj: fn, spec } = opened;
  // code that is an image brings its runtime; other code runs on the cluster's image of its runtime
  const runtime = spec.code.image === undefined ? runtimeAvailability(spec.runtime, () => true, ctx.workload.runtimes) : undefined;
  if (runtime && !runtime.available) {
    await writeStatus(ctx, path, fn, { type: 'Ready', status: 'False', reason: 'InvalidRuntime', message: `${spec.runtime} cannot run here: ${runtime.reason}` });
    return;
  }
  // never a klambda Secret in a pod's environment: no Deployment (nor rollout of one) with it, nothing published
  const secrets = secretEnvironmentRefusal(spec.secretEnvironment, namespace, ctx.ownNamespace, () => ({ functions: ctx.functions.list(), versions: ctx.versions.list() }));
  if (secrets) {
    await writeStatus(ctx, path, fn, { type: 'Ready', status: 'False', reason: 'InvalidSecretEnvironment', message: secrets });
    return;
  }
  let code: ResolvedCode;
  try {
    code = await resolveClusterCode(ctx.client, namespace, spec.code, ctx.s3);
  } catch (e) {
    if (!(e instanceof KlambdaError)) throw e;
    await writeStatus(ctx, path, fn, { type: 'Ready', status: 'False', reason: e.statusCode === 404 ? 'CodeNotFound' : 'InvalidCode', message: e.message });
    return { requeueAfterMs: CODE_RETRY_MS };
  }
  let layers: ClusterLayer[];
  try {
    layers = await resolveClusterLayers(ctx.client, ctx.s3, namespace, ctx.arnFor(namespace), spec.layers);
  } catch (e) {
    if (!(e instanceof KlambdaError)) throw e;
    await writeStatus(ctx, path, fn, { type: 'Ready', status: 'False', reason: layerProblemReason(e), message: e.message });
    return { requeueAfterMs: CODE_RETRY_MS };
  }
  const owner = controllerRef({ ...fn, apiVersion: API_VERSION, kind: 'Function' });
  try {
    const packageKeys = packageKeysOf(code.kind === 'stored' ? code.stored.key : undefined, layers.map((l) => l.stored.key));
    await ctx.credentials.ensure({ namespace, functionName: name, version: '$LATEST', owner, packageKeys });
    await ensureWorkload(ctx.client, { ...ctx.workload, accountId: ctx.arnFor(namespace).accountId }, {
      namespace, functionName: name, version: '$LATEST', config: spec, code, layers: layers.map((l) => l.stored), owner,
    });
  } catch (e) {
    if (!(e instanceof NotOwnedError) && !(e instanceof RejectedError)) throw e;
    await writeStatus(ctx, path, fn, { type: 'Ready', status: 'False', reason: e instanceof NotOwnedError ? 'NotOwned' : 'Rejected', message: e.message });
    return;
  }
  const route: FunctionRoute = { latest: { timeoutSeconds: spec.timeoutSeconds, async: spec.async } };
  if (spec.reservedConcurrency !== undefined) route.reservedConcurrency = spec.reservedConcurrency;
  const url = (spec as { url?: UrlConfig }).url;
  if (url) route.url = url;
  await ctx.table.setFunction(namespace, name, route);
  if (spec.publish) {
    const published = await publishFunctionVersion(ctx.client, fn, spec, { code });
    if (published.created) {
      await ctx.events.record(fn, 'Normal', 'Published', `Published version ${published.version.spec.version} (CodeSha256 ${published.version.spec.codeSha256})`);
    }
  }
  const numbers = ctx.versions.list().filter((v) => v.metadata.namespace === namespace && v.spec.functionName === name).map((v) => Number(v.spec.version));
  const deployment = await ctx.client.find<DeploymentState>(`/apis/apps/v1/namespaces/${namespace}/deployments/${deploymentName(name, '$LATEST')}`);
  const fields: Record<string, unknown> = {
    url: invokeUrl(ctx.routerUrl, name), codeSha256: codeSha256(code), codeSize: codeSize(code),
    rollout: rolledOut(deployment) ? 'Complete' : 'Progressing',
  };
  if (numbers.length > 0) fields.latestVersion = String(Math.max(...numbers));
  await writeStatus(ctx, path, fn, { type: 'Ready', status: 'True', reason: 'Deployed', message: `$LATEST is deployed; invoke ${name} through the router` }, fields);
}

/** A deleted function: its routes and queued work go (its Kubernetes objects are garbage collected by owner). */
async function cleanupFunction(ctx: ControllerContext, namespace: string, name: string): Promise<void> {
  const entry = await ctx.table.read(namespace, name);
  const versions = new Set(['$LATEST', ...Object.keys(entry?.versions ?? {})]);
  for (const v of ctx.versions.list()) if (v.metadata.namespace === namespace && v.spec.functionName === name) versions.add(v.spec.version);
  await ctx.table.removeFunction(namespace, name);
  for (const version of versions) {
    await ctx.queues.purge({ namespace, functionName: name, version });
    await ctx.credentials.remove({ namespace, functionName: name, version });
  }
  ctx.logger.info({ msg: 'function removed', function: `${namespace}/${name}` });
}
