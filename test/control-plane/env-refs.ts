// A container's env as a kubelet makes it (for the process node): values from Secrets and ConfigMaps
// (valueFrom.secretKeyRef / configMapKeyRef) read from the API server, then $(VAR) references expanded.
// process-node.ts resolves the sources when it starts a pod; containerEnv expands the references.

export interface EnvSourceVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

type ReadObject = (resource: 'configmaps' | 'secrets', name: string) => Promise<Record<string, unknown> | undefined>;

/** Why a pod cannot start yet (a kubelet reports CreateContainerConfigError and tries again). */
export class EnvSourceMissing extends Error {}

/**
 * The env with every secretKeyRef/configMapKeyRef turned into a plain value (an optional one that is missing is
 * dropped); other entries unchanged. Throws EnvSourceMissing for a required Secret, ConfigMap or key that is not there.
 */
export async function resolveEnvSources(env: readonly EnvSourceVar[], read: ReadObject): Promise<EnvSourceVar[]> {
  const out: EnvSourceVar[] = [];
  for (const e of env) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (!ref) { out.push(e); continue; }
    const secret = e.valueFrom?.secretKeyRef !== undefined;
    const object = await read(secret ? 'secrets' : 'configmaps', ref.name);
    const raw = (object?.data as Record<string, string> | undefined)?.[ref.key];
    if (raw === undefined) {
      if (ref.optional) continue;
      throw new EnvSourceMissing(object
        ? `couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${ref.name}`
        : `${secret ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    out.push({ name: e.name, value: secret ? Buffer.from(raw, 'base64').toString('utf8') : raw });
  }
  return out;
}

/**
 * Kubernetes' $(VAR) expansion (pure): a reference to a variable defined before it in `env` (or in `base`, the
 * image's and the kubelet's) is replaced; an unknown one stays as written; `$$` is a literal `$`.
 */
export function expandEnvRefs(value: string, defined: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = defined[name!];
    return v === undefined ? m : v;
  });
}

/** Every container's env with its Secret/ConfigMap values in place (the pod's spec is the node's own copy). */
export async function resolvePodEnvSources(containers: Array<{ env?: EnvSourceVar[] }>, read: ReadObject): Promise<void> {
  for (const c of containers) if (c.env) c.env = await resolveEnvSources(c.env, read);
}
