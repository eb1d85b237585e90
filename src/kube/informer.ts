// List + watch of one resource into a local cache, with relist on 410, reconnect with backoff, and periodic resync.
import type { Logger } from '../core/logger.js';
import { isGone, type KubeClient, type WatchEvent } from './client.js';
import { objectKey, type KubeObject } from './objects.js';

export interface InformerOptions<T> {
  /** e.g. /apis/klambda.dev/v1alpha1/functions or /apis/apps/v1/deployments */
  path: string;
  labelSelector?: string;
  /** e.g. type=klambda.dev/access-key (Secrets of one type) */
  fieldSelector?: string;
  /** Every key is handed to onChange again this often (level-based safety net). */
  resyncMs: number;
  logger: Logger;
  /** A key whose object was added, changed or deleted; `object` is the object as now, or as last seen when deleted. */
  onChange(key: string, object: T): void;
}

interface KubeList<T> { metadata: { resourceVersion: string }; items: T[] }

const MAX_BACKOFF_MS = 30_000;

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly abort = new AbortController();
  private resync: NodeJS.Timeout | undefined;
  private hasSynced = false;
  private readonly syncWaiters: Array<() => void> = [];
  private loop: Promise<void> | undefined;
  private changeCount = 0;

  constructor(private readonly client: KubeClient, private readonly opts: InformerOptions<T>) {}

  start(): void {
    this.loop = this.run();
    this.resync = setInterval(() => { for (const [k, o] of this.cache) this.opts.onChange(k, o); }, this.opts.resyncMs);
    this.resync.unref();
  }

  /** Resolves once the first list is in the cache. */
  synced(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((ok) => this.syncWaiters.push(ok));
  }

  get(key: string): T | undefined { return this.cache.get(key); }
  list(): T[] { return [...this.cache.values()]; }

  /** Goes up at every change the cache takes (an add, update or delete, from a watch or a relist): what was derived from list() at another value is stale. */
  get changes(): number { return this.changeCount; }

  async stop(): Promise<void> {
    this.abort.abort();
    // nobody waits for a sync that will not come
    for (const w of this.syncWaiters.splice(0)) w();
    if (this.resync) clearInterval(this.resync);
    await this.loop;
  }

  private query(extra: Record<string, string>): string {
    const q = new URLSearchParams(extra);
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    if (this.opts.fieldSelector) q.set('fieldSelector', this.opts.fieldSelector);
    return `${this.opts.path}?${q.toString()}`;
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.abort.signal.aborted) {
      try {
        let rv = await this.relist();
        backoff = 500;
        // watch until the server ends the stream; resume from the last seen resourceVersion
        while (!this.abort.signal.aborted) {
          rv = await this.watchFrom(rv);
        }
      } catch (e) {
        if (this.abort.signal.aborted) return;
        if (!isGone(e)) {
          this.opts.logger.warn({ msg: 'watch failed; relisting after backoff', path: this.opts.path, error: String(e), backoffMs: backoff });
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    }
  }

  private async relist(): Promise<string> {
    const list = await this.client.get<KubeList<T>>(this.query({}));
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (old?.metadata.resourceVersion !== item.metadata.resourceVersion) { this.changeCount++; this.opts.onChange(key, item); }
    }
    for (const [key, gone] of [...this.cache]) if (!seen.has(key)) { this.cache.delete(key); this.changeCount++; this.opts.onChange(key, gone); }
    if (!this.hasSynced) {
      this.hasSynced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    return list.metadata.resourceVersion;
  }

  private async watchFrom(rv: string): Promise<string> {
    let last = rv;
    const path = this.query({ watch: '1', resourceVersion: rv, allowWatchBookmarks: 'true', timeoutSeconds: '300' });
    await this.client.watch<T>(path, (e: WatchEvent<T>) => {
      last = e.object.metadata.resourceVersion ?? last;
      if (e.type === 'BOOKMARK') return;
      const key = objectKey(e.object);
      if (e.type === 'DELETED') this.cache.delete(key); else this.cache.set(key, e.object);
      this.changeCount++;
      this.opts.onChange(key, e.object);
    }, this.abort.signal);
    return last;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((ok) => {
      const t = setTimeout(ok, ms);
      this.abort.signal.addEventListener('abort', () => { clearTimeout(t); ok(); }, { once: true });
    });
  }
}
