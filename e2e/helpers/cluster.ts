// e2e helper: klambda on the test control plane as a user runs it — `klambda controller` and `klambda router` as
// child processes with their own kubeconfigs (least-privilege users), Redis, and the process node for pods.
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { freePort, startRedisServer } from '../../src/local/redis-server.js';
import { newPassword } from '../../src/queue/acl.js';
import { RoutingTable } from '../../src/queue/routing-table.js';
import type { KubeClient } from '../../src/kube/client.js';
import { startCluster, CONTROLLER_USER, LEASE_NAMESPACE, ROUTER_USER, type ClusterFixture } from '../../test/control-plane/cluster-fixture.js';
import { ProcessNode } from '../../test/control-plane/process-node.js';
import { AWS_BASE_IMAGE, awsBaseImage, imageCatalog, imageRepository, klambdaImages, type ImageConfig } from '../../test/control-plane/images.js';
import { randomPrefix, useRedis, type TestRedis } from '../../test/helpers/redis.js';
import { decode, waitFor } from './local.js';
import { startVersityGw, type VersityGw } from '../../test/helpers/versitygw.js';

export interface AccessKeyPair { accessKeyId: string; secretAccessKey: string }

export interface KlambdaOnCluster {
  cluster: ClusterFixture;
  node: ProcessNode;
  routerUrl: string;
  /** Signed with ADMIN_KEY, a key of the namespace default (a Secret of type klambda.dev/access-key). */
  lambda: LambdaClient;
  /** An SDK client for the router signed with `key` (destroyed by stop). */
  client(key: AccessKeyPair): LambdaClient;
  table: RoutingTable;
  /** A Redis connection to klambda's Redis, and klambda's key prefix there. */
  redis: Redis;
  keyPrefix: string;
  /** Output of the controller and router processes (their JSON log lines). */
  logs: string[];
  /** The code store (a real versitygw), when started with `codeStore`. */
  store?: VersityGw;
  stop(): Promise<void>;
}

function run(args: string[], kubeconfig: string, logs: string[], name: string, extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli', 'main.js'), ...args], {
    // the async clock sped up 600× in the controller (dispatcher) and the router alike: Lambda's 1 min retry is 100 ms
    env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: kubeconfig, KLAMBDA_ASYNC_TIME_SCALE: ASYNC_TIME_SCALE, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => { for (const line of d.split('\n')) if (line) logs.push(`[${name}] ${line}`); if (process.env.KLAMBDA_TEST_LOGS) process.stderr.write(d); });
  }
  return child;
}

/** The speed of the async clock of klambda on the test cluster. */
export const ASYNC_TIME_SCALE = '600';

export const ADMIN_KEY: AccessKeyPair = { accessKeyId: 'AKIAKLAMBDAE2EADMIN1', secretAccessKey: 'e2e-admin-secret' };

/** An access key as a user creates one: a Secret of type klambda.dev/access-key in the namespace it grants. */
export async function createAccessKey(admin: KubeClient, namespace: string, name: string, key: AccessKeyPair, policy?: unknown): Promise<void> {
  const stringData: Record<string, string> = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  if (policy !== undefined) stringData.policy = JSON.stringify(policy);
  await admin.create(`/api/v1/namespaces/${namespace}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'klambda.dev/access-key', stringData });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface ClusterOptions {
  /** A private Redis whose default user needs a password (as the chart's does), instead of REDIS_URL. */
  privateRedis?: boolean;
  /**
   * A real versitygw as the code store (bucket klambda-code, made by klambda on first use), with the node's package
   * cache as a hostPath: zip packages through the Lambda API and code.s3.
   */
  codeStore?: boolean;
  /** More images the process node knows, by repository (a Function's `code.image`). */
  images?: Record<string, ImageConfig>;
  /** More flags of `klambda controller`. */
  controllerArgs?: string[];
  /** More environment of the controller and the router (OTEL_* for the tracing test). */
  env?: Record<string, string>;
}

export async function startKlambdaOnCluster(opts: ClusterOptions = {}): Promise<KlambdaOnCluster> {
  let redis: TestRedis | undefined;
  let cluster: ClusterFixture | undefined;
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  let store: VersityGw | undefined;
  const stop = async () => {
    for (const c of children) await stopChild(c);
    await node?.stop();
    await cluster?.stop();
    await redis?.stop();
    await store?.stop();
    awsBase?.remove();
  };
  let node: ProcessNode | undefined;
  let awsBase: ReturnType<typeof awsBaseImage> | undefined;
  try {
    [cluster, redis, store] = await Promise.all([
      startCluster(), opts.privateRedis ? startRedisServer({ password: newPassword() }) : useRedis(), opts.codeStore ? startVersityGw() : undefined,
    ]);
    const storeEnv: Record<string, string> = {
      ...(store ? {
        KLAMBDA_CODE_STORE_URL: store.endpoint, KLAMBDA_CODE_STORE_ACCESS_KEY_ID: store.root.accessKeyId, KLAMBDA_CODE_STORE_SECRET_ACCESS_KEY: store.root.secretAccessKey,
      } : {}),
      ...opts.env,
    };
    const storeFlags = store ? ['--package-cache-host-path', '/var/cache/klambda/packages', '--code-store-labels', ''] : [];
    // pods run the real shape: the agent from the klambda image, the function from a runtime image or an AWS base image
    awsBase = awsBaseImage(join(packageRoot(), 'test', 'fixtures', 'functions', 'aws-base-image'));
    const images = imageCatalog({ ...klambdaImages(packageRoot()), [imageRepository(AWS_BASE_IMAGE)]: awsBase.image, ...opts.images });
    node = new ProcessNode({ server: cluster.cp.server, token: cluster.cp.token, rootMap: { '/opt/klambda': packageRoot() }, images });
    await node.start();
    const prefix = randomPrefix();
    const port = await freePort();
    const routerUrl = `http://127.0.0.1:${port}`;
    // --ops-port 0: jest runs suites side by side, and the default 9090 is one port for all
    const common = ['--redis-url', redis.url, '--key-prefix', prefix, '--ops-port', '0'];
    children.push(run(['controller', ...common, '--agent-image', 'klambda:test', '--router-url', routerUrl, '--lease-namespace', LEASE_NAMESPACE,
      '--identity', 'e2e-controller', '--idle-timeout', '120', '--max-environments', '2', ...storeFlags, ...(opts.controllerArgs ?? [])], cluster.kubeconfig(CONTROLLER_USER), logs, 'controller', storeEnv));
    await createAccessKey(cluster.admin, 'default', 'e2e-admin', ADMIN_KEY);
    children.push(run(['router', ...common, '--host', '127.0.0.1', '--port', String(port)], cluster.kubeconfig(ROUTER_USER), logs, 'router', storeEnv));
    await waitFor(async () => ((await fetch(`${routerUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined), 30_000, 'router listening');
    const commands = new Redis(redis.url);
    const clients: LambdaClient[] = [];
    const client = (key: AccessKeyPair): LambdaClient => {
      // a copy: the SDK marks the credentials object it is given ($source)
      const c = new LambdaClient({ endpoint: routerUrl, region: 'us-east-1', maxAttempts: 1, credentials: { ...key } });
      clients.push(c);
      return c;
    };
    return {
      cluster, node, routerUrl, lambda: client(ADMIN_KEY), client, table: new RoutingTable(commands, prefix), redis: commands, keyPrefix: prefix, logs,
      ...(store ? { store } : {}),
      stop: async () => { for (const c of clients) c.destroy(); commands.disconnect(); await stop(); },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Invokes once the function has a route and an environment (cold starts on the process node take a while under
 * load); a function error is thrown with its payload.
 */
export async function invokeReady(lambda: LambdaClient, name: string, payload: unknown = {}, qualifier?: string): Promise<Record<string, unknown>> {
  const out = await waitFor(async () => {
    try {
      return await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...(qualifier ? { Qualifier: qualifier } : {}) }));
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }, 120_000, `${name} routed`);
  if (out.FunctionError) throw new Error(`${name}: ${out.FunctionError} ${Buffer.from(out.Payload ?? []).toString()}`);
  return decode(out.Payload) as Record<string, unknown>;
}

/**
 * What a failing cluster test wants to see of the default namespace: the controller's and router's error and warning
 * lines, each pod's status, each Deployment's status, the Events and both containers' output of every pod.
 */
export async function podDiagnostics(k: KlambdaOnCluster): Promise<string> {
  const get = <T>(path: string) => k.cluster.admin.get<{ items: T[] }>(path);
  const pods = await get<{ metadata: { name: string }; status: unknown }>('/api/v1/namespaces/default/pods');
  const deployments = await get<{ metadata: { name: string }; status: unknown }>('/apis/apps/v1/namespaces/default/deployments');
  const events = await get<{ reason: string; message: string }>('/api/v1/namespaces/default/events');
  return [
    ...k.logs.filter((l) => /error|warn|fail/i.test(l)),
    ...pods.items.map((p) => `${p.metadata.name} ${JSON.stringify(p.status)}`),
    ...deployments.items.map((d) => `${d.metadata.name} ${JSON.stringify(d.status)}`),
    ...events.items.map((e) => `event ${e.reason}: ${e.message}`),
    ...pods.items.flatMap((p) => ['agent', 'function'].map((c) => `--- ${p.metadata.name}/${c}\n${k.node.logs('default', p.metadata.name, c)}`)),
  ].join('\n');
}
