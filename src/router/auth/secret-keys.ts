// The cluster's access keys: Secrets of type klambda.dev/access-key in every namespace, and each namespace's account id,
// kept in memory by informers so a request never waits for the API server.
import { accountIdFor, DEFAULT_ACCOUNT_ID } from '../../core/accounts.js';
import { parsePolicy } from '../../core/iam-policy.js';
import type { Logger } from '../../core/logger.js';
import { KubeApiError, type KubeClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';
import type { KubeObject } from '../../kube/objects.js';
import { ACCESS_KEY_ID } from './credentials-file.js';
import type { AccessKey, KeyStore } from './principal.js';

export const ACCESS_KEY_SECRET_TYPE = 'klambda.dev/access-key';
const SECRETS = '/api/v1/secrets';
const FIELD_SELECTOR = `type=${ACCESS_KEY_SECRET_TYPE}`;

export interface SecretObject extends KubeObject {
  type?: string;
  /** base64 values, as the API server returns them */
  data?: Record<string, string>;
}

/** The key a Secret holds (data: accessKeyId, secretAccessKey, optional policy), or why it is not one (pure). */
export function accessKeyOfSecret(secret: SecretObject, accountId: string): AccessKey | { error: string } {
  const field = (k: string): string | undefined => {
    const v = secret.data?.[k];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8').trim();
  };
  const id = field('accessKeyId');
  const secretKey = field('secretAccessKey');
  if (!id || !secretKey) return { error: 'needs data.accessKeyId and data.secretAccessKey' };
  if (!ACCESS_KEY_ID.test(id)) return { error: 'accessKeyId may hold letters, digits and _+=,.@- only (1..128)' };
  const key: AccessKey = {
    accessKeyId: id, secretAccessKey: secretKey, userName: secret.metadata.name,
    namespace: secret.metadata.namespace ?? 'default', accountId,
  };
  const policy = field('policy');
  if (policy) {
    try {
      key.policy = parsePolicy(policy);
    } catch (e) {
      return { error: `policy: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return key;
}

export interface SecretKeyStoreOptions {
  client: KubeClient;
  logger: Logger;
  /** The account id of the namespace `default` when it has no annotation (the router's --account-id). */
  defaultAccountId?: string;
  resyncMs?: number;
}

export class SecretKeyStore implements KeyStore {
  private index = new Map<string, AccessKey>();
  private stale = true;
  private readonly warned = new Set<string>();
  private readonly secrets: Informer<SecretObject>;
  private readonly namespaces: Informer<KubeObject>;

  private constructor(private readonly opts: SecretKeyStoreOptions) {
    const onChange = (): void => { this.stale = true; };
    const resyncMs = opts.resyncMs ?? 5 * 60_000;
    this.secrets = new Informer<SecretObject>(opts.client, { path: SECRETS, fieldSelector: FIELD_SELECTOR, resyncMs, logger: opts.logger, onChange });
    this.namespaces = new Informer<KubeObject>(opts.client, { path: '/api/v1/namespaces', resyncMs, logger: opts.logger, onChange });
  }

  /** Lists once directly, so a router without the RBAC to read keys fails at start instead of refusing every call. */
  static async start(opts: SecretKeyStoreOptions): Promise<SecretKeyStore> {
    for (const path of [`${SECRETS}?fieldSelector=${encodeURIComponent(FIELD_SELECTOR)}&limit=1`, '/api/v1/namespaces?limit=1']) {
      try {
        await opts.client.get(path);
      } catch (e) {
        const why = e instanceof KubeApiError && e.status === 403 ? ' (the router needs get/list/watch on secrets and namespaces: config/rbac/role.yaml)' : '';
        throw new Error(`cannot read access keys from ${path}${why}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const store = new SecretKeyStore(opts);
    store.secrets.start();
    store.namespaces.start();
    await Promise.all([store.secrets.synced(), store.namespaces.synced()]);
    return store;
  }

  accountIdOf(namespace: string): string {
    return accountIdFor(namespace, this.namespaces.get(`/${namespace}`)?.metadata.annotations, this.opts.defaultAccountId ?? DEFAULT_ACCOUNT_ID);
  }

  find(accessKeyId: string): AccessKey | undefined {
    if (this.stale) this.rebuild();
    return this.index.get(accessKeyId);
  }

  async stop(): Promise<void> {
    await Promise.all([this.secrets.stop(), this.namespaces.stop()]);
  }

  /** The oldest Secret wins an access key id claimed twice: a later Secret in another namespace cannot take it over. */
  private rebuild(): void {
    this.stale = false;
    const index = new Map<string, AccessKey>();
    const owners = new Map<string, SecretObject>();
    const byAge = this.secrets.list().filter((s) => s.type === ACCESS_KEY_SECRET_TYPE && !s.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    for (const s of byAge) {
      const name = `${s.metadata.namespace}/${s.metadata.name}`;
      const key = accessKeyOfSecret(s, this.accountIdOf(s.metadata.namespace ?? 'default'));
      if ('error' in key) { this.warnOnce(s, `access key Secret ${name} ignored: ${key.error}`); continue; }
      const owner = owners.get(key.accessKeyId);
      if (owner) { this.warnOnce(s, `access key Secret ${name} ignored: ${owner.metadata.namespace}/${owner.metadata.name} holds the same accessKeyId`); continue; }
      owners.set(key.accessKeyId, s);
      index.set(key.accessKeyId, key);
    }
    this.index = index;
  }

  private warnOnce(s: SecretObject, msg: string): void {
    const id = `${s.metadata.uid}/${s.metadata.resourceVersion}`;
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.opts.logger.warn({ msg, namespace: s.metadata.namespace, secret: s.metadata.name });
  }
}
