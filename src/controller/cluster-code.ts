// A function's code on a cluster: inline files, the files of a ConfigMap read from the API server, a zip package in
// the code store (code.s3), or an image.
import type { ConfigMap } from '../api/config-map.js';
import { resolveCode, type ResolvedCode } from '../api/code.js';
import type { FunctionCode } from '../api/function.js';
import type { KubeClient } from '../kube/client.js';
import type { S3CodeResolver } from './s3-code.js';

export async function resolveClusterCode(client: KubeClient, namespace: string, code: FunctionCode, s3?: S3CodeResolver): Promise<ResolvedCode> {
  if (code.s3 && s3) return { kind: 'stored', stored: await s3.resolve(namespace, code.s3) };
  let cm: ConfigMap | undefined;
  if (code.configMap) cm = await client.find<ConfigMap>(`/api/v1/namespaces/${namespace}/configmaps/${code.configMap.name}`);
  return resolveCode(code, () => cm);
}
