// Builds the ConfigMap that carries a version's code files, and the volume items that lay them out (pure).
import type { V1ConfigMap, V1KeyToPath, V1OwnerReference } from '@kubernetes/client-node';
import { codeConfigMapName, ownedLabels } from './names.js';

const KEY_OK = /^[-._a-zA-Z0-9]+$/;

/** ConfigMap keys cannot hold "/": files in folders get a numbered key, and the volume maps it back to its path. */
export function codeKeys(files: Record<string, string>): V1KeyToPath[] {
  return Object.keys(files).sort().map((path, i) => ({ key: KEY_OK.test(path) ? path : `file-${i}`, path }));
}

export function buildCodeConfigMap(namespace: string, functionName: string, version: string, files: Record<string, string>, owner: V1OwnerReference): V1ConfigMap {
  const data: Record<string, string> = {};
  for (const { key, path } of codeKeys(files)) data[key] = files[path]!;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: codeConfigMapName(functionName, version), namespace, labels: ownedLabels(functionName, version), ownerReferences: [owner] },
    data,
    immutable: version !== '$LATEST',
  };
}
