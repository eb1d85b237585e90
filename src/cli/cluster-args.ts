// `klambda controller` and `klambda router` (the processes of a cluster install): options from flags, then env (pure).
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import type { ClusterRouterOptions } from '../router/cluster-router.js';
import { RUNTIMES, type Runtime } from '../api/function.js';
import { UsageError } from './usage-error.js';

export interface ControllerCommand {
  command: 'controller';
  redisUrl: string;
  agentRedisUrl: string;
  keyPrefix: string;
  agentImage: string;
  /** Runtime images given explicitly; the others are named after the agent image (klambda-<runtime>:<its tag>). */
  runtimeImages: Partial<Record<Runtime, string>>;
  routerUrl: string;
  identity: string;
  leaseNamespace: string;
  region: string;
  accountId: string;
  idleTimeoutSeconds: number;
  maxEnvironments: number;
  redisNamespace: string;
  redisPodLabels: Record<string, string>;
}

/** `klambda router`: the cluster router's options as the command line gives them. */
export type RouterCommand = { command: 'router' } & Omit<ClusterRouterOptions, 'client' | 'logger'>;

export const CLUSTER_USAGE = `       klambda controller [--redis-url URL] [--agent-redis-url URL] [--agent-image IMAGE] [--runtime-images RT=IMAGE,...] [--router-url URL]
                          [--lease-namespace NS] [--identity NAME] [--idle-timeout S] [--max-environments N]
                          [--redis-namespace NS] [--redis-labels k=v,...] [--key-prefix P] [--region R] [--account-id ID]
       klambda router [--port PORT] [--host HOST] [--redis-url URL] [--key-prefix P] [--region R] [--account-id ID]
  controller  reconcile Function/FunctionVersion/Alias objects (kubeconfig: in-cluster, $KUBECONFIG or ~/.kube/config)
              into Deployments and the routing table in Redis, and scale versions from queue depth (one leader at a time)
  router      serve the Lambda API for every namespace on HOST:PORT (default 0.0.0.0:9000), SigV4 on every call: an access key
              (a Secret of type klambda.dev/access-key) selects its namespace; --account-id is the account of namespace default
environment: REDIS_URL, KLAMBDA_AGENT_IMAGE, KLAMBDA_ROUTER_URL, POD_NAME, POD_NAMESPACE`;

type Env = Record<string, string | undefined>;

function number(flag: string, raw: string, ok: (n: number) => boolean): number {
  const n = Number(raw);
  if (!ok(n)) throw new UsageError(`--${flag}: not a valid value: ${raw}`);
  return n;
}

function common(values: Record<string, string | boolean | undefined>, env: Env): { redisUrl: string; keyPrefix: string; region: string; accountId: string } {
  const redisUrl = (values['redis-url'] as string | undefined) ?? env.REDIS_URL;
  if (!redisUrl) throw new UsageError('--redis-url (or REDIS_URL) is required');
  const accountId = (values['account-id'] as string | undefined) ?? '000000000000';
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be 12 digits, got ${accountId}`);
  return { redisUrl, keyPrefix: (values['key-prefix'] as string | undefined) ?? 'klambda', region: (values.region as string | undefined) ?? 'us-east-1', accountId };
}

export function parseLabels(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    if (!k || v === undefined) throw new UsageError(`--redis-labels: expected k=v[,k=v], got ${raw}`);
    out[k] = v;
  }
  return out;
}

/** `nodejs20=registry/x:1,python3.11=…` → the runtime images given explicitly. */
export function parseRuntimeImages(raw: string): Partial<Record<Runtime, string>> {
  const out: Partial<Record<Runtime, string>> = {};
  for (const pair of raw.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const runtime = pair.slice(0, eq) as Runtime;
    if (eq <= 0 || !RUNTIMES.includes(runtime) || eq === pair.length - 1) {
      throw new UsageError(`--runtime-images: expected ${RUNTIMES.join('|')}=IMAGE[,...], got ${raw}`);
    }
    out[runtime] = pair.slice(eq + 1);
  }
  return out;
}

export function parseControllerArgs(argv: string[], env: Env): ControllerCommand {
  const { values } = parseArgs({
    args: argv, allowPositionals: false,
    options: Object.fromEntries(['redis-url', 'agent-redis-url', 'key-prefix', 'agent-image', 'runtime-images', 'router-url', 'identity', 'lease-namespace', 'region',
      'account-id', 'idle-timeout', 'max-environments', 'redis-namespace', 'redis-labels'].map((f) => [f, { type: 'string' as const }])),
  });
  const base = common(values, env);
  const leaseNamespace = values['lease-namespace'] ?? env.POD_NAMESPACE ?? 'klambda-system';
  return {
    command: 'controller', ...base,
    agentRedisUrl: values['agent-redis-url'] ?? base.redisUrl,
    agentImage: values['agent-image'] ?? env.KLAMBDA_AGENT_IMAGE ?? 'klambda:latest',
    runtimeImages: parseRuntimeImages(values['runtime-images'] ?? ''),
    routerUrl: values['router-url'] ?? env.KLAMBDA_ROUTER_URL ?? `http://klambda-router.${leaseNamespace}.svc:9000`,
    identity: values.identity ?? env.POD_NAME ?? `${hostname()}-${process.pid}`,
    leaseNamespace,
    idleTimeoutSeconds: number('idle-timeout', values['idle-timeout'] ?? '300', (n) => Number.isFinite(n) && n >= 0),
    maxEnvironments: number('max-environments', values['max-environments'] ?? '64', (n) => Number.isInteger(n) && n >= 1),
    redisNamespace: values['redis-namespace'] ?? leaseNamespace,
    redisPodLabels: parseLabels(values['redis-labels'] ?? 'app.kubernetes.io/name=redis'),
  };
}

export function parseRouterArgs(argv: string[], env: Env): RouterCommand {
  const { values } = parseArgs({
    args: argv, allowPositionals: false,
    options: Object.fromEntries(['redis-url', 'key-prefix', 'region', 'account-id', 'port', 'host'].map((f) => [f, { type: 'string' as const }])),
  });
  return {
    command: 'router', ...common(values, env),
    port: number('port', values.port ?? '9000', (n) => Number.isInteger(n) && n >= 0 && n <= 65535),
    host: values.host ?? '0.0.0.0',
  };
}
