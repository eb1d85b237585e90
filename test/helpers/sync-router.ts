// Test helper: the router's Invoke API over a real Redis (or Redis Cluster), wired as the local mode and the cluster
// router wire it (commands with maxRetriesPerRequest 3, reply readers duplicated with null), with a registry of
// functions that all have the given timeout.
import type { FunctionNameRef } from '../../src/core/arn.js';
import type { Invocation } from '../../src/core/invocation.js';
import { silentLogger } from '../../src/core/logger.js';
import type { QueueRef } from '../../src/core/queue-contract.js';
import type { FunctionRegistry, ResolvedTarget } from '../../src/core/registry.js';
import { connectRedis, duplicateConnection, type RedisConnection } from '../../src/queue/connection.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { createRouterApp } from '../../src/router/app.js';
import { ConcurrencyLimiter } from '../../src/router/lambda/concurrency.js';
import { listen, type Listening } from '../../src/router/listen.js';
import { ReplyListener } from '../../src/router/replies.js';

export interface SyncRouter { http: Listening; commands: RedisConnection; queue: WorkQueue; replies: ReplyListener; stop(): Promise<void> }

export interface SyncAnswer { status: number; errorType: string | null; body: Record<string, unknown> }

/** Every function name resolves to its $LATEST in namespace default, with `timeoutSeconds`. */
function anyFunction(timeoutSeconds: number): FunctionRegistry {
  return { resolve: (ref: FunctionNameRef): ResolvedTarget => ({ namespace: 'default', functionName: ref.name, version: '$LATEST', timeoutSeconds }) };
}

export const latest = (functionName: string): QueueRef => ({ namespace: 'default', functionName, version: '$LATEST' });

export async function startSyncRouter(url: string, keyPrefix: string, timeoutSeconds: number): Promise<SyncRouter> {
  const commands = connectRedis(url, { maxRetriesPerRequest: 3 });
  commands.on('error', () => undefined);
  const queue = new WorkQueue(commands, { keyPrefix });
  const replies = new ReplyListener({
    connect: () => {
      const conn = duplicateConnection(commands, { maxRetriesPerRequest: null });
      conn.on('error', () => undefined);
      return conn;
    },
    keyPrefix, logger: silentLogger,
  });
  const app = createRouterApp({
    logger: silentLogger,
    invoke: {
      registry: anyFunction(timeoutSeconds), replies, arn: { region: 'us-east-1', accountId: '000000000000' },
      enqueue: (ref: QueueRef, inv: Invocation) => queue.enqueue(ref, inv),
      syncGraceMs: 30_000, limiter: new ConcurrencyLimiter(1000), now: Date.now, random: Math.random,
    },
  });
  const http = await listen(app, 0, '127.0.0.1');
  return {
    http, commands, queue, replies,
    stop: async () => { await http.close(); await replies.close(); commands.disconnect(); },
  };
}

/** A RequestResponse invoke by plain HTTP: the status, x-amzn-ErrorType and the JSON body. */
export async function invokeSync(router: SyncRouter, functionName: string, payload: unknown): Promise<SyncAnswer> {
  const res = await fetch(`${router.http.url}/2015-03-31/functions/${functionName}/invocations`, { method: 'POST', body: JSON.stringify(payload) });
  return { status: res.status, errorType: res.headers.get('x-amzn-ErrorType'), body: await res.json() as Record<string, unknown> };
}
