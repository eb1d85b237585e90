// Function URLs exposed outside the cluster, on the real API server with the controller's least-privilege roles: an
// HTTPRoute (Gateway API CRDs from sigs.k8s.io/gateway-api) or an Ingress per URL, in the router's namespace, kept,
// put back and deleted with the URL; without the CRDs nothing breaks, and the routes come once they are installed.
import { Controller } from '../../src/controller/controller.js';
import { runtimeImages } from '../../src/controller/resources/images.js';
import type { UrlExposeSettings } from '../../src/controller/resources/url-route.js';
import { urlId } from '../../src/core/function-url.js';
import { jsonLogger, silentLogger } from '../../src/core/logger.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { LEASE_NAMESPACE, startCluster, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { installGatewayApiCrds } from '../control-plane/gateway-api.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const NS = 'web';
const API = `/apis/klambda.dev/v1alpha1/namespaces/${NS}`;
const ROUTES = `/apis/gateway.networking.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/httproutes`;
const INGRESSES = `/apis/networking.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/ingresses`;
const logger = process.env.KLAMBDA_TEST_LOGS ? jsonLogger(process.stderr, { component: 'controller' }) : silentLogger;
const base = { namespace: LEASE_NAMESPACE, region: 'us-east-1', domain: 'fn.example.com', service: { name: 'klambda-router', port: 9000 } };
const HTTP_ROUTE: UrlExposeSettings = { mode: 'httpRoute', ...base, gateway: { name: 'public', namespace: 'gateways', sectionName: 'http' } };
const INGRESS: UrlExposeSettings = { mode: 'ingress', ...base, ingress: { className: 'nginx', annotations: { 'example.com/team': 'web' } } };

let cluster: ClusterFixture;
let redis: TestRedis;
let controller: Controller | undefined;
const prefix = randomPrefix();

function startController(settings: UrlExposeSettings, leaseName: string): Controller {
  const c = new Controller({
    client: cluster.controller, redisUrl: redis.url, keyPrefix: prefix, routerUrl: 'http://router.test',
    workload: {
      agentImage: 'klambda:test', runtimeImages: runtimeImages('klambda:test'), agentRedisUrl: redis.url, region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000,
      redis: { namespace: LEASE_NAMESPACE, podLabels: { app: 'redis' }, port: 6379 },
    },
    identity: 'replica-a', leaseNamespace: LEASE_NAMESPACE, leaseName, leaseDurationSeconds: 4, leaseRetryMs: 300, resyncMs: 60_000,
    scaler: { tickMs: 250, idleTimeoutMs: 2000, maxEnvironments: 4 }, logger, urlExposure: settings, urlDiscoveryRetryMs: 300,
  });
  c.start();
  return c;
}

interface Obj extends KubeObject { spec: Record<string, unknown>; status?: { conditions?: Array<{ type: string; status: string; reason: string }> } }
const get = (path: string) => cluster.admin.find<Obj>(path);
const fnObj = (name: string, url?: Record<string, unknown>) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name },
  spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } }, ...(url ? { url } : {}) },
});
const aliasObj = (name: string, functionName: string, alias: string, url?: Record<string, unknown>) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name }, spec: { functionName, name: alias, functionVersion: '$LATEST', ...(url ? { url } : {}) },
});
const isReady = async (path: string) => (await get(path))?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' || undefined;
const nameOf = (fn: string, qualifier: string) => `lambda-url-${urlId(NS, fn, qualifier)}`;
const hostOf = (fn: string, qualifier: string) => `${urlId(NS, fn, qualifier)}.lambda-url.us-east-1.fn.example.com`;
/** Waits until `path` exists (and passes `ok`), or is gone when `ok` is 'gone'. */
const appears = (path: string, what: string, ok: (o: Obj) => boolean = () => true) => waitFor(async () => { const o = await get(path); return o && ok(o) ? o : undefined; }, 20_000, what, 50);
/** The Events of an object of the namespace, as `reason: message`. */
const eventsOf = async (name: string) => (await cluster.admin.get<{ items: Array<{ reason: string; message: string; involvedObject: { name: string } }> }>(`/api/v1/namespaces/${NS}/events`))
  .items.filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
const disappears = (path: string, what: string) => waitFor(async () => ((await get(path)) ? undefined : true), 20_000, what, 50);

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: NS } });
  controller = startController(HTTP_ROUTE, 'urls-http-route');
}, 10 * 60_000);

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
  await redis?.stop();
});

describe('httpRoute', () => {
  it('without the Gateway API CRDs, a Function with a URL still becomes Ready, and nothing is made', async () => {
    expect(await get('/apis/gateway.networking.k8s.io/v1')).toBeUndefined();
    await cluster.admin.create(`${API}/functions`, fnObj('shop', { authType: 'NONE' }));
    await waitFor(() => isReady(`${API}/functions/shop`), 20_000, 'shop Ready');
    expect(controller!.isLeader).toBe(true);
  }, 60_000);

  it("once the CRDs are installed, an HTTPRoute for the Function's URL: its host, the Gateway as parent, the router Service as backend", async () => {
    // someone else's route in the same namespace, never touched
    await installGatewayApiCrds(cluster.admin);
    await cluster.admin.create(ROUTES, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'docs' }, spec: { hostnames: ['docs.example.com'] } });
    const r = await appears(`${ROUTES}/${nameOf('shop', '$LATEST')}`, 'the HTTPRoute of shop');
    expect(r.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'klambda', 'klambda.dev/function-namespace': NS, 'klambda.dev/function': 'shop', 'klambda.dev/url-id': urlId(NS, 'shop', '$LATEST') });
    expect(r.metadata.annotations).toMatchObject({ 'klambda.dev/qualifier': '$LATEST' });
    expect(r.spec.hostnames).toEqual([hostOf('shop', '$LATEST')]);
    expect(r.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways', sectionName: 'http' }]);
    expect(r.spec.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name: 'klambda-router', port: 9000, weight: 1 }] }]);
    // kubectl describe fn shop says so
    expect(await waitFor(async () => (await eventsOf('shop')).find((e) => e.startsWith('UrlExposed')), 10_000, 'the UrlExposed Event'))
      .toBe(`UrlExposed: HTTPRoute ${LEASE_NAMESPACE}/${nameOf('shop', '$LATEST')} routes ${hostOf('shop', '$LATEST')} to the router`);
  }, 60_000);

  it("an Alias with a URL gets its own HTTPRoute, with the alias's host", async () => {
    await cluster.admin.create(`${API}/aliases`, aliasObj('shop-live', 'shop', 'live', { authType: 'AWS_IAM' }));
    const r = await appears(`${ROUTES}/${nameOf('shop', 'live')}`, 'the HTTPRoute of shop:live');
    expect(r.spec.hostnames).toEqual([hostOf('shop', 'live')]);
    expect(r.metadata.annotations).toMatchObject({ 'klambda.dev/qualifier': 'live' });
  }, 60_000);

  it('puts back an HTTPRoute deleted or edited by hand', async () => {
    const path = `${ROUTES}/${nameOf('shop', '$LATEST')}`;
    const before = (await get(path))!;
    await cluster.admin.delete(path);
    const again = await appears(path, 'the HTTPRoute again', (o) => o.metadata.uid !== before.metadata.uid);
    expect(again.spec.hostnames).toEqual([hostOf('shop', '$LATEST')]);
    await cluster.admin.patch(path, { spec: { hostnames: ['elsewhere.example.com'] } });
    await appears(path, 'the hostname put back', (o) => (o.spec.hostnames as string[])[0] === hostOf('shop', '$LATEST'));
  }, 60_000);

  it("leaves alone an HTTPRoute of that name that is not klambda's", async () => {
    const path = `${ROUTES}/${nameOf('taken', '$LATEST')}`;
    await cluster.admin.create(ROUTES, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: nameOf('taken', '$LATEST') }, spec: { hostnames: ['mine.example.com'] } });
    await cluster.admin.create(`${API}/functions`, fnObj('taken', { authType: 'NONE' }));
    await waitFor(() => isReady(`${API}/functions/taken`), 20_000, 'taken Ready');
    // the controller has seen the URL (a later URL's route is made after it), and left the foreign one as it was
    await cluster.admin.create(`${API}/functions`, fnObj('later', { authType: 'NONE' }));
    await appears(`${ROUTES}/${nameOf('later', '$LATEST')}`, 'the HTTPRoute of later');
    await cluster.admin.patch(`${API}/functions/taken`, { spec: { url: null } });
    await cluster.admin.delete(`${API}/functions/later`);
    await disappears(`${ROUTES}/${nameOf('later', '$LATEST')}`, 'the HTTPRoute of later gone');
    const foreign = (await get(path))!;
    expect(foreign.spec.hostnames).toEqual(['mine.example.com']);
    expect(foreign.metadata.labels).toBeUndefined();
    const notExposed = `UrlNotExposed: HTTPRoute ${nameOf('taken', '$LATEST')} exists and is not klambda's: the URL is not exposed`;
    await waitFor(async () => ((await eventsOf('taken')).includes(notExposed) ? true : undefined), 10_000, 'the UrlNotExposed Event');
  }, 60_000);

  it("removes the Function's HTTPRoute when its URL is removed, and keeps the alias's", async () => {
    await cluster.admin.patch(`${API}/functions/shop`, { spec: { url: null } });
    await disappears(`${ROUTES}/${nameOf('shop', '$LATEST')}`, "shop's HTTPRoute gone");
    expect(await get(`${ROUTES}/${nameOf('shop', 'live')}`)).toBeDefined();
  }, 60_000);

  it("removes the alias's HTTPRoute when its URL goes, and both when the Function is deleted", async () => {
    await cluster.admin.patch(`${API}/aliases/shop-live`, { spec: { url: null } });
    await disappears(`${ROUTES}/${nameOf('shop', 'live')}`, "shop:live's HTTPRoute gone");
    await cluster.admin.patch(`${API}/aliases/shop-live`, { spec: { url: { authType: 'NONE' } } });
    await cluster.admin.patch(`${API}/functions/shop`, { spec: { url: { authType: 'NONE' } } });
    await appears(`${ROUTES}/${nameOf('shop', 'live')}`, "shop:live's HTTPRoute back");
    await appears(`${ROUTES}/${nameOf('shop', '$LATEST')}`, "shop's HTTPRoute back");
    await cluster.admin.delete(`${API}/functions/shop`);
    await disappears(`${ROUTES}/${nameOf('shop', '$LATEST')}`, "shop's HTTPRoute gone with the Function");
    await disappears(`${ROUTES}/${nameOf('shop', 'live')}`, "shop:live's HTTPRoute gone with the Function");
    await cluster.admin.delete(`${API}/aliases/shop-live`);
    expect((await get(`${ROUTES}/docs`))?.spec.hostnames).toEqual(['docs.example.com']);
  }, 60_000);
});

describe('ingress', () => {
  beforeAll(async () => {
    await controller?.stop();
    controller = startController(INGRESS, 'urls-ingress');
  });

  it("an Ingress for a Function's URL and for an Alias's: a host rule to the router Service, with the class and annotations", async () => {
    await cluster.admin.create(`${API}/functions`, fnObj('cart', { authType: 'NONE' }));
    await cluster.admin.create(`${API}/aliases`, aliasObj('cart-prod', 'cart', 'prod', { authType: 'NONE' }));
    for (const q of ['$LATEST', 'prod']) {
      const ing = await appears(`${INGRESSES}/${nameOf('cart', q)}`, `the Ingress of cart:${q}`);
      expect(ing.metadata.annotations).toMatchObject({ 'klambda.dev/qualifier': q, 'example.com/team': 'web' });
      expect(ing.spec).toEqual({
        ingressClassName: 'nginx',
        rules: [{ host: hostOf('cart', q), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'klambda-router', port: { number: 9000 } } } }] } }],
      });
    }
    await waitFor(() => isReady(`${API}/functions/cart`), 20_000, 'cart Ready');
  }, 60_000);

  it('puts back a deleted Ingress, removes it with the URL, and the rest with the Function', async () => {
    const path = `${INGRESSES}/${nameOf('cart', '$LATEST')}`;
    const before = (await get(path))!;
    await cluster.admin.delete(path);
    await appears(path, 'the Ingress again', (o) => o.metadata.uid !== before.metadata.uid);
    await cluster.admin.patch(`${API}/functions/cart`, { spec: { url: null } });
    await disappears(path, "cart's Ingress gone");
    expect(await get(`${INGRESSES}/${nameOf('cart', 'prod')}`)).toBeDefined();
    await cluster.admin.delete(`${API}/functions/cart`);
    await disappears(`${INGRESSES}/${nameOf('cart', 'prod')}`, "cart:prod's Ingress gone with the Function");
  }, 60_000);
});
