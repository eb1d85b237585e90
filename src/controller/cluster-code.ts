// A function's code on a cluster: inline files, or the files of a ConfigMap read from the API server, or an image.
import type { ConfigMap } from '../api/config-map.js';
import { resolveCode, type ResolvedCode } from '../api/code.js';
import type { FunctionCode } from '../api/function.js';
import type { KubeClient } from '../kube/client.js';

export async function resolveClusterCode(client: KubeClient, namespace: string, code: FunctionCode): Promise<ResolvedCode> {
  let cm: ConfigMap | undefined;
  if (code.configMap) cm = await client.find<ConfigMap>(`/api/v1/namespaces/${namespace}/configmaps/${code.configMap.name}`);
  return resolveCode(code, () => cm);
}
