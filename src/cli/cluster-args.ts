// `klambda controller` and `klambda router` (the processes of a cluster install): options from flags, then env (pure).
import { parseRuntimeList } from '../core/runtime-availability.js';
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import type { ClusterRouterOptions } from '../router/cluster-router.js';
import { RUNTIMES, type Runtime } from '../api/function.js';
import { UsageError } from './usage-error.js';
import type { CodeStoreConfig } from '../code/code-store.js';
import { URL_EXPOSE_MODES, type UrlExposeMode, type UrlExposeSettings } from '../controller/resources/url-route.js';

export interface ControllerCommand {
  command: 'controller';
  redisUrl: string;
  agentRedisUrl: string;
  keyPrefix: string;
  agentImage: string;
  /** Runtime images given explicitly; the others are named after the agent image (klambda-<runtime>:<its tag>). */
  runtimeImages: Partial<Record<Runtime, string>>;
  /** --runtimes: the runtimes the cluster serves (it has their images); undefined: all. */
  runtimes?: Runtime[];
  routerUrl: string;
  identity: string;
  leaseNamespace: string;
  region: string;
  accountId: string;
  idleTimeoutSeconds: number;
  maxEnvironments: number;
  redisNamespace: string;
  redisPodLabels: Record<string, string>;
  /** --kubeconfig; else KubeClient.fromDefault's search. */
  kubeconfig?: string;
  /** --ops-port: /healthz, /readyz and /metrics on 0.0.0.0 (0 picks a free port). */
  opsPort: number;
  /** Where zip packages are kept (none: code.s3 and ZipFile are refused with a clear message). */
  codeStore?: CodeStoreConfig;
  /** The node's package cache as a host folder (none: each function pod caches its package for itself). */
  packageCacheHostPath?: string;
  /** Put the bucket policy that lets this principal (the reader) read the packages. */
  codeStoreReaderPrincipal?: string;
  /** The code store's pods, for private functions' NetworkPolicy (none: the store is outside the cluster). */
  codeStorePods?: { namespace: string; podLabels: Record<string, string>; port: number };
  /** --internal-http-subscriptions allow: HTTP(S) subscriptions may call addresses and names inside the cluster. */
  allowInternalHttpSubscriptions: boolean;
  /** --url-expose httpRoute|ingress: each Function URL gets an HTTPRoute or Ingress to the router (none: not exposed). */
  urlExposure?: UrlExposeSettings;
}

/** `klambda router`: the cluster router's options as the command line gives them. */
export type RouterCommand = { command: 'router'; kubeconfig?: string } & Omit<ClusterRouterOptions, 'client' | 'logger' | 'codeStore'> & { codeStore?: CodeStoreConfig };



/** The code store's options, shared by the controller and the router. */
const CODE_STORE_USAGE = `  --code-store-url URL     the S3 API of the code store for zip packages (default: $KLAMBDA_CODE_STORE_URL; none: zip
                           packages are refused); its writer key in $KLAMBDA_CODE_STORE_ACCESS_KEY_ID and
                           $KLAMBDA_CODE_STORE_SECRET_ACCESS_KEY
  --code-store-bucket B    its bucket (default: $KLAMBDA_CODE_STORE_BUCKET, else klambda-code)
  --code-store-region R    its region (default: $KLAMBDA_CODE_STORE_REGION, else --region)`;

export const CONTROLLER_USAGE = `usage: klambda controller [options]
  Reconciles Function, FunctionVersion, Alias, Topic, EventRule and EventSourceMapping objects into Deployments,
  Secrets and the routing table in Redis, and scales versions from queue depth. Run two or more: one leads at a time
  (a Lease in --lease-namespace), the others wait to take over.
options:
  --redis-url URL          Redis, with the controller's user and password (default: $REDIS_URL; required); a Redis
                           Cluster is redis+cluster://USER:PASSWORD@HOST:PORT[?addr=HOST:PORT&addr=...]
  --agent-redis-url URL    the same Redis as function pods reach it, without credentials: each version's agents get
                           their own user (default: --redis-url's server)
  --kubeconfig FILE        Kubernetes credentials (default: $KUBECONFIG, else the pod's service account, else ~/.kube/config)
  --agent-image IMAGE      the klambda image of the agent container in function pods (default: $KLAMBDA_AGENT_IMAGE, else klambda:latest)
  --runtime-images RT=IMAGE,...  runtime images given explicitly (default: klambda-<runtime> beside the agent image, same tag)
  --runtimes RT,...        the runtimes this cluster serves, klambda's or Lambda's names (default: $KLAMBDA_RUNTIMES, else
                           all); a Function of another is Ready False, reason InvalidRuntime
  --router-url URL         the router, for functions that call the Lambda API (default: $KLAMBDA_ROUTER_URL, else
                           http://klambda-router.<lease namespace>.svc:9000)
  --lease-namespace NS     namespace of the leader-election Lease (default: $POD_NAMESPACE, else klambda-system)
  --identity NAME          this replica's name in the Lease (default: $POD_NAME, else host-pid)
  --idle-timeout S         seconds an idle version keeps its environments before scaling to zero (default 300)
  --max-environments N     execution environments per version at most (default 64)
  --redis-namespace NS     namespace of the Redis pods, for function pods' NetworkPolicy (default: the lease namespace)
  --redis-labels k=v,...   labels of the Redis pods (default app.kubernetes.io/name=redis)
  --key-prefix P           prefix of every Redis key (default klambda)
  --region R               region in ARNs (default us-east-1)
  --account-id ID          account id of the namespace default in ARNs (default 000000000000)
  --ops-port PORT          /healthz, /readyz and /metrics (default 9090; 0 picks a free port)
${CODE_STORE_USAGE}
  --code-store-agent-url URL  the code store as function pods reach it, for their presigned URLs (default: --code-store-url)
  --code-store-reader-principal P  let the read-only key ($KLAMBDA_CODE_STORE_READER_ACCESS_KEY_ID and
                           ..._SECRET_ACCESS_KEY), which signs the agents' URLs, read the packages: the bucket policy's
                           principal (versitygw: the key id; AWS: an IAM ARN); unset: the policy is yours to set
  --code-store-labels k=v,...  labels of the code store's pods in --lease-namespace, for private functions'
                           NetworkPolicy (default app.kubernetes.io/component=code-store; "" when it is outside the cluster)
  --package-cache-host-path DIR  a host folder where each node keeps unpacked packages for its function pods
                           (default: none, each pod fetches its own)
  --internal-http-subscriptions refuse|allow  whether Topics' http(s) subscriptions may call loopback, private and
                           link-local addresses and cluster names (default refuse: a tenant's subscription must not
                           reach into the cluster)
  --url-expose MODE        expose each Function URL outside the cluster: none (default), httpRoute (a Gateway API
                           HTTPRoute; needs its CRDs, else nothing is made until they appear) or ingress (an Ingress);
                           made in --lease-namespace, with the URL's host name, to --router-service
  --url-domain D           the URLs' host names are <url-id>.lambda-url.<region>.D, as the router's --url-domain
                           (default: $KLAMBDA_URL_DOMAIN, else localhost)
  --router-service NAME:PORT  the router's Service in --lease-namespace and its Lambda API port (default klambda-router:9000)
  --url-gateway NAME       httpRoute: the Gateway the routes attach to (required with httpRoute)
  --url-gateway-namespace NS  its namespace (default: the routes', --lease-namespace)
  --url-gateway-section S  its listener (default: every listener that admits the route)
  --url-ingress-class C    ingress: the IngressClass (default: the cluster's default class)
  --url-ingress-annotations JSON  ingress: annotations of every Ingress, a JSON object of strings
  --url-ingress-tls-secret NAME  ingress: a Secret with a certificate for *.lambda-url.<region>.D, for HTTPS
  -h, --help               this text`;

export const ROUTER_USAGE = `usage: klambda router [options]
  Serves the Lambda API for every namespace. SigV4 on every call: an access key (a Secret of type
  klambda.dev/access-key) selects its namespace and account.
options:
  --redis-url URL          Redis, with the router's user and password (default: $REDIS_URL; required)
  --kubeconfig FILE        Kubernetes credentials (default: $KUBECONFIG, else the pod's service account, else ~/.kube/config)
  --port PORT              port of the Lambda API (default 9000; 0 picks a free port)
  --host HOST              address to listen on (default 0.0.0.0)
  --key-prefix P           prefix of every Redis key (default klambda)
  --region R               region callers sign for, and in ARNs (default us-east-1)
  --account-id ID          account id of the namespace default (default 000000000000)
  --ops-port PORT          /healthz, /readyz and /metrics (default 9090; 0 picks a free port)
  --url-domain D           Function URLs are http://<url-id>.lambda-url.<region>.D (default localhost; each is also
                           served at /lambda-url/<url-id>/ on the router's own address)
  --runtimes RT,...        the runtimes this cluster serves, as the controller's --runtimes: CreateFunction and
                           UpdateFunctionConfiguration refuse others (default: $KLAMBDA_RUNTIMES, else all)
${CODE_STORE_USAGE}
  -h, --help               this text`;

/** The cluster commands in the top-level usage. */
export const CLUSTER_SUMMARY = `  controller  reconcile klambda's objects into Deployments and the routing table, scale versions (klambda controller --help)
  router      serve the Lambda API for every namespace, SigV4 on every call (klambda router --help)`;

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

const CODE_STORE_FLAGS = ['code-store-url', 'code-store-bucket', 'code-store-region'];

/** The code store from flags and env; undefined when no URL is given. */
function codeStoreOf(values: Record<string, string | boolean | undefined>, env: Env, region: string, agentUrl?: string): CodeStoreConfig | undefined {
  const endpoint = (values['code-store-url'] as string | undefined) ?? env.KLAMBDA_CODE_STORE_URL;
  if (!endpoint) return undefined;
  try { new URL(endpoint); } catch { throw new UsageError(`--code-store-url: not a URL: ${endpoint}`); }
  const accessKeyId = env.KLAMBDA_CODE_STORE_ACCESS_KEY_ID;
  const secretAccessKey = env.KLAMBDA_CODE_STORE_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new UsageError('--code-store-url needs the store\'s key in KLAMBDA_CODE_STORE_ACCESS_KEY_ID and KLAMBDA_CODE_STORE_SECRET_ACCESS_KEY');
  return {
    endpoint, bucket: (values['code-store-bucket'] as string | undefined) ?? env.KLAMBDA_CODE_STORE_BUCKET ?? 'klambda-code',
    region: (values['code-store-region'] as string | undefined) ?? env.KLAMBDA_CODE_STORE_REGION ?? region,
    credentials: { accessKeyId, secretAccessKey },
    ...(agentUrl ? { agentEndpoint: agentUrl } : {}),
    ...(env.KLAMBDA_CODE_STORE_READER_ACCESS_KEY_ID && env.KLAMBDA_CODE_STORE_READER_SECRET_ACCESS_KEY
      ? { reader: { accessKeyId: env.KLAMBDA_CODE_STORE_READER_ACCESS_KEY_ID, secretAccessKey: env.KLAMBDA_CODE_STORE_READER_SECRET_ACCESS_KEY } } : {}),
  };
}

/** --ops-port: default 9090, 0 picks a free port. */
const opsPort = (raw: string | undefined): number => number('ops-port', raw ?? '9090', (n) => Number.isInteger(n) && n >= 0 && n <= 65535);

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

function runtimesOf(text: string | undefined): { runtimes?: Runtime[] } {
  try {
    const runtimes = parseRuntimeList(text);
    return runtimes ? { runtimes } : {};
  } catch (e) {
    throw new UsageError(`--runtimes: ${(e as Error).message}`);
  }
}

export function parseControllerArgs(argv: string[], env: Env): ControllerCommand {
  const { values } = parseArgs({
    args: argv, allowPositionals: false,
    options: Object.fromEntries(['redis-url', 'agent-redis-url', 'key-prefix', 'agent-image', 'runtime-images', 'runtimes', 'router-url', 'identity', 'lease-namespace', 'region',
      'account-id', 'idle-timeout', 'max-environments', 'redis-namespace', 'redis-labels', 'kubeconfig', 'ops-port', ...CODE_STORE_FLAGS,
      'code-store-agent-url', 'code-store-labels', 'package-cache-host-path', 'code-store-reader-principal', 'internal-http-subscriptions',
      'url-expose', 'url-domain', 'router-service', 'url-gateway', 'url-gateway-namespace', 'url-gateway-section', 'url-ingress-class',
      'url-ingress-annotations', 'url-ingress-tls-secret'].map((f) => [f, { type: 'string' as const }])),
  });
  const internalHttp = values['internal-http-subscriptions'] ?? env.KLAMBDA_INTERNAL_HTTP_SUBSCRIPTIONS ?? 'refuse';
  if (internalHttp !== 'refuse' && internalHttp !== 'allow') throw new UsageError(`--internal-http-subscriptions must be refuse or allow, got ${internalHttp}`);
  const base = common(values, env);
  const leaseNamespace = values['lease-namespace'] ?? env.POD_NAMESPACE ?? 'klambda-system';
  const codeStore = codeStoreOf(values, env, base.region, values['code-store-agent-url'] ?? env.KLAMBDA_CODE_STORE_AGENT_URL);
  const storeLabels = parseLabels(values['code-store-labels'] ?? 'app.kubernetes.io/component=code-store');
  const storePort = codeStore ? Number(new URL(codeStore.agentEndpoint ?? codeStore.endpoint).port || (codeStore.endpoint.startsWith('https:') ? 443 : 80)) : 0;
  const cacheDir = values['package-cache-host-path'] ?? env.KLAMBDA_PACKAGE_CACHE_HOST_PATH;
  if (cacheDir !== undefined && cacheDir !== '' && !cacheDir.startsWith('/')) throw new UsageError(`--package-cache-host-path must be an absolute path, got ${cacheDir}`);
  const urlExposure = urlExposureOf(values, env, leaseNamespace, base.region);
  return {
    ...(urlExposure ? { urlExposure } : {}),
    ...(codeStore ? { codeStore } : {}),
    ...(codeStore && Object.keys(storeLabels).length > 0 ? { codeStorePods: { namespace: leaseNamespace, podLabels: storeLabels, port: storePort } } : {}),
    ...(cacheDir ? { packageCacheHostPath: cacheDir } : {}),
    ...(codeStore && values['code-store-reader-principal'] ? { codeStoreReaderPrincipal: values['code-store-reader-principal'] } : {}),
    command: 'controller', ...base,
    allowInternalHttpSubscriptions: internalHttp === 'allow',
    agentRedisUrl: values['agent-redis-url'] ?? base.redisUrl,
    agentImage: values['agent-image'] ?? env.KLAMBDA_AGENT_IMAGE ?? 'klambda:latest',
    runtimeImages: parseRuntimeImages(values['runtime-images'] ?? ''),
    ...runtimesOf(values.runtimes ?? env.KLAMBDA_RUNTIMES),
    routerUrl: values['router-url'] ?? env.KLAMBDA_ROUTER_URL ?? `http://klambda-router.${leaseNamespace}.svc:9000`,
    identity: values.identity ?? env.POD_NAME ?? `${hostname()}-${process.pid}`,
    leaseNamespace,
    idleTimeoutSeconds: number('idle-timeout', values['idle-timeout'] ?? '300', (n) => Number.isFinite(n) && n >= 0),
    maxEnvironments: number('max-environments', values['max-environments'] ?? '64', (n) => Number.isInteger(n) && n >= 1),
    redisNamespace: values['redis-namespace'] ?? leaseNamespace,
    redisPodLabels: parseLabels(values['redis-labels'] ?? 'app.kubernetes.io/name=redis'),
    opsPort: opsPort(values['ops-port']),
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
  };
}

export function parseRouterArgs(argv: string[], env: Env): RouterCommand {
  const { values } = parseArgs({
    args: argv, allowPositionals: false,
    options: Object.fromEntries(['redis-url', 'key-prefix', 'region', 'account-id', 'port', 'host', 'kubeconfig', 'ops-port', 'url-domain', 'runtimes', ...CODE_STORE_FLAGS].map((f) => [f, { type: 'string' as const }])),
  });
  const base = common(values, env);
  const codeStore = codeStoreOf(values, env, base.region);
  return {
    command: 'router', ...base, ...(codeStore ? { codeStore } : {}),
    port: number('port', values.port ?? '9000', (n) => Number.isInteger(n) && n >= 0 && n <= 65535),
    host: values.host ?? '0.0.0.0',
    opsPort: opsPort(values['ops-port']),
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
    ...urlDomainOf(values['url-domain'] ?? env.KLAMBDA_URL_DOMAIN),
    ...runtimesOf(values.runtimes ?? env.KLAMBDA_RUNTIMES),
  };
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** --url-expose and the flags of its mode; undefined for none. */
function urlExposureOf(values: Record<string, string | boolean | undefined>, env: Env, namespace: string, region: string): UrlExposeSettings | undefined {
  const str = (flag: string): string | undefined => { const v = values[flag] as string | undefined; return v === '' ? undefined : v; };
  const mode = (str('url-expose') ?? env.KLAMBDA_URL_EXPOSE ?? 'none') as UrlExposeMode;
  if (!URL_EXPOSE_MODES.includes(mode)) throw new UsageError(`--url-expose must be ${URL_EXPOSE_MODES.join(', ')}, got ${mode}`);
  if (mode === 'none') return undefined;
  const svc = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?):(\d{1,5})$/.exec(str('router-service') ?? 'klambda-router:9000');
  if (!svc || Number(svc[3]) < 1 || Number(svc[3]) > 65535) throw new UsageError(`--router-service must be NAME:PORT, got ${values['router-service'] as string}`);
  const name = (flag: string): string | undefined => {
    const v = str(flag);
    if (v !== undefined && !DNS_LABEL.test(v)) throw new UsageError(`--${flag} must be a DNS label, got ${v}`);
    return v;
  };
  const base = { namespace, region, domain: urlDomainOf(str('url-domain') ?? env.KLAMBDA_URL_DOMAIN).urlDomain ?? 'localhost', service: { name: svc[1]!, port: Number(svc[3]) } };
  if (mode === 'httpRoute') {
    const gateway = name('url-gateway');
    if (!gateway) throw new UsageError('--url-expose httpRoute needs --url-gateway (the Gateway the routes attach to)');
    const gwNs = name('url-gateway-namespace');
    const section = str('url-gateway-section');
    if (section !== undefined && !DNS_LABEL.test(section)) throw new UsageError(`--url-gateway-section must be a DNS label, got ${section}`);
    return { mode, ...base, gateway: { name: gateway, ...(gwNs ? { namespace: gwNs } : {}), ...(section ? { sectionName: section } : {}) } };
  }
  let annotations: Record<string, string> | undefined;
  const rawAnnotations = str('url-ingress-annotations');
  if (rawAnnotations !== undefined) {
    let parsed: unknown;
    try { parsed = JSON.parse(rawAnnotations); } catch { parsed = undefined; }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
      throw new UsageError(`--url-ingress-annotations must be a JSON object of strings, got ${rawAnnotations}`);
    }
    if (Object.keys(parsed).length > 0) annotations = parsed as Record<string, string>;
  }
  const className = str('url-ingress-class');
  const tlsSecretName = str('url-ingress-tls-secret');
  if (tlsSecretName !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(tlsSecretName)) throw new UsageError(`--url-ingress-tls-secret must be a Secret name, got ${tlsSecretName}`);
  if (className !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(className)) throw new UsageError(`--url-ingress-class must be an IngressClass name, got ${className}`);
  return { mode, ...base, ingress: { ...(className ? { className } : {}), ...(annotations ? { annotations } : {}), ...(tlsSecretName ? { tlsSecretName } : {}) } };
}

/** A DNS suffix the URLs' host names end with (letters, digits, '-' and '.'). */
function urlDomainOf(value: string | undefined): { urlDomain?: string } {
  if (value === undefined || value === '') return {};
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(value)) throw new UsageError(`--url-domain must be a DNS name, got ${value}`);
  return { urlDomain: value.toLowerCase() };
}
