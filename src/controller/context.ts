// What every reconciler is handed: the API client, the Redis side, event recorder, caches and configuration.
import type { FunctionVersionSpec } from '../api/function-version.js';
import type { ArnContext } from '../core/arn.js';
import type { Logger } from '../core/logger.js';
import type { KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import type { RoutingTable } from '../queue/routing-table.js';
import type { WorkQueue } from '../queue/work-queue.js';
import type { ClusterAgentCredentials } from './agent-credentials.js';
import type { Stored } from './kinds.js';
import type { S3CodeResolver } from './s3-code.js';
import type { WorkloadConfig } from './workload.js';

export interface ControllerContext {
  client: KubeClient;
  table: RoutingTable;
  queues: Pick<WorkQueue, 'purge'>;
  events: EventRecorder;
  /** Each version's agent Redis user and the Secret that carries it. */
  credentials: Pick<ClusterAgentCredentials, 'ensure' | 'remove'>;
  workload: WorkloadConfig;
  /** Resolves `code.s3` into a package of the code store (refuses it clearly when there is no store). */
  s3: S3CodeResolver;
  /** Region and account id of a namespace's ARNs (a namespace is an account). */
  arnFor(namespace: string): ArnContext;
  /** The controller's own namespace (klambda's Redis and code store credentials): no function there reads Secrets. */
  ownNamespace?: string;
  /** The router's base URL, for Function status.url. */
  routerUrl: string;
  logger: Logger;
  now(): number;
  versions: Informer<Stored<FunctionVersionSpec>>;
  functions: Informer<Stored<unknown>>;
  topics: Informer<Stored<unknown>>;
  /** The name of the Alias object that routes `fn:alias` (the oldest, if several claim it). */
  aliasOwner(namespace: string, functionName: string, aliasName: string): string | undefined;
}
