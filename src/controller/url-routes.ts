// Function URLs exposed outside the cluster: for each Function or Alias with `spec.url`, an HTTPRoute or Ingress in the
// router's namespace (resources/url-route.ts builds it), made, kept and deleted here — once the API server serves the kind.
import { urlId } from '../core/function-url.js';
import type { Logger } from '../core/logger.js';
import { isNotFound, type KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import { Informer } from '../kube/informer.js';
import type { KubeObject } from '../kube/objects.js';
import type { ReconcileMetrics } from '../metrics/controller-metrics.js';
import { ensureObject, NotOwnedError, RejectedError } from './apply.js';
import type { Stored } from './kinds.js';
import { ReconcileQueue } from './reconcile-queue.js';
import {
  desiredUrlRoute, isOurUrlRoute, URL_ROUTE_SELECTOR, urlRouteCollection, urlRouteName, urlRouteResource, urlRouteTargetOf,
  type UrlExposeSettings, type UrlRouteTarget,
} from './resources/url-route.js';

type AliasLike = Stored<{ functionName: string; name?: string; url?: unknown }>;

export interface UrlRoutesOptions {
  client: KubeClient;
  settings: UrlExposeSettings;
  logger: Logger;
  functions: Informer<Stored<unknown>>;
  aliases: Informer<AliasLike>;
  /** The name of the Alias object that routes `fn:alias` (the oldest, if several claim it). */
  aliasOwner(namespace: string, functionName: string, aliasName: string): string | undefined;
  resyncMs: number;
  /** How often to ask again whether the API server serves the kind, while it does not (default 60 s). */
  discoveryRetryMs?: number;
  metrics?: ReconcileMetrics;
  /** Events on the Function or Alias: its URL exposed, or not (a name taken, a refusal). */
  events?: Pick<EventRecorder, 'record'>;
}

/** "ns/fn/qualifier" (none of the three holds a '/'). */
const keyOf = (t: UrlRouteTarget): string => `${t.namespace}/${t.functionName}/${t.qualifier}`;
function targetOf(key: string): UrlRouteTarget {
  const [namespace, functionName, qualifier] = key.split('/') as [string, string, string];
  return { namespace, functionName, qualifier };
}
/** The host name an HTTPRoute or Ingress of ours serves. */
function hostOf(o: { spec: Record<string, unknown> }): string {
  const spec = o.spec as { hostnames?: string[]; rules?: Array<{ host?: string }> };
  return spec.hostnames?.[0] ?? spec.rules?.[0]?.host ?? '';
}
const hasUrl = (o: Stored<unknown> | undefined): o is Stored<unknown> =>
  o !== undefined && !o.metadata.deletionTimestamp && (o.spec as { url?: unknown } | undefined)?.url !== undefined;

export class UrlRoutes {
  readonly queue: ReconcileQueue;
  private informer: Informer<KubeObject> | undefined;
  private active = false;
  private stopped = false;
  /** Ends the wait between two discoveries (stop). */
  private wake: (() => void) | undefined;
  private readonly collection: string;
  /** Keys whose object name is taken by someone else's object (logged once each). */
  private readonly blocked = new Set<string>();

  constructor(private readonly opts: UrlRoutesOptions) {
    this.collection = urlRouteCollection(opts.settings);
    this.queue = new ReconcileQueue('functionurls', (key) => this.reconcile(key), opts.logger, { baseMs: 100, maxMs: 60_000 }, opts.metrics);
  }

  /** Begins once the API server serves the kind (asked again every discoveryRetryMs until it does). */
  start(workers: number): void {
    void this.discover(workers);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.queue.stop();
    await this.informer?.stop();
  }

  /** A Function or an Alias of `functionName` changed: its URLs, and the objects that expose them now, converge. */
  functionChanged(namespace: string, functionName: string): void {
    if (!this.active) return;
    this.queue.add(keyOf({ namespace, functionName, qualifier: '$LATEST' }));
    for (const a of this.opts.aliases.list()) {
      if (a.metadata.namespace === namespace && a.spec.functionName === functionName) this.queue.add(keyOf({ namespace, functionName, qualifier: a.spec.name ?? a.metadata.name }));
    }
    for (const o of this.informer?.list() ?? []) {
      const t = urlRouteTargetOf(o);
      if (t && t.namespace === namespace && t.functionName === functionName) this.queue.add(keyOf(t));
    }
  }

  private async discover(workers: number): Promise<void> {
    const { client, settings, logger } = this.opts;
    const { groupVersion, plural } = urlRouteResource(settings.mode);
    let told = false;
    while (!this.stopped) {
      try {
        const list = await client.find<{ resources?: Array<{ name: string }> }>(`/apis/${groupVersion}`);
        if (list?.resources?.some((r) => r.name === plural)) break;
        if (!told) logger.warn({ msg: 'Function URLs are not exposed: the API server does not serve this kind (for httpRoute, install the Gateway API CRDs); asking again', mode: settings.mode, resource: `${plural}.${groupVersion}` });
      } catch (e) {
        if (!told) logger.warn({ msg: 'Function URLs are not exposed yet: discovery failed; asking again', mode: settings.mode, error: e instanceof Error ? e.message : String(e) });
      }
      told = true;
      if (this.stopped) return;
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, this.opts.discoveryRetryMs ?? 60_000);
        t.unref();
        this.wake = () => { clearTimeout(t); ok(); };
      });
    }
    if (this.stopped) return;
    this.informer = new Informer<KubeObject>(client, {
      path: this.collection, labelSelector: URL_ROUTE_SELECTOR, resyncMs: this.opts.resyncMs, logger,
      // a hand edit or delete is put back, an object whose URL went away is deleted
      onChange: (_key, o) => { const t = urlRouteTargetOf(o); if (t && this.active) this.queue.add(keyOf(t)); },
    });
    this.informer.start();
    await this.informer.synced();
    if (this.stopped) return;
    this.active = true;
    logger.info({ msg: 'exposing Function URLs', mode: settings.mode, namespace: settings.namespace, service: settings.service });
    for (const f of this.opts.functions.list()) if (hasUrl(f)) this.queue.add(keyOf({ namespace: f.metadata.namespace, functionName: f.metadata.name, qualifier: '$LATEST' }));
    for (const a of this.opts.aliases.list()) if (hasUrl(a)) this.queue.add(keyOf({ namespace: a.metadata.namespace, functionName: a.spec.functionName, qualifier: a.spec.name ?? a.metadata.name }));
    for (const o of this.informer.list()) { const t = urlRouteTargetOf(o); if (t) this.queue.add(keyOf(t)); }
    this.queue.start(workers);
  }

  /** The Function or Alias whose URL it is, when the URL is wanted: they exist, are not being deleted, and have spec.url. */
  private wanted(t: UrlRouteTarget): Stored<unknown> | undefined {
    const fn = this.opts.functions.get(`${t.namespace}/${t.functionName}`);
    if (t.qualifier === '$LATEST') return hasUrl(fn) ? fn : undefined;
    if (!fn || fn.metadata.deletionTimestamp) return undefined;
    const owner = this.opts.aliasOwner(t.namespace, t.functionName, t.qualifier);
    const alias = owner === undefined ? undefined : this.opts.aliases.get(`${t.namespace}/${owner}`);
    return hasUrl(alias) ? alias : undefined;
  }

  private async reconcile(key: string): Promise<void> {
    const { client, settings, logger } = this.opts;
    const target = targetOf(key);
    const id = urlId(target.namespace, target.functionName, target.qualifier);
    const path = `${this.collection}/${urlRouteName(id)}`;
    const parent = this.wanted(target);
    if (!parent) {
      const observed = await client.find<KubeObject>(path);
      if (!observed || !isOurUrlRoute(observed, id)) return;
      await client.request('DELETE', path, { preconditions: { uid: observed.metadata.uid } }).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
      logger.info({ msg: 'Function URL no longer exposed', kind: observed.kind, name: observed.metadata.name, function: `${target.namespace}/${target.functionName}`, qualifier: target.qualifier });
      return;
    }
    const desired = desiredUrlRoute(target, settings);
    try {
      const outcome = await ensureObject(client, this.collection, desired, (o) => isOurUrlRoute(o, id), 'is not klambda\'s: the URL is not exposed');
      this.blocked.delete(key);
      if (outcome !== 'unchanged') logger.info({ msg: `Function URL exposure ${outcome}`, name: urlRouteName(id), function: `${target.namespace}/${target.functionName}`, qualifier: target.qualifier });
      if (outcome === 'created') {
        await this.opts.events?.record(parent, 'Normal', 'UrlExposed', `${desired.kind} ${settings.namespace}/${desired.metadata.name} routes ${hostOf(desired)} to the router`);
      }
    } catch (e) {
      // someone else's object under that name is left alone, and an object the API server refuses (e.g. a bad
      // Gateway name) is not sent again: the Function's next change, or the resync, asks again
      if (!(e instanceof NotOwnedError || e instanceof RejectedError)) throw e;
      if (!this.blocked.has(key)) {
        logger.warn({ msg: e.message, function: `${target.namespace}/${target.functionName}`, qualifier: target.qualifier });
        await this.opts.events?.record(parent, 'Warning', 'UrlNotExposed', e.message);
      }
      this.blocked.add(key);
    }
  }
}
