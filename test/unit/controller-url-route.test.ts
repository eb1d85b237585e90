import { parseCli, UsageError } from '../../src/cli/args.js';
import { urlId } from '../../src/core/function-url.js';
import {
  desiredUrlRoute, isOurUrlRoute, urlRouteCollection, urlRouteTargetOf, type UrlExposeSettings,
} from '../../src/controller/resources/url-route.js';

const base = { namespace: 'klambda-system', region: 'eu-west-1', domain: 'fn.example.com', service: { name: 'klambda-router', port: 9000 } };
const route: UrlExposeSettings = { mode: 'httpRoute', ...base, gateway: { name: 'public', namespace: 'gateways', sectionName: 'https' } };
const ingress: UrlExposeSettings = { mode: 'ingress', ...base, ingress: { className: 'nginx', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '6m' }, tlsSecretName: 'lambda-url-wildcard' } };
const shop = { namespace: 'web', functionName: 'shop', qualifier: '$LATEST' };
const live = { namespace: 'web', functionName: 'shop', qualifier: 'live' };

describe('the object that exposes a Function URL', () => {
  it('is an HTTPRoute in the router namespace for the URL host, attached to the Gateway, to the router Service', () => {
    const id = urlId('web', 'shop', '$LATEST');
    const r = desiredUrlRoute(shop, route);
    expect(r).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
      metadata: {
        name: `lambda-url-${id}`, namespace: 'klambda-system',
        labels: { 'app.kubernetes.io/managed-by': 'klambda', 'klambda.dev/url-id': id, 'klambda.dev/function-namespace': 'web', 'klambda.dev/function': 'shop' },
        annotations: { 'klambda.dev/qualifier': '$LATEST' },
      },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways', sectionName: 'https' }],
        hostnames: [`${id}.lambda-url.eu-west-1.fn.example.com`],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name: 'klambda-router', port: 9000, weight: 1 }] }],
      },
    });
    expect(urlRouteCollection(route)).toBe('/apis/gateway.networking.k8s.io/v1/namespaces/klambda-system/httproutes');
  });

  it("names an alias's URL after its own id, so a Function's and its alias's never share an object", () => {
    const a = desiredUrlRoute(live, route);
    expect(a.metadata.name).toBe(`lambda-url-${urlId('web', 'shop', 'live')}`);
    expect(a.metadata.name).not.toBe(desiredUrlRoute(shop, route).metadata.name);
    expect(a.metadata.annotations).toEqual({ 'klambda.dev/qualifier': 'live' });
  });

  it('leaves out a parentRef namespace and section that were not given (the Gateway API defaults: same namespace, every listener)', () => {
    const r = desiredUrlRoute(shop, { mode: 'httpRoute', ...base, gateway: { name: 'public' } });
    expect(r.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }]);
  });

  it('is an Ingress with a host rule, its class, annotations and TLS for the host, to the router Service port', () => {
    const id = urlId('web', 'shop', 'live');
    const host = `${id}.lambda-url.eu-west-1.fn.example.com`;
    const i = desiredUrlRoute(live, ingress);
    expect(i).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `lambda-url-${id}`, namespace: 'klambda-system' } });
    expect(i.metadata.annotations).toEqual({ 'klambda.dev/qualifier': 'live', 'nginx.ingress.kubernetes.io/proxy-body-size': '6m' });
    expect(i.spec).toEqual({
      ingressClassName: 'nginx', tls: [{ hosts: [host], secretName: 'lambda-url-wildcard' }],
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'klambda-router', port: { number: 9000 } } } }] } }],
    });
    expect(desiredUrlRoute(live, { mode: 'ingress', ...base }).spec).not.toHaveProperty('tls');
    expect(urlRouteCollection(ingress)).toBe('/apis/networking.k8s.io/v1/namespaces/klambda-system/ingresses');
  });

  it('says which URL it exposes, and an object without our labels is nobody we know', () => {
    const r = desiredUrlRoute(live, route);
    expect(urlRouteTargetOf(r)).toEqual(live);
    expect(isOurUrlRoute(r, urlId('web', 'shop', 'live'))).toBe(true);
    expect(isOurUrlRoute(r, urlId('web', 'shop', '$LATEST'))).toBe(false);
    const foreign = { metadata: { ...r.metadata, labels: { 'klambda.dev/url-id': urlId('web', 'shop', 'live') } } };
    expect(urlRouteTargetOf(foreign)).toBeUndefined();
    expect(isOurUrlRoute(foreign, urlId('web', 'shop', 'live'))).toBe(false);
  });
});

describe('klambda controller --url-expose', () => {
  const args = ['controller', '--redis-url', 'redis://r:6379', '--lease-namespace', 'klambda-system', '--region', 'eu-west-1'];
  it('is off by default', () => {
    expect(parseCli(args, {})).not.toHaveProperty('urlExposure');
    expect(parseCli([...args, '--url-expose', 'none'], {})).not.toHaveProperty('urlExposure');
  });
  it('takes httpRoute with its Gateway, the router Service and the URL domain', () => {
    expect(parseCli([...args, '--url-expose', 'httpRoute', '--url-gateway', 'public', '--url-gateway-namespace', 'gateways', '--url-gateway-section', 'https',
      '--router-service', 'kl-router:9000', '--url-domain', 'Fn.Example.com'], {})).toMatchObject({
      urlExposure: { ...route, service: { name: 'kl-router', port: 9000 } },
    });
  });
  it('takes ingress with its class, annotations as JSON and TLS Secret; the domain from KLAMBDA_URL_DOMAIN', () => {
    expect(parseCli([...args, '--url-expose', 'ingress', '--url-ingress-class', 'nginx', '--url-ingress-annotations', '{"nginx.ingress.kubernetes.io/proxy-body-size":"6m"}',
      '--url-ingress-tls-secret', 'lambda-url-wildcard'], { KLAMBDA_URL_DOMAIN: 'fn.example.com' })).toMatchObject({ urlExposure: ingress });
    expect(parseCli([...args, '--url-expose', 'ingress', '--url-ingress-class', '', '--url-ingress-annotations', '{}'], {})).toMatchObject({
      urlExposure: { mode: 'ingress', domain: 'localhost', service: { name: 'klambda-router', port: 9000 }, ingress: {} },
    });
  });
  it('refuses an unknown mode, httpRoute without a Gateway, a bad Service, and annotations that are not an object of strings', () => {
    expect(() => parseCli([...args, '--url-expose', 'gateway'], {})).toThrow(UsageError);
    expect(() => parseCli([...args, '--url-expose', 'httpRoute'], {})).toThrow(/--url-gateway/);
    expect(() => parseCli([...args, '--url-expose', 'ingress', '--router-service', 'router'], {})).toThrow(/--router-service/);
    expect(() => parseCli([...args, '--url-expose', 'ingress', '--router-service', 'router:0'], {})).toThrow(/--router-service/);
    expect(() => parseCli([...args, '--url-expose', 'ingress', '--url-ingress-annotations', '{"a":1}'], {})).toThrow(/annotations/);
    expect(() => parseCli([...args, '--url-expose', 'ingress', '--url-ingress-annotations', '[]'], {})).toThrow(/annotations/);
    expect(() => parseCli([...args, '--url-expose', 'httpRoute', '--url-gateway', 'Public'], {})).toThrow(/--url-gateway/);
  });
});
