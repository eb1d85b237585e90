// The local mode: router, scaler, reaper and runtime agents (as child processes) over a folder of manifests.
import { CodeLocations, codeLocationRoutes } from '../router/lambda/code-location.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessBackend } from '../backends/process-backend.js';
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import { WorkQueue } from '../queue/work-queue.js';
import { connectionDown, connectRedis, duplicateConnection } from '../queue/connection.js';
import { queueUnreachable } from '../core/errors.js';
import { RedisRestartWatch } from '../controller/redis-restarts.js';
import { Reaper } from '../queue/reaper.js';
import { createRouterApp } from '../router/app.js';
import { eventBridgeApi } from '../router/eventbridge/targets.js';
import { snsRoutes } from '../router/sns/routes.js';
import { eventBusBackend, topicBackend } from '../events/backends.js';
import { jsonRoutes } from '../router/json-rpc/dispatch.js';
import { listen, type Listening } from '../router/listen.js';
import { ConcurrencyLimiter } from '../router/lambda/concurrency.js';
import { managementRoutes } from '../router/lambda/management.js';
import { LocalFunctionUrls } from './url-writes.js';
import { ReplyListener } from '../router/replies.js';
import { FileKeyStore } from '../router/auth/credentials-file.js';
import { catalogFor } from '../router/auth/environment-redaction.js';
import { isLoopbackHost, localGuard } from '../router/auth/local-guard.js';
import type { InvokeDeps } from '../router/lambda/invoke.js';
import { functionUrlRoutes } from '../router/url/routes.js';
import { UrlSigner } from '../router/url/iam.js';
import { localUrlResolver, urlTargets } from '../router/url/resolver.js';
import { urlHost } from '../core/function-url.js';
import { anonymousPrincipal, principalOf } from '../router/auth/principal.js';
import { sigv4Auth } from '../router/auth/sigv4-middleware.js';
import { Scaler } from '../scaler/scaler.js';
import { LocalCatalog } from './local-catalog.js';
import { LocalEventSourceMappings } from './esm-writes.js';
import { LocalRegistry } from './local-registry.js';
import { ManifestStore } from './manifest-store.js';
import { changedFunctions } from './manifest-changes.js';
import { startSupervisedRedis, type SupervisedRedis } from './supervised-redis.js';
import { LocalAgentCredentials } from './agent-credentials.js';
import { newPassword } from '../queue/acl.js';
import type { Registry } from 'prom-client';
import { FunctionExporter } from '../metrics/function-exporter.js';
import type { InventoryFunction } from '../metrics/inventory.js';
import { RedisErrors } from '../metrics/redis-errors.js';
import { asyncClockFromEnv, systemErrorBackoff, type AsyncClock } from '../core/async-policy.js';
import { Dispatcher } from '../dispatcher/dispatcher.js';
import { startTracing } from '../tracing/tracer.js';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics.js';
import { OutcomeQueue } from '../queue/outcomes.js';
import { newRegistry } from '../metrics/registry.js';
import { asyncInvoker, syncInvoker } from '../events/function-invokers.js';
import { MappingPollers } from '../events/mapping-pollers.js';
import type { Invocation } from '../core/invocation.js';
import { destinationEvents } from '../events/destination-events.js';
import { EventServices } from '../events/event-services.js';
import { EventMetrics } from '../metrics/event-metrics.js';
import { sqsAttributes } from '../events/sns-shapes.js';
import { localEventCatalog, localEventObjects } from './local-events.js';
import { rulesScheduler } from '../events/schedules.js';
import { SqsStore } from '../events/sqs/store.js';
import { KinesisStore } from '../events/kinesis/store.js';
import { requestBaseUrl, sqsApi } from '../router/sqs/targets.js';
import { kinesisApi } from '../router/kinesis/targets.js';
import { ruleView } from '../events/views.js';
import { RouterMetrics } from '../metrics/router-metrics.js';
import { ScalerMetrics } from '../metrics/scaler-metrics.js';
import { s3EventRoutes, s3EventsPath } from '../router/s3-events/routes.js';
import { localS3EventsToken } from './s3-events-token.js';
import { localRuntimeAvailability } from '../core/runtime-probe.js';

export interface LocalOptions {
  dir: string;
  port: number;
  host: string;
  redisUrl?: string;
  idleTimeoutSeconds: number;
  region: string;
  accountId: string;
  logger: Logger;
  /** Prefix of every Redis key (default "klambda"); tests use a random one. */
  keyPrefix?: string;
  /** Function output and START/END/REPORT lines of every environment. */
  onFunctionLog?(queue: QueueRef, line: string): void;
  /** Grace added to the function timeout before a held invocation is reclaimed (default 5 s). */
  visibilityGraceMs?: number;
  /** Environments per version at most (default 64). */
  maxEnvironments?: number;
  /**
   * `--auth FILE`: SigV4 on every call, with the keys of this AWS-credentials-style file (reloaded when it changes).
   * Without it the API is unauthenticated but answers only loopback Hosts, no foreign Origin and no form-like writes.
   */
  auth?: string;
  /** The process's metrics registry (default: a new one), served at /metrics on the API port. */
  registry?: Registry;
  /** The clock of async retries and event ages (default: KLAMBDA_ASYNC_TIME_SCALE, else real time). */
  asyncClock?: AsyncClock;
  /** The S3 event webhook's token (default: the one kept in DIR/.klambda/s3-events-token, made at the first start). */
  s3EventsToken?: string;
  /** The runtimes this klambda serves (default: every one whose program is installed); others are load and API errors. */
  runtimes?: readonly string[];
}

export interface LocalKlambda {
  url: string;
  port: number;
  redisUrl: string;
  keyPrefix: string;
  backend: ProcessBackend;
  store: ManifestStore;
  registry: Registry;
  /** klambda's own Redis, when no --redis-url was given. */
  ownRedis: SupervisedRedis | undefined;
  /** Where an S3-compatible server posts its object events (versitygw --event-webhook-url). */
  s3EventsUrl: string;
  stop(): Promise<void>;
}

const NAMESPACE = 'default';


/** The functions of the manifest folder as the metrics exporter lists them. */
function localInventory(store: ManifestStore, registry: LocalRegistry): InventoryFunction[] {
  return store.functions().map((fn) => {
    const namespace = fn.metadata.namespace ?? NAMESPACE;
    const versions = ['$LATEST', ...store.versions(namespace, fn.metadata.name).map((v) => v.spec.version)];
    const f: InventoryFunction = {
      namespace, functionName: fn.metadata.name,
      versions: versions.map((version) => ({ version, provisioned: registry.provisionedFor({ namespace, functionName: fn.metadata.name, version }) })),
    };
    if (fn.spec.reservedConcurrency !== undefined) f.reservedConcurrency = fn.spec.reservedConcurrency;
    return f;
  });
}

/** The local mode without --auth: a Function URL answers loopback names only (a foreign one may be a rebound DNS name). */
function localUrlHostRefusal(host: string | undefined): string | undefined {
  const name = (host ?? '').toLowerCase().replace(/:\d{1,5}$/, '');
  if (isLoopbackHost(host) || name.endsWith('.localhost')) return undefined;
  return `Host '${host ?? ''}' refused: without --auth, klambda dev serves Function URLs only under localhost names and loopback addresses`;
}

/** One line per Function URL of the folder: its host name and the path that reaches it without DNS. */
function logUrls(logger: Logger, store: ManifestStore, base: string, region: string): void {
  const port = new URL(base).port;
  for (const [id, t] of urlTargets(store.snapshot(), NAMESPACE)) {
    logger.info({ msg: 'function URL', function: t.functionName, qualifier: t.qualifier, authType: t.config.authType,
      url: `http://${urlHost(id, region, 'localhost')}:${port}/`, path: `${base}/lambda-url/${id}/` });
  }
}

function forwardAgentLog(logger: Logger, q: QueueRef, line: string): void {
  let level: unknown;
  try { level = (JSON.parse(line) as { level?: unknown }).level; } catch { level = 'warn'; }
  if (level === 'info') return;
  const fields = { source: 'agent', function: q.functionName, version: q.version, line };
  if (level === 'error') logger.error(fields); else logger.warn(fields);
}

export async function startLocal(opts: LocalOptions): Promise<LocalKlambda> {
  const { logger } = opts;
  // a key file with errors stops the start before anything runs
  const keys = opts.auth === undefined ? undefined : new FileKeyStore(resolve(opts.auth), { namespace: NAMESPACE, accountId: opts.accountId, logger });
  const dir = resolve(opts.dir);
  const s3EventsToken = localS3EventsToken(dir, opts.s3EventsToken);
  const store = await ManifestStore.open(dir, { runtimes: (r) => localRuntimeAvailability(r, opts.runtimes) });
  let ownRedis: SupervisedRedis | undefined;
  // klambda's own Redis requires a password that only this process holds; agents get their own ACL users. Its
  // append-only file is in the folder's .klambda/redis, and it is started again if it dies.
  const redisUrl = opts.redisUrl
    ?? (ownRedis = await startSupervisedRedis({ dataDir: join(dir, '.klambda', 'redis'), password: newPassword(), logger })).url;
  const keyPrefix = opts.keyPrefix ?? 'klambda';
  const registry = opts.registry ?? newRegistry();
  const redisErrors = new RedisErrors(registry);
  const commands = redisErrors.watch(connectRedis(redisUrl, { maxRetriesPerRequest: 3 }));
  const asyncTime = opts.asyncClock ?? asyncClockFromEnv(process.env);
  // spans (OTEL_EXPORTER_OTLP_ENDPOINT…): the router's and the dispatcher's under the names they have on a cluster;
  // the agents inherit the OTEL_* variables
  const [routerTracing, dispatcherTracing] = await Promise.all([startTracing(process.env, 'klambda-router', logger), startTracing(process.env, 'klambda-controller')]);
  const queue = new WorkQueue(commands, { keyPrefix, eventBackoff: systemErrorBackoff(asyncTime), onUnreplicated: redisErrors.unreplicated(logger) });
  const credentials = new LocalAgentCredentials(commands, redisUrl, keyPrefix, logger);
  ownRedis?.onRestart(() => credentials.restore());
  // a Redis of the user's (each node of a Redis Cluster) forgets the agents' users when it restarts: make them again
  const restarts = ownRedis ? undefined : new RedisRestartWatch(commands, 2000, logger, () => void credentials.restore());
  restarts?.start();
  const replies = new ReplyListener({ connect: () => redisErrors.watch(duplicateConnection(commands, { maxRetriesPerRequest: null })), keyPrefix, logger });
  const arn = { region: opts.region, accountId: opts.accountId };
  const codeCacheDir = join(dir, '.klambda', 'code');
  mkdirSync(codeCacheDir, { recursive: true });
  const functions = new LocalRegistry(store, { namespace: NAMESPACE, arn, codeCacheDir });
  const backendOpts: ConstructorParameters<typeof ProcessBackend>[0] = {
    agentRedisUrl: (q) => credentials.urlFor(q), keyPrefix, logger, visibilityGraceMs: opts.visibilityGraceMs ?? 5000,
    onOutput: (q, stream, line) => {
      if (stream === 'stdout') opts.onFunctionLog?.(q, line);
      else forwardAgentLog(logger, q, line);
    },
  };
  const backend = new ProcessBackend(backendOpts);
  const scaler = new Scaler({
    backend, targets: functions, depth: (q) => queue.depth(q), logger,
    tickMs: 250, idleTimeoutMs: opts.idleTimeoutSeconds * 1000, maxEnvironments: opts.maxEnvironments ?? 64,
    metrics: new ScalerMetrics(registry),
  });
  // every version of the folder, not only those the scaler knows: after a restart of klambda dev, work queued or held
  // by the last run is reclaimed and its versions are started again (onBacklog), with no new invoke needed
  const reaper = new Reaper({ queue, queues: () => functions.queues(), intervalMs: 1000, logger, redisErrors, onBacklog: (ref) => scaler.onDemand(ref) });
  // events: topics' messages and buses' events, from the inbox to functions, queues, HTTP endpoints and topics
  const outcomes = new OutcomeQueue(commands, keyPrefix);
  const eventCatalog = localEventCatalog(store, arn);
  let routerUrl = '';
  const invokers = { registryFor: () => functions, arnFor: () => arn, enqueue: (ref: QueueRef, inv: Invocation) => queue.enqueue(ref, inv), onDemand: (ref: QueueRef) => scaler.onDemand(ref), clock: asyncTime };
  const eventInvoker = asyncInvoker(invokers);
  const events = new EventServices({
    redis: commands, keyPrefix, catalog: eventCatalog, logger, unsubscribeBase: () => routerUrl, invoker: eventInvoker,
    metrics: (e) => new EventMetrics(registry, { inbox: () => e.inbox.depth(), http: () => e.http.pending() }),
    queues: { send: (ns, name, m) => outcomes.sendMessage(ns, name, { MessageId: m.messageId, Body: m.body, ...(m.attributes ? { MessageAttributes: sqsAttributes(m.attributes) } : {}) }) },
  });
  // scheduled rules put their ticks into the inbox
  const schedules = rulesScheduler({
    redis: commands, keyPrefix, inbox: events.inbox, arnFor: () => arn, clock: asyncTime, logger,
    source: { rules: () => store.snapshot().eventRules().map((r) => ({ view: ruleView(r) })) },
  });
  // queues (SQS) and streams (Kinesis) on Redis, fed by their APIs and read by the folder's event source mappings
  const sqsStore = new SqsStore(commands, { keyPrefix, logger, arnFor: () => arn });
  const kinesisStore = new KinesisStore(commands, { keyPrefix });
  const pollers = new MappingPollers({
    mappings: () => store.snapshot().eventSourceMappings(), sqs: sqsStore, kinesis: kinesisStore, registry,
    invoker: syncInvoker({ ...invokers, replies, graceMs: 30_000 }), asyncInvoker: eventInvoker, inbox: events.inbox, arnFor: () => arn, logger,
  });
  // the SNS and EventBridge APIs write the folder's Topics and EventRules and publish into the inbox
  const eventObjects = localEventObjects(store, NAMESPACE);
  const topics = topicBackend(eventObjects, events.inbox);
  const bus = eventBusBackend(eventObjects, events.inbox);
  // async retries, destinations and dead letters of every version in the folder
  const dispatcher = new Dispatcher({
    events: destinationEvents(events.inbox, eventCatalog),
    outcomes, clock: asyncTime, logger, redisErrors, metrics: new DispatcherMetrics(registry),
    enqueue: (ref, inv) => queue.enqueue(ref, inv), onDemand: (ref) => scaler.onDemand(ref),
    registryFor: () => functions, arnFor: () => arn, queues: () => functions.queues(), tracing: dispatcherTracing,
  });
  // the agents' figures: the local mode is the one process that exports them
  new FunctionExporter({ registry, redis: commands, keyPrefix, redisErrors, inventory: () => localInventory(store, functions) });
  const limiter = new ConcurrencyLimiter(1000);
  let ready = false;
  const catalog = new LocalCatalog(store, {
    namespace: NAMESPACE, arn, codeCacheDir,
    latestSettled: async (functionName, kick) => {
      const queue = { namespace: NAMESPACE, functionName, version: '$LATEST' };
      if (kick) scaler.onDemand(queue);
      const target = await functions.target(queue).catch(() => undefined);
      return !target || backend.settled(queue, target.spec);
    },
  });
  const codeLocations = new CodeLocations();
  const mappings = new LocalEventSourceMappings(store, NAMESPACE);
  const urlConfigs = new LocalFunctionUrls(store, NAMESPACE, arn);
  const anonymous = anonymousPrincipal(NAMESPACE, opts.accountId);
  const invoke: InvokeDeps = {
    registry: functions, replies, arn,
    enqueue: (ref, inv) => {
      // Redis away: answer now (the invocation was not queued) rather than after ioredis's reconnect attempts
      if (connectionDown(commands)) { redisErrors.inc('enqueue'); return Promise.reject(queueUnreachable()); }
      return queue.enqueue(ref, inv).catch((err: unknown) => { redisErrors.inc('enqueue'); throw err; });
    },
    onDemand: (ref) => scaler.onDemand(ref),
    syncGraceMs: 30_000,
    limiter,
    now: Date.now,
    random: Math.random,
    asyncClock: asyncTime,
    metrics: new RouterMetrics(registry, () => limiter.inFlight),
  };
  // Function URLs: without --auth, only loopback names reach them (`<url-id>.lambda-url.<region>.localhost` is one)
  const urls = functionUrlRoutes({
    resolver: localUrlResolver(store, NAMESPACE), invoke: () => invoke, region: opts.region, domain: 'localhost', logger,
    signer: new UrlSigner({ region: opts.region, anonymous, ...(keys ? { keys } : {}) }),
    ...(keys ? {} : { refuseHost: localUrlHostRefusal }),
  });
  const app = createRouterApp({
    logger, tracing: routerTracing,
    auth: keys ? sigv4Auth({ keys, region: opts.region }) : localGuard(anonymous),
    invoke,
    // /metrics and /readyz beside /healthz on the API port, before auth (a scraper has no SigV4 key)
    ops: { registry, ping: () => commands.ping(), ready: () => ready },
    routes: [managementRoutes((req) => catalogFor(catalog, principalOf(req)), logger, codeLocations, () => mappings, () => urlConfigs), snsRoutes(() => topics, () => arn, logger), jsonRoutes([eventBridgeApi(() => bus, () => arn), sqsApi((req) => ({ store: sqsStore, namespace: NAMESPACE, arn, baseUrl: requestBaseUrl(req) })), kinesisApi(() => ({ store: kinesisStore, namespace: NAMESPACE, arn }))])],
    publicRoutes: [
      urls, codeLocationRoutes(codeLocations, (account) => (account === opts.accountId ? catalog : undefined)),
      // object events of an S3-compatible server, to the folder's BucketNotifications (the token in the URL is the proof)
      s3EventRoutes({ tokenFor: (ns) => (ns === NAMESPACE ? s3EventsToken : undefined), inbox: events.inbox, logger }),
    ],
  });
  let http: Listening;
  try {
    http = await listen(app, opts.port, opts.host);
  } catch (err) {
    // nothing runs yet but the connections, the key file's watch and klambda's own redis-server: none may outlive the failed start
    keys?.close();
    restarts?.stop();
    store.close();
    await replies.close();
    commands.disconnect();
    await ownRedis?.stop();
    throw err;
  }
  routerUrl = http.url;
  logUrls(logger, store, http.url, opts.region);
  scaler.start();
  reaper.start();
  dispatcher.start();
  events.start();
  schedules.start();
  pollers.start();
  ready = true;
  let loaded = store.snapshot();
  store.watch((change) => {
    if (change.error) logger.error({ msg: 'manifests not reloaded: the folder has errors; the last good ones stay in use', error: change.error.message });
    else {
      logger.info({ msg: 'manifests reloaded', functions: changedFunctions(loaded, change.snapshot) });
      loaded = change.snapshot;
    }
  });
  let stopped: Promise<void> | undefined;
  return {
    url: http.url, port: http.port, redisUrl, keyPrefix, backend, store, registry, ownRedis,
    s3EventsUrl: `${http.url}${s3EventsPath(NAMESPACE, s3EventsToken)}`,
    stop: () => (stopped ??= (async () => {
      // everything that uses klambda's own Redis is closing: were it to die now, it stays down
      ownRedis?.stopRestarting();
      await http.close();
      keys?.close();
      restarts?.stop();
      store.close();
      // no caller waits for a reply once the API is closed: the BLPOP connections go before anything can make them reconnect
      await replies.close();
      // the passes and the scaler together; a last pass may still have asked the scaler for an environment, which the
      // second scaler.stop() waits for, so no agent starts after stopAll below
      await Promise.all([reaper.stop(), dispatcher.stop(), scaler.stop(), events.stop(), schedules.stop(), pollers.stop()]);
      await scaler.stop();
      // The agents, all at once; each ends within a poll when idle. With Redis gone (it crashed, or a signal to the whole
      // process tree reached it too) an agent can neither finish nor leave the queue, and its BLPOP would wait out
      // ioredis's ~20 reconnects (10 s, a warning each): then they are ended at once (their group: runtimes too).
      // Held leases are left to expire; the reaper of the next start puts the jobs back.
      const agentPids = backend.queues().flatMap((q) => backend.pids(q));
      const agentsGone = backend.stopAll();
      let agentsStopped = false;
      const killAgents = (): void => {
        if (agentsStopped) return;
        for (const pid of agentPids) {
          try { process.kill(-pid, 'SIGKILL'); } catch { /* its group has ended */ }
        }
      };
      if (connectionDown(commands)) killAgents(); else commands.once('close', killAgents);
      await agentsGone;
      agentsStopped = true;
      commands.off('close', killAgents);
      // the agents' ACL users live in the server's memory: klambda's own Redis forgets them as it stops; another's keeps
      // them, so they are deleted there, unless it is away (then ioredis's retries would only hold the exit up)
      if (!ownRedis && !connectionDown(commands)) await credentials.removeAll();
      commands.disconnect();
      await ownRedis?.stop();
      await Promise.all([routerTracing.shutdown(), dispatcherTracing.shutdown()]);
    })()),
  };
}
