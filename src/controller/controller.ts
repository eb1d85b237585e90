// The controller process: informers on our kinds and owned Deployments, a reconcile queue per kind, the scaler and the
// reaper — all of it active only on the replica that holds the leader Lease.
import type { FunctionVersionSpec } from '../api/function-version.js';
import { KubernetesBackend, type DeploymentLike } from '../backends/kubernetes-backend.js';
import type { ScalableTarget } from '../backends/backend.js';
import type { Logger } from '../core/logger.js';
import type { KubeClient } from '../kube/client.js';
import { EventRecorder } from '../kube/events.js';
import { Informer } from '../kube/informer.js';
import { LeaderElector } from '../kube/leader-election.js';
import { objectKey, type KubeObject } from '../kube/objects.js';
import { connectRedis, type RedisConnection, duplicateConnection } from '../queue/connection.js';
import { demandChannel } from '../queue/keys.js';
import { Reaper } from '../queue/reaper.js';
import { RoutingTable } from '../queue/routing-table.js';
import { WorkQueue } from '../queue/work-queue.js';
import { RouteCache } from '../router/route-cache.js';
import { Scaler } from '../scaler/scaler.js';
import type { ControllerContext } from './context.js';
import { checkStored, KLAMBDA_API, type Plural, type Stored } from './kinds.js';
import type { QueueRef } from '../core/queue-contract.js';
import { ReconcileQueue } from './reconcile-queue.js';
import { reconcileAlias } from './reconcile/alias.js';
import { BUCKET_NOTIFICATION, EVENT_RULE, EVENT_SOURCE_MAPPING, reconcileEventKind, TOPIC, type EventKind } from './reconcile/event-kinds.js';
import { reconcileFunction } from './reconcile/function.js';
import { reconcileFunctionVersion } from './reconcile/function-version.js';
import { LABEL_MANAGED_BY } from './resources/names.js';
import { RouteScalerTargets } from './scaler-targets.js';
import { ClusterAgentCredentials } from './agent-credentials.js';
import { accountIdFor } from '../core/accounts.js';
import { AgentUsers } from '../queue/agent-users.js';
import { RedisRestartWatch } from './redis-restarts.js';
import type { WorkloadConfig } from './workload.js';
import type { Registry } from 'prom-client';
import { ControllerMetrics } from '../metrics/controller-metrics.js';
import { FunctionExporter } from '../metrics/function-exporter.js';
import { inventoryFromRoutes } from '../metrics/inventory.js';
import { RedisErrors } from '../metrics/redis-errors.js';
import { newRegistry } from '../metrics/registry.js';
import { ScalerMetrics } from '../metrics/scaler-metrics.js';
import { asyncClockFromEnv, systemErrorBackoff, type AsyncClock } from '../core/async-policy.js';
import { Dispatcher } from '../dispatcher/dispatcher.js';
import { asyncInvoker, syncInvoker } from '../events/function-invokers.js';
import { MappingPollers } from '../events/mapping-pollers.js';
import { SqsStore } from '../events/sqs/store.js';
import { KinesisStore } from '../events/kinesis/store.js';
import { ReplyListener } from '../router/replies.js';
import type { EventSourceMapping } from '../api/event-source-mapping.js';
import type { Invocation } from '../core/invocation.js';
import { destinationEvents } from '../events/destination-events.js';
import { EventServices } from '../events/event-services.js';
import { EventMetrics } from '../metrics/event-metrics.js';
import { sqsAttributes } from '../events/sns-shapes.js';
import { informerEventCatalog } from '../events/informer-catalog.js';
import { rulesScheduler } from '../events/schedules.js';
import type { Scheduler } from '../events/schedule/index.js';
import { ruleView } from '../events/views.js';
import type { EventRule } from '../api/event-rule.js';
import type { Tracing } from '../tracing/tracer.js';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics.js';
import { OutcomeQueue } from '../queue/outcomes.js';
import type { ArnContext } from '../core/arn.js';
import type { CodeStore } from '../code/code-store.js';
import { S3CodeResolver } from './s3-code.js';
import { parseLayerVersionRef } from '../core/layer-arn.js';
import type { UrlExposeSettings } from './resources/url-route.js';
import { UrlRoutes } from './url-routes.js';

const EVENT_KINDS: Array<EventKind<never>> = [TOPIC, EVENT_RULE, EVENT_SOURCE_MAPPING, BUCKET_NOTIFICATION] as Array<EventKind<never>>;

export interface ControllerOptions {
  client: KubeClient;
  /** The dispatcher's `destination` spans (startTracing); absent: none. */
  tracing?: Tracing;
  redisUrl: string;
  keyPrefix: string;
  workload: Omit<WorkloadConfig, 'keyPrefix'>;
  routerUrl: string;
  /** This replica's name in the leader Lease (e.g. the pod name). */
  identity: string;
  leaseNamespace: string;
  leaseName?: string;
  leaseDurationSeconds?: number;
  leaseRetryMs?: number;
  resyncMs?: number;
  workers?: number;
  scaler: { tickMs: number; idleTimeoutMs: number; maxEnvironments: number };
  logger: Logger;
  /** How often each version's agent password changes (default 24 h). */
  agentPasswordRotationMs?: number;
  /** Leadership was lost: the process should exit so it restarts clean (the default logs only). */
  onLostLeadership?(): void;
  /** The process's metrics registry (default: a new one; read it through `registry`). */
  registry?: Registry;
  /** The clock of async retries and event ages (default: KLAMBDA_ASYNC_TIME_SCALE, else real time); the routers must use the same. */
  asyncClock?: AsyncClock;
  /** Where zip packages are kept (code.s3, the Lambda API's ZipFile); none: such code is refused with a clear status. */
  codeStore?: CodeStore;
  /** Refuses an HTTP(S) subscription's endpoint before it is called (see events/url-guard.ts); none: every URL is called. */
  httpDeliveryGuard?: (url: URL) => string | undefined;
  /** Expose each Function URL through an HTTPRoute or an Ingress to the router (none: not exposed). */
  urlExposure?: UrlExposeSettings;
  /** While the API server does not serve the kind of urlExposure, ask again this often (default 60 s). */
  urlDiscoveryRetryMs?: number;
}


export class Controller {
  private readonly redis: RedisConnection;
  /** The work queues of every version: purged by reconciles, read by the scaler, reclaimed by the reaper. */
  private readonly workQueue: WorkQueue;
  private readonly demand: RedisConnection;
  private readonly informers: { functions: Informer<Stored<unknown>>; versions: Informer<Stored<FunctionVersionSpec>>; aliases: Informer<Stored<{ functionName: string; name?: string }>>; deployments: Informer<DeploymentLike>; networkPolicies: Informer<KubeObject>; configMaps: Informer<KubeObject>; namespaces: Informer<KubeObject>; layers: Informer<KubeObject> };
  private readonly queues: { functions: ReconcileQueue; versions: ReconcileQueue; aliases: ReconcileQueue; events: ReconcileQueue };
  private readonly eventInformers: Map<Plural, Informer<Stored<unknown>>>;
  private readonly elector: LeaderElector;
  private routes: RouteCache | undefined;
  private scaler: Scaler<ScalableTarget> | undefined;
  private reaper: Reaper | undefined;
  private dispatcher: Dispatcher | undefined;
  private events: EventServices | undefined;
  private schedules: Scheduler | undefined;
  private pollers: MappingPollers | undefined;
  private replies: ReplyListener | undefined;
  /** The clock of async retries, event ages and system-error backoff. */
  private readonly asyncTime: AsyncClock;
  private restarts: RedisRestartWatch | undefined;
  /** The HTTPRoutes or Ingresses of Function URLs (when exposed). */
  private readonly urlRoutes: UrlRoutes | undefined;
  private leading: Promise<void> | undefined;
  private stopped = false;
  private synced = false;
  /** Where this process's metrics are registered (served by the ops server). */
  readonly registry: Registry;
  private readonly redisErrors: RedisErrors;
  private readonly scalerMetrics: ScalerMetrics;
  private readonly dispatcherMetrics: DispatcherMetrics;
  private readonly eventMetrics: EventMetrics;

  constructor(private readonly opts: ControllerOptions) {
    const { client, logger } = opts;
    this.registry = opts.registry ?? newRegistry();
    this.redisErrors = new RedisErrors(this.registry);
    this.redis = this.redisErrors.watch(connectRedis(opts.redisUrl, { maxRetriesPerRequest: 3 }));
    this.asyncTime = opts.asyncClock ?? asyncClockFromEnv(process.env);
    this.workQueue = new WorkQueue(this.redis, { keyPrefix: opts.keyPrefix, eventBackoff: systemErrorBackoff(this.asyncTime), onUnreplicated: this.redisErrors.unreplicated(logger) });
    this.demand = this.redisErrors.watch(connectRedis(opts.redisUrl));
    const resyncMs = opts.resyncMs ?? 5 * 60_000;
    const informer = <T extends KubeObject>(path: string, onChange: (key: string, obj: T) => void, labelSelector?: string): Informer<T> =>
      new Informer<T>(client, { path, resyncMs, logger, ...(labelSelector ? { labelSelector } : {}), onChange });
    this.informers = {
      functions: informer<Stored<unknown>>(`${KLAMBDA_API}/functions`, (key, f) => {
        this.queues.functions.add(key);
        this.urlRoutes?.functionChanged(f.metadata.namespace, f.metadata.name);
      }),
      versions: informer<Stored<FunctionVersionSpec>>(`${KLAMBDA_API}/functionversions`, (key, v) => {
        this.queues.versions.add(key);
        // a new version changes its function's latestVersion and may complete an alias
        this.functionChanged(v.metadata.namespace, v.spec.functionName);
      }),
      aliases: informer<Stored<{ functionName: string; name?: string }>>(`${KLAMBDA_API}/aliases`, (key, a) => {
        this.queues.aliases.add(key);
        this.urlRoutes?.functionChanged(a.metadata.namespace, a.spec?.functionName ?? '');
      }),
      // drift in an owned object is put back by its owner's reconcile
      deployments: informer<DeploymentLike>('/apis/apps/v1/deployments', (_key, d) => this.ownedChanged(d), `${LABEL_MANAGED_BY}=klambda`),
      networkPolicies: informer<KubeObject>('/apis/networking.k8s.io/v1/networkpolicies', (_key, np) => this.ownedChanged(np), `${LABEL_MANAGED_BY}=klambda`),
      configMaps: informer<KubeObject>('/api/v1/configmaps', (_key, cm) => this.configMapChanged(cm)),
      // a namespace's account id (annotation) is in its ARNs: its objects converge again when it changes
      namespaces: informer<KubeObject>('/api/v1/namespaces', (_key, ns) => this.namespaceChanged(ns.metadata.name)),
      // a layer version published (or removed) that a function or version names: it converges again
      layers: informer<KubeObject>(`${KLAMBDA_API}/layers`, (_key, layer) => this.layerChanged(layer)),
    };
    // Topic, EventRule and EventSourceMapping share one queue; keys are "plural:ns/name"
    this.eventInformers = new Map(EVENT_KINDS.map((def) => [def.plural, informer<Stored<unknown>>(`${KLAMBDA_API}/${def.plural}`, (key) => this.queues.events.add(`${def.plural}:${key}`))]));
    const ctx: ControllerContext = {
      client, logger,
      table: new RoutingTable(this.redis, opts.keyPrefix),
      queues: this.workQueue,
      events: new EventRecorder(client, 'klambda-controller', opts.identity, logger),
      credentials: new ClusterAgentCredentials(client, new AgentUsers(this.redis, opts.keyPrefix), {
        agentRedisUrl: opts.workload.agentRedisUrl, rotationMs: opts.agentPasswordRotationMs ?? 24 * 3600_000, now: Date.now,
        ...(opts.codeStore ? { presignPackage: (key: string) => opts.codeStore!.presignRead(key) } : {}),
      }),
      s3: new S3CodeResolver(client, opts.codeStore),
      workload: { ...opts.workload, keyPrefix: opts.keyPrefix },
      routerUrl: opts.routerUrl,
      ownNamespace: opts.leaseNamespace,
      arnFor: (namespace) => this.ctxArnFor(namespace),
      now: Date.now,
      versions: this.informers.versions,
      functions: this.informers.functions,
      topics: this.eventInformers.get('topics')!,
      aliasOwner: (ns, fn, alias) => this.aliasOwner(ns, fn, alias),
    };
    const metrics = new ControllerMetrics(this.registry, {
      isLeader: () => this.isLeader,
      queueLengths: () => Object.fromEntries([...Object.values(this.queues), ...(this.urlRoutes ? [this.urlRoutes.queue] : [])].map((q) => [q.name, q.length])),
    });
    const backoff = { baseMs: 100, maxMs: 60_000 };
    this.queues = {
      functions: new ReconcileQueue('functions', (key) => reconcileFunction(ctx, key), logger, backoff, metrics),
      versions: new ReconcileQueue('functionversions', (key) => reconcileFunctionVersion(ctx, key), logger, backoff, metrics),
      aliases: new ReconcileQueue('aliases', (key) => reconcileAlias(ctx, key), logger, backoff, metrics),
      events: new ReconcileQueue('events', (key) => {
        const colon = key.indexOf(':');
        const def = EVENT_KINDS.find((d) => d.plural === key.slice(0, colon))!;
        return reconcileEventKind(ctx, def, key.slice(colon + 1));
      }, logger, backoff, metrics),
    };
    this.urlRoutes = opts.urlExposure ? new UrlRoutes({
      client, settings: opts.urlExposure, logger, functions: this.informers.functions, aliases: this.informers.aliases,
      aliasOwner: (ns, fn, alias) => this.aliasOwner(ns, fn, alias), resyncMs, metrics, events: ctx.events,
      ...(opts.urlDiscoveryRetryMs !== undefined ? { discoveryRetryMs: opts.urlDiscoveryRetryMs } : {}),
    }) : undefined;
    this.scalerMetrics = new ScalerMetrics(this.registry);
    this.dispatcherMetrics = new DispatcherMetrics(this.registry);
    // the backlog is the leader's to show (a follower runs no worker: it reports nothing waiting)
    this.eventMetrics = new EventMetrics(this.registry, {
      inbox: async () => (this.events ? this.events.inbox.depth() : 0),
      http: async () => (this.events ? this.events.http.pending() : 0),
    });
    // the agents' figures, exported by the leader only: every replica reads the same Redis, and sums must not double
    new FunctionExporter({
      registry: this.registry, redis: this.redis, keyPrefix: opts.keyPrefix, redisErrors: this.redisErrors,
      inventory: () => (this.routes ? inventoryFromRoutes(this.routes.all()) : []),
      active: () => this.isLeader && this.routes !== undefined,
    });
    this.elector = new LeaderElector({
      client, namespace: opts.leaseNamespace, name: opts.leaseName ?? 'klambda-controller', identity: opts.identity,
      leaseDurationSeconds: opts.leaseDurationSeconds ?? 15, retryMs: opts.leaseRetryMs ?? 2000, logger,
      onStartedLeading: () => { this.leading = this.lead(); },
      onStoppedLeading: () => { (opts.onLostLeadership ?? (() => logger.error({ msg: 'leadership lost' })))(); },
    });
  }

  get isLeader(): boolean { return this.elector.isLeader; }

  /** Every informer has listed once (for /readyz). */
  get ready(): boolean { return this.synced; }

  /** Resolves when Redis answers PING on the controller's connection (for /healthz). */
  ping(): Promise<unknown> { return this.redis.ping(); }

  start(): void {
    const all = [...Object.values(this.informers), ...this.eventInformers.values()];
    for (const inf of all) inf.start();
    void Promise.all(all.map((i) => i.synced())).then(() => { this.synced = true; });
    this.elector.start();
  }

  private namespaceChanged(namespace: string): void {
    const inNs = (o: KubeObject) => o.metadata.namespace === namespace;
    for (const f of this.informers.functions.list().filter(inNs)) this.queues.functions.add(objectKey(f));
    for (const v of this.informers.versions.list().filter(inNs)) this.queues.versions.add(objectKey(v));
    for (const [plural, inf] of this.eventInformers) for (const o of inf.list().filter(inNs)) this.queues.events.add(`${plural}:${objectKey(o)}`);
  }

  private functionChanged(namespace: string, functionName: string): void {
    this.queues.functions.add(`${namespace}/${functionName}`);
    for (const a of this.informers.aliases.list()) {
      if (a.metadata.namespace === namespace && a.spec.functionName === functionName) this.queues.aliases.add(objectKey(a));
    }
  }

  /** A ConfigMap changed: functions whose code it holds redeploy; an owned one that was edited is put back. */
  private configMapChanged(cm: KubeObject): void {
    const namespace = cm.metadata.namespace;
    const name = cm.metadata.name;
    for (const f of this.informers.functions.list()) {
      const code = (f.spec as { code?: { configMap?: { name?: string } } } | undefined)?.code;
      if (f.metadata.namespace === namespace && code?.configMap?.name === name) this.queues.functions.add(objectKey(f));
    }
    this.ownedChanged(cm);
  }

  /** A Layer changed: the functions and versions of its namespace whose layers name it converge again. */
  private layerChanged(layer: KubeObject): void {
    const namespace = layer.metadata.namespace;
    const uses = (refs: readonly string[] | undefined) => (refs ?? []).some((r) => parseLayerVersionRef(r)?.name === layer.metadata.name);
    for (const f of this.informers.functions.list()) {
      if (f.metadata.namespace === namespace && uses((f.spec as { layers?: string[] } | undefined)?.layers)) this.queues.functions.add(objectKey(f));
    }
    for (const v of this.informers.versions.list()) {
      if (v.metadata.namespace === namespace && uses(v.spec.function?.layers)) this.queues.versions.add(objectKey(v));
    }
  }

  /** An object we own changed (or was deleted while cached): its owner converges it again. */
  private ownedChanged(obj: KubeObject): void {
    const owner = obj.metadata.ownerReferences?.find((r) => r.controller);
    if (!owner) return;
    const ownerKey = `${obj.metadata.namespace}/${owner.name}`;
    if (owner.kind === 'Function') this.queues.functions.add(ownerKey);
    else if (owner.kind === 'FunctionVersion') this.queues.versions.add(ownerKey);
  }

  private aliasOwner(namespace: string, functionName: string, aliasName: string): string | undefined {
    const claims = this.informers.aliases.list()
      .filter((a) => a.metadata.namespace === namespace && a.spec.functionName === functionName && (a.spec.name ?? a.metadata.name) === aliasName && !a.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    return claims[0]?.metadata.name;
  }

  /** The region and account id of a namespace's ARNs (its annotation, or the default account). */
  private ctxArnFor(namespace: string): ArnContext {
    return {
      region: this.opts.workload.region,
      accountId: accountIdFor(namespace, this.informers.namespaces.get(`/${namespace}`)?.metadata.annotations, this.opts.workload.accountId),
    };
  }

  /** Became the leader: once the caches are filled, reconcile, scale and reap. */
  private async lead(): Promise<void> {
    await Promise.all([...Object.values(this.informers), ...this.eventInformers.values()].map((i) => i.synced()));
    if (this.stopped) return;
    const { logger } = this.opts;
    const workers = this.opts.workers ?? 2;
    for (const q of Object.values(this.queues)) q.start(workers);
    this.urlRoutes?.start(workers);
    const routes = await RouteCache.start({
      commands: this.redis, subscriber: this.redisErrors.watch(connectRedis(this.opts.redisUrl)), keyPrefix: this.opts.keyPrefix,
      namespace: 'default', arn: { region: this.opts.workload.region, accountId: this.opts.workload.accountId }, logger, reloadMs: 10_000,
    });
    this.routes = routes;
    const queue = this.workQueue;
    const targets = new RouteScalerTargets(routes);
    const scaler = new Scaler<ScalableTarget>({
      backend: new KubernetesBackend(this.opts.client, this.informers.deployments, logger), targets,
      depth: (q) => queue.depth(q), logger, ...this.opts.scaler, metrics: this.scalerMetrics,
    });
    this.scaler = scaler;
    this.demand.on('message', (_channel: string, name: string) => {
      const [namespace, functionName, version] = name.split('/') as [string, string, string];
      if (version) scaler.onDemand({ namespace, functionName, version });
    });
    await this.demand.subscribe(demandChannel(this.opts.keyPrefix));
    scaler.start();
    this.reaper = new Reaper({ queue, queues: () => targets.provisioned(), intervalMs: 2000, logger, redisErrors: this.redisErrors, onBacklog: (ref) => scaler.onDemand(ref) });
    this.reaper.start();
    // events: topics' messages and buses' events from the inbox to functions, queues, HTTP endpoints and topics
    const outcomes = new OutcomeQueue(this.redis, this.opts.keyPrefix);
    const arnFor = (namespace: string) => this.ctxArnFor(namespace);
    const catalog = informerEventCatalog(this.eventInformers.get('topics')!, this.eventInformers.get('eventrules')!, arnFor, this.eventInformers.get('bucketnotifications'));
    const invokers = {
      registryFor: (namespace: string) => routes.registryFor(namespace, arnFor(namespace)), arnFor,
      enqueue: (ref: QueueRef, inv: Invocation) => queue.enqueue(ref, inv), onDemand: (ref: QueueRef) => scaler.onDemand(ref), clock: this.asyncTime,
    };
    const eventInvoker = asyncInvoker(invokers);
    this.events = new EventServices({
      redis: this.redis, keyPrefix: this.opts.keyPrefix, catalog, logger, unsubscribeBase: () => this.opts.routerUrl, invoker: eventInvoker,
      metrics: () => this.eventMetrics,
      queues: { send: (ns, name, m) => outcomes.sendMessage(ns, name, { MessageId: m.messageId, Body: m.body, ...(m.attributes ? { MessageAttributes: sqsAttributes(m.attributes) } : {}) }) },
      ...(this.opts.httpDeliveryGuard ? { refuseUrl: this.opts.httpDeliveryGuard } : {}),
    });
    this.events.start();
    // scheduled rules put their ticks into the inbox (each tick once, whichever process leads)
    this.schedules = rulesScheduler({
      redis: this.redis, keyPrefix: this.opts.keyPrefix, inbox: this.events.inbox, arnFor, clock: this.asyncTime, logger,
      source: {
        rules: () => (this.eventInformers.get('eventrules')!.list() as unknown as EventRule[]).filter((r) => r.spec !== undefined).map((r) => ({
          view: ruleView(r), createdMs: Date.parse((r.metadata as { creationTimestamp?: string }).creationTimestamp ?? '') || undefined,
        })),
      },
    });
    this.schedules.start();
    // event source mappings: a poller per enabled mapping, invoking its function synchronously (replies on the leader)
    const keyPrefix = this.opts.keyPrefix;
    this.replies = new ReplyListener({ connect: () => this.redisErrors.watch(duplicateConnection(this.redis, { maxRetriesPerRequest: null })), keyPrefix, logger });
    this.pollers = new MappingPollers({
      mappings: () => (this.eventInformers.get('eventsourcemappings')!.list() as unknown as EventSourceMapping[]).filter((m) => m.spec !== undefined && checkStored(m as unknown as Stored<unknown>).ok),
      sqs: new SqsStore(this.redis, { keyPrefix, logger, arnFor }), kinesis: new KinesisStore(this.redis, { keyPrefix }), registry: this.registry,
      invoker: syncInvoker({ ...invokers, replies: this.replies, graceMs: 30_000 }), asyncInvoker: eventInvoker, inbox: this.events.inbox, arnFor, logger,
    });
    this.pollers.start();
    // async retries, destinations and dead letters (the dispatcher runs on the leader, beside the scaler and reaper)
    this.dispatcher = new Dispatcher({
      events: destinationEvents(this.events.inbox, catalog),
      outcomes, clock: this.asyncTime,
      logger, redisErrors: this.redisErrors, metrics: this.dispatcherMetrics,
      enqueue: (ref, inv) => queue.enqueue(ref, inv), onDemand: (ref) => scaler.onDemand(ref),
      registryFor: (namespace) => routes.registryFor(namespace, this.ctxArnFor(namespace)),
      arnFor: (namespace) => this.ctxArnFor(namespace),
      queues: () => targets.provisioned(),
      ...(this.opts.tracing ? { tracing: this.opts.tracing } : {}),
    });
    this.dispatcher.start();
    // Redis keeps no ACL users across a restart (no aclfile): every version's agent user is made again
    this.restarts = new RedisRestartWatch(this.redis, 2000, logger, () => {
      for (const f of this.informers.functions.list()) this.queues.functions.add(objectKey(f));
      for (const v of this.informers.versions.list()) this.queues.versions.add(objectKey(v));
    });
    this.restarts.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.leading;
    await this.scaler?.stop();
    await this.reaper?.stop();
    await this.dispatcher?.stop();
    await this.events?.stop();
    await this.schedules?.stop();
    await this.pollers?.stop();
    await this.replies?.close();
    this.restarts?.stop();
    await Promise.all(Object.values(this.queues).map((q) => q.stop()));
    await this.urlRoutes?.stop();
    await this.elector.stop();
    await Promise.all([...Object.values(this.informers), ...this.eventInformers.values()].map((i) => i.stop()));
    await this.routes?.close();
    this.demand.disconnect();
    this.redis.disconnect();
  }
}
