// The router on a cluster: one for every namespace; SigV4 keys from Secrets pick the caller's namespace (its account),
// the Lambda API over Redis, routes from the routing table, management through the API server.
import { asyncClockFromEnv } from '../core/async-policy.js';
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { Runtime } from '../core/runtimes.js';
import type { KubeClient } from '../kube/client.js';
import { connectionDown, connectRedis, duplicateConnection, type RedisConnection } from '../queue/connection.js';
import { queueUnreachable } from '../core/errors.js';
import { demandChannel, queueName } from '../queue/keys.js';
import { WorkQueue } from '../queue/work-queue.js';
import { DEMAND_GAP_MS } from '../scaler/scaler.js';
import type { Tracing } from '../tracing/tracer.js';
import { createRouterApp } from './app.js';
import { eventBridgeApi } from './eventbridge/targets.js';
import { snsRoutes } from './sns/routes.js';
import { eventBusBackend, topicBackend } from '../events/backends.js';
import { EventInbox } from '../events/inbox.js';
import { s3EventRoutes } from './s3-events/routes.js';
import { SecretS3EventTokens } from './s3-events/secret-tokens.js';
import { functionUrlRoutes } from './url/routes.js';
import { UrlSigner } from './url/iam.js';
import { routeUrlResolver } from './route-url-resolver.js';
import { SqsStore } from '../events/sqs/store.js';
import { KinesisStore } from '../events/kinesis/store.js';
import { requestBaseUrl, sqsApi } from './sqs/targets.js';
import { kinesisApi } from './kinesis/targets.js';
import { kubeEventObjects } from '../events/kube-event-objects.js';
import { jsonRoutes } from './json-rpc/dispatch.js';
import { listen } from './listen.js';
import { ConcurrencyLimiter } from './lambda/concurrency.js';
import type { InvokeDeps } from './lambda/invoke.js';
import { KubeCatalog } from './lambda/kube-catalog.js';
import { KubeEventSourceMappings } from './lambda/kube-esm.js';
import { managementRoutes } from './lambda/management.js';
import { KubeFunctionUrls } from './lambda/kube-urls.js';
import { ReplyListener } from './replies.js';
import { newRegistry } from '../metrics/registry.js';
import { RouteCache } from './route-cache.js';
import { catalogFor } from './auth/environment-redaction.js';
import { principalOf, type Principal } from './auth/principal.js';
import { SecretKeyStore } from './auth/secret-keys.js';
import { sigv4Auth } from './auth/sigv4-middleware.js';
import { missingAuthentication } from '../core/auth-errors.js';
import type { Request } from 'express';
import type { Registry } from 'prom-client';
import { RedisErrors } from '../metrics/redis-errors.js';
import { RouterMetrics } from '../metrics/router-metrics.js';
import { startOpsServer, type OpsServer } from '../ops/ops-server.js';
import type { CodeStore } from '../code/code-store.js';
import { S3CodeResolver } from '../controller/s3-code.js';
import { StoredSizes } from '../code/stored-sizes.js';

export interface ClusterRouterOptions {
  client: KubeClient;
  /** A server span per request (startTracing); absent: none. */
  tracing?: Tracing;
  redisUrl: string;
  keyPrefix: string;
  /** Credentials must be scoped to this region; ARNs carry it. */
  region: string;
  /** The account id of the namespace `default` unless annotated (other namespaces: annotation, else derived from the name). */
  accountId: string;
  port: number;
  host: string;
  logger: Logger;
  /** /healthz, /readyz and /metrics on this port of `host` (0 picks a free port); unset: no ops server. */
  opsPort?: number;
  /** The process's metrics registry (default: a new one, served by the ops server). */
  registry?: Registry;
  /** Where CreateFunction/UpdateFunctionCode keep zip packages (none: ZipFile is refused with a clear message). */
  codeStore?: CodeStore;
  /** Function URLs are `<url-id>.lambda-url.<region>.<urlDomain>` (default localhost). */
  urlDomain?: string;
  /** The runtimes the cluster serves (--runtimes, as the controller's); CreateFunction and UpdateFunctionConfiguration refuse others. Unset: all. */
  runtimes?: readonly Runtime[];
}

export interface ClusterRouter { url: string; port: number; routes: RouteCache; ops?: OpsServer; stop(): Promise<void> }

/** Tells the scaler (in the controller) that a queue has new work, at most once per gap per queue. */
export function demandPublisher(redis: RedisConnection, keyPrefix: string, gapMs = DEMAND_GAP_MS, now: () => number = Date.now): (ref: QueueRef) => void {
  const last = new Map<string, number>();
  const channel = demandChannel(keyPrefix);
  return (ref) => {
    const name = queueName(ref);
    const t = now();
    if (t - (last.get(name) ?? -Infinity) < gapMs) return;
    last.set(name, t);
    void redis.publish(channel, name).catch(() => undefined);
  };
}

export async function startClusterRouter(opts: ClusterRouterOptions): Promise<ClusterRouter> {
  const { logger } = opts;
  const registry = opts.registry ?? newRegistry();
  const redisErrors = new RedisErrors(registry);
  const commands = redisErrors.watch(connectRedis(opts.redisUrl, { maxRetriesPerRequest: 3 }));
  let ready = false;
  // up before the slow part of the start, so a probe tells "starting" from "dead"
  const ops = opts.opsPort === undefined ? undefined
    : await startOpsServer({ port: opts.opsPort, host: opts.host, logger, registry, ping: () => commands.ping(), ready: () => ready });
  // SigV4 is always on: no keys readable, no router
  const keys = await SecretKeyStore.start({ client: opts.client, logger, defaultAccountId: opts.accountId });
  const queue = new WorkQueue(commands, { keyPrefix: opts.keyPrefix, onUnreplicated: redisErrors.unreplicated(logger) });
  const replies = new ReplyListener({ connect: () => redisErrors.watch(duplicateConnection(commands, { maxRetriesPerRequest: null })), keyPrefix: opts.keyPrefix, logger });
  const arn = { region: opts.region, accountId: opts.accountId };
  // every namespace's routes; a request resolves in its caller's namespace (registryFor), never through resolve()
  const routes = await RouteCache.start({ commands, subscriber: redisErrors.watch(connectRedis(opts.redisUrl)), keyPrefix: opts.keyPrefix, namespace: 'default', arn, logger });
  const caller = (req: Request): { p: Principal; arn: { region: string; accountId: string } } => {
    const p = principalOf(req);
    if (!p) throw missingAuthentication();
    return { p, arn: { region: opts.region, accountId: p.accountId } };
  };
  const limiter = new ConcurrencyLimiter(1000);
  // the SNS and EventBridge APIs hand messages and events to the leading controller's worker through the inbox
  const inbox = new EventInbox(commands, opts.keyPrefix);
  // S3 object events: each namespace's webhook token is in its Secret klambda-s3-events
  const s3Tokens = new SecretS3EventTokens(opts.client, logger);
  s3Tokens.start();
  // queues (SQS) and streams (Kinesis) on Redis, fed by their APIs and read by the controller's event source mappings
  const sqsStore = new SqsStore(commands, { keyPrefix: opts.keyPrefix, logger, arnFor: (ns) => ({ region: opts.region, accountId: keys.accountIdOf(ns) }) });
  const kinesisStore = new KinesisStore(commands, { keyPrefix: opts.keyPrefix });
  const s3 = new S3CodeResolver(opts.client, opts.codeStore);
  const sizes = opts.codeStore ? new StoredSizes(opts.codeStore) : undefined;
  const invoke: InvokeDeps = {
    registry: routes, replies, arn,
    enqueue: (ref, inv) => {
        // Redis away: answer now (the invocation was not queued) rather than after ioredis's reconnect attempts
        if (connectionDown(commands)) { redisErrors.inc('enqueue'); return Promise.reject(queueUnreachable()); }
        return queue.enqueue(ref, inv).catch((err: unknown) => { redisErrors.inc('enqueue'); throw err; });
      },
    onDemand: demandPublisher(commands, opts.keyPrefix),
    syncGraceMs: 30_000,
    limiter,
    now: Date.now,
    random: Math.random,
    metrics: new RouterMetrics(registry, () => limiter.inFlight),
    // event ages are measured on the dispatcher's clock (the controller reads the same variable)
    asyncClock: asyncClockFromEnv(process.env),
  };
  const accountArn = (namespace: string) => ({ region: opts.region, accountId: keys.accountIdOf(namespace) });
  // Function URLs, before SigV4: NONE needs no signature, AWS_IAM checks its own (lambda:InvokeFunctionUrl)
  const urls = functionUrlRoutes({
    resolver: routeUrlResolver(routes), region: opts.region, domain: opts.urlDomain ?? 'localhost', logger,
    signer: new UrlSigner({ keys, region: opts.region }),
    invoke: (t) => { const at = accountArn(t.namespace); return { ...invoke, registry: routes.registryFor(t.namespace, at), arn: at }; },
  });
  const app = createRouterApp({
    logger, ...(opts.tracing ? { tracing: opts.tracing } : {}),
    publicRoutes: [urls, s3EventRoutes({ tokenFor: (ns) => s3Tokens.tokenFor(ns), inbox, logger })],
    auth: sigv4Auth({ keys, region: opts.region }),
    invoke: (req) => {
      const { p, arn: at } = caller(req);
      return { ...invoke, registry: routes.registryFor(p.namespace, at), arn: at };
    },
    routes: [managementRoutes((req) => {
      const { p, arn: at } = caller(req);
      return catalogFor(new KubeCatalog(opts.client, { namespace: p.namespace, arn: at, s3, ...(opts.runtimes ? { runtimes: opts.runtimes } : {}), ...(opts.codeStore && sizes ? { store: opts.codeStore, sizes } : {}) }), p);
    }, logger, undefined, (req) => new KubeEventSourceMappings(opts.client, { namespace: caller(req).p.namespace }), (req) => {
      const { p, arn: at } = caller(req);
      return new KubeFunctionUrls(opts.client, p.namespace, at);
    }, opts.urlDomain), snsRoutes((req) => topicBackend(kubeEventObjects(opts.client, caller(req).p.namespace), inbox), (req) => caller(req).arn, logger), jsonRoutes([
      eventBridgeApi((req) => eventBusBackend(kubeEventObjects(opts.client, caller(req).p.namespace), inbox), (req) => caller(req).arn),
      sqsApi((req) => { const c = caller(req); return { store: sqsStore, namespace: c.p.namespace, arn: c.arn, baseUrl: requestBaseUrl(req) }; }),
      kinesisApi((req) => { const c = caller(req); return { store: kinesisStore, namespace: c.p.namespace, arn: c.arn }; }),
    ])],
  });
  const http = await listen(app, opts.port, opts.host);
  ready = true;
  return {
    url: http.url, port: http.port, routes, ...(ops ? { ops } : {}),
    stop: async () => {
      await http.close();
      await ops?.close();
      await routes.close();
      await replies.close();
      await keys.stop();
      await s3Tokens.stop();
      opts.codeStore?.destroy();
      commands.disconnect();
    },
  };
}
