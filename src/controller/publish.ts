// Publishing on a cluster: the next numbered FunctionVersion, created through the API server (its create is the lock).
import { API_VERSION } from '../api/common.js';
import { codeSha256, codeSize, versionConfig, type ResolvedCode } from '../api/code.js';
import { InvalidParameterError } from '../api/errors.js';
import type { FunctionSpec } from '../api/function.js';
import { functionVersionObjectName, type FunctionVersionSpec } from '../api/function-version.js';
import { latestOf, planPublish } from '../api/publish.js';
import { isConflict, type KubeClient } from '../kube/client.js';
import { controllerRef } from '../kube/objects.js';
import { klambdaPath, type Stored } from './kinds.js';
import { resolveClusterCode } from './cluster-code.js';
import type { S3CodeResolver } from './s3-code.js';
import { LABEL_FUNCTION, LABEL_MANAGED_BY } from './resources/names.js';

interface List<T> { items: T[] }

/** The published versions of a function (FunctionVersion objects whose spec names it). */
export async function listVersions(client: KubeClient, namespace: string, functionName: string): Promise<Array<Stored<FunctionVersionSpec>>> {
  const list = await client.get<List<Stored<FunctionVersionSpec>>>(klambdaPath(namespace, 'functionversions'));
  return list.items.filter((v) => v.spec.functionName === functionName).sort((a, b) => Number(a.spec.version) - Number(b.spec.version));
}

export interface PublishOptions {
  description?: string;
  codeSha256?: string;
  /** The function's code when the caller has already read it (else it is read here). */
  code?: ResolvedCode;
  /** Resolves `code.s3` (the caller's code store). */
  s3?: S3CodeResolver;
}

export interface PublishResult { version: Stored<FunctionVersionSpec>; created: boolean }

/** Publishes `fn` (its spec already checked, defaults filled): a new version only when code or config changed. */
export async function publishFunctionVersion(client: KubeClient, fn: Stored<unknown>, spec: FunctionSpec, opts: PublishOptions = {}): Promise<PublishResult> {
  const ns = fn.metadata.namespace;
  const name = fn.metadata.name;
  const code = opts.code ?? await resolveClusterCode(client, ns, spec.code, opts.s3);
  const sha = codeSha256(code);
  if (opts.codeSha256 !== undefined && opts.codeSha256 !== sha) {
    throw new InvalidParameterError(`CodeSHA256 (${opts.codeSha256}) is different from current CodeSHA256 in $LATEST (${sha}). Please try again with the CodeSHA256 in $LATEST.`);
  }
  const config = versionConfig(spec, code);
  for (let attempt = 0; ; attempt++) {
    const versions = await listVersions(client, ns, name);
    const latest = latestOf(versions.map((v) => ({ ...v.spec, object: v })));
    const plan = planPublish(latest, sha, config);
    if (!plan.create && latest) return { version: latest.object, created: false };
    const body = {
      apiVersion: API_VERSION, kind: 'FunctionVersion',
      metadata: {
        name: functionVersionObjectName(name, plan.version), namespace: ns,
        labels: { [LABEL_FUNCTION]: name, [LABEL_MANAGED_BY]: 'klambda' },
        ownerReferences: [{ ...controllerRef({ ...fn, apiVersion: API_VERSION, kind: 'Function' }), controller: false, blockOwnerDeletion: false }],
      },
      spec: { functionName: name, version: plan.version, codeSha256: sha, codeSize: codeSize(code), ...(opts.description ? { description: opts.description } : {}), function: config },
    };
    try {
      return { version: await client.create<Stored<FunctionVersionSpec>>(klambdaPath(ns, 'functionversions'), body), created: true };
    } catch (e) {
      // another publisher took this number first: look again
      if (!isConflict(e) || attempt >= 4) throw e;
    }
  }
}
