// Each function version's agent credentials on a cluster: a Redis ACL user and a Secret with its URL (mounted into
// the agent container only), created with the version, rotated on a schedule, re-applied after Redis restarts; for a
// zip package and each layer, a presigned URL that reads that one package from the code store (and nothing else).
import type { V1OwnerReference, V1Secret } from '@kubernetes/client-node';
import type { QueueRef } from '../core/queue-contract.js';
import type { KubeClient } from '../kube/client.js';
import { isConflict } from '../kube/client.js';
import { newPassword, redisUrlFor } from '../queue/acl.js';
import type { AgentUsers } from '../queue/agent-users.js';
import { NotOwnedError } from './apply.js';
import { AGENT_SECRET_KEY, agentSecretName, ownedLabels } from './resources/names.js';

/** When the Secret's password was made (ISO time). */
export const ROTATED_AT = 'klambda.dev/rotated-at';
/** The password before the last rotation: still valid until the next one, so agents that reconnect meanwhile get in. */
export const PREVIOUS_KEY = 'previous-password';
/** The Secret's presigned URL of the version's package. */
export const PACKAGE_URL_KEY = 'package-url';
/** The Secret's presigned URL of the version's layer at `index` (0-based, in the function's order): layer-1-url, …. */
export const layerUrlKey = (index: number): string => `layer-${index + 1}-url`;
/** The store keys the Secret's package URLs read (JSON: Secret key → store key). */
export const PACKAGE_KEYS = 'klambda.dev/package-keys';
/** A package URL is signed for 7 days: it is renewed well before, whatever the rotation period. */
const PACKAGE_URL_RENEW_MS = 3 * 24 * 3600_000;

export interface AgentCredentialsConfig {
  /** The Redis URL as pods reach it (host, port, TLS); its own credentials are replaced by the agent's. */
  agentRedisUrl: string;
  /** How often a version's password changes. */
  rotationMs: number;
  now(): number;
  /** Signs a URL that reads one object of the code store (none: no store is configured). */
  presignPackage?(key: string): Promise<string>;
}

export interface CredentialsTarget extends QueueRef {
  owner: V1OwnerReference;
  /**
   * The store keys of the version's zip packages, by the Secret key their presigned URL goes under: PACKAGE_URL_KEY
   * for its code when that is a package, layerUrlKey(i) for each layer.
   */
  packageKeys?: Record<string, string>;
}

/** The Secret keys and store keys of a version's package and layers (see CredentialsTarget.packageKeys). */
export function packageKeysOf(codeKey: string | undefined, layerKeys: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = codeKey !== undefined ? { [PACKAGE_URL_KEY]: codeKey } : {};
  layerKeys.forEach((key, i) => { out[layerUrlKey(i)] = key; });
  return out;
}

/** The annotation's form of packageKeys: the same keys give the same text, whatever their order. */
const packageKeysText = (keys: Record<string, string> | undefined): string =>
  (keys && Object.keys(keys).length > 0 ? JSON.stringify(Object.fromEntries(Object.entries(keys).sort(([a], [b]) => a.localeCompare(b)))) : '');

const decode = (v: string | undefined): string => (v ? Buffer.from(v, 'base64').toString('utf8') : '');

function passwordOf(url: string): string {
  try { return decodeURIComponent(new URL(url).password); } catch { return ''; }
}

export class ClusterAgentCredentials {
  constructor(private readonly client: KubeClient, private readonly users: AgentUsers, private readonly cfg: AgentCredentialsConfig) {}

  /** Makes sure the version's Secret and ACL user exist and agree; rotates the password when it is due. */
  async ensure(t: CredentialsTarget): Promise<void> {
    const name = agentSecretName(t.functionName, t.version);
    const path = `/api/v1/namespaces/${t.namespace}/secrets/${name}`;
    const found = await this.client.find<V1Secret>(path);
    if (!found) return this.create(t, name);
    if (!found.metadata?.ownerReferences?.some((r) => r.uid === t.owner.uid)) {
      throw new NotOwnedError(`Secret ${t.namespace}/${name} exists and is not owned by ${t.owner.kind} ${t.owner.name}`);
    }
    const current = passwordOf(decode(found.data?.[AGENT_SECRET_KEY]));
    const previous = decode(found.data?.[PREVIOUS_KEY]);
    const rotatedAt = Date.parse(found.metadata?.annotations?.[ROTATED_AT] ?? '');
    const packages = packageKeysText(t.packageKeys);
    const period = packages ? Math.min(this.cfg.rotationMs, PACKAGE_URL_RENEW_MS) : this.cfg.rotationMs;
    const due = !current || !(rotatedAt + period > this.cfg.now());
    const url = redisUrlFor(this.cfg.agentRedisUrl, this.users.userName(t), current);
    const samePackages = (found.metadata?.annotations?.[PACKAGE_KEYS] ?? '') === packages;
    if (!due && samePackages && decode(found.data?.[AGENT_SECRET_KEY]) === url) {
      await this.users.ensure(t, previous ? [current, previous] : [current]);
      return;
    }
    // Rotate (or follow a changed Redis address): the new password works in Redis before any agent can read it.
    const next = due ? newPassword() : current;
    const keep = due ? current : previous;
    await this.users.ensure(t, [next, ...(keep ? [keep] : [])]);
    try {
      await this.client.replace(path, await this.secret(t, name, next, keep, found.metadata?.resourceVersion));
    } catch (e) {
      if (!isConflict(e)) throw e;
      await this.ensure(t); // someone else wrote it meanwhile: converge on what is there now
    }
  }

  /** The version is gone: so is its user (the Secret goes with its owner). */
  async remove(ref: QueueRef): Promise<void> {
    await this.users.remove(ref);
  }

  private async create(t: CredentialsTarget, name: string): Promise<void> {
    const password = newPassword();
    await this.users.ensure(t, [password]);
    try {
      await this.client.create(`/api/v1/namespaces/${t.namespace}/secrets`, await this.secret(t, name, password, ''));
    } catch (e) {
      if (!isConflict(e)) throw e;
      await this.ensure(t);
    }
  }

  private async secret(t: CredentialsTarget, name: string, password: string, previous: string, resourceVersion?: string): Promise<V1Secret> {
    const stringData: Record<string, string> = { [AGENT_SECRET_KEY]: redisUrlFor(this.cfg.agentRedisUrl, this.users.userName(t), password), [PREVIOUS_KEY]: previous };
    const annotations: Record<string, string> = { [ROTATED_AT]: new Date(this.cfg.now()).toISOString() };
    const packages = Object.entries(t.packageKeys ?? {});
    if (packages.length > 0) {
      if (!this.cfg.presignPackage) throw new Error(`${t.functionName}:${t.version} has zip packages and no code store is configured`);
      for (const [secretKey, storeKey] of packages) stringData[secretKey] = await this.cfg.presignPackage(storeKey);
      annotations[PACKAGE_KEYS] = packageKeysText(t.packageKeys);
    }
    return {
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
      metadata: {
        name, namespace: t.namespace, labels: ownedLabels(t.functionName, t.version), ownerReferences: [t.owner], annotations,
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      stringData,
    };
  }
}
