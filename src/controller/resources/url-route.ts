// What exposes a Function URL outside the cluster (pure): an HTTPRoute (Gateway API) or an Ingress, in the router's
// namespace, with the URL's host name, to the router's Service. Built from the URL's target and the install's settings.
import type { KubeObject } from '../../kube/objects.js';
import { urlHost, urlId } from '../../core/function-url.js';
import { LABEL_FUNCTION, LABEL_MANAGED_BY } from './names.js';

export const URL_EXPOSE_MODES = ['none', 'httpRoute', 'ingress'] as const;
export type UrlExposeMode = (typeof URL_EXPOSE_MODES)[number];

/** The URL's id: the one label that says which URL an object exposes (with managed-by=klambda, that it is ours). */
export const LABEL_URL_ID = 'klambda.dev/url-id';
/** The function's namespace (the object itself lives in the router's). */
export const LABEL_FUNCTION_NAMESPACE = 'klambda.dev/function-namespace';
/** `$LATEST` or the alias name: a label value cannot hold `$`, nor an alias name of 64 to 128 characters. */
export const ANNOTATION_QUALIFIER = 'klambda.dev/qualifier';
/** The selector of every object that exposes a URL. */
export const URL_ROUTE_SELECTOR = `${LABEL_MANAGED_BY}=klambda,${LABEL_URL_ID}`;

/** The install's settings: how URLs are exposed, and where the router is. */
export interface UrlExposeSettings {
  mode: Exclude<UrlExposeMode, 'none'>;
  /** The router's namespace: the objects are made there (an Ingress backend cannot leave its namespace). */
  namespace: string;
  /** The router's Service and its Lambda API port. */
  service: { name: string; port: number };
  /** The URLs' host names: `<url-id>.lambda-url.<region>.<domain>`, as the router serves them. */
  region: string;
  domain: string;
  /** httpRoute: the Gateway (parentRef) the routes attach to; its namespace defaults to the routes'. */
  gateway?: { name: string; namespace?: string; sectionName?: string };
  /** ingress: its class, annotations, and the TLS Secret (a certificate for `*.lambda-url.<region>.<domain>`). */
  ingress?: { className?: string; annotations?: Record<string, string>; tlsSecretName?: string };
}

/** The URL an object exposes: whose it is. */
export interface UrlRouteTarget {
  namespace: string;
  functionName: string;
  /** "$LATEST" or an alias name. */
  qualifier: string;
}

export const urlRouteName = (id: string): string => `lambda-url-${id}`;

/** The collection path of the objects of `settings.mode` in their namespace. */
export function urlRouteCollection(settings: Pick<UrlExposeSettings, 'mode' | 'namespace'>): string {
  return settings.mode === 'httpRoute'
    ? `/apis/gateway.networking.k8s.io/v1/namespaces/${settings.namespace}/httproutes`
    : `/apis/networking.k8s.io/v1/namespaces/${settings.namespace}/ingresses`;
}

/** The API group version and plural whose presence on the API server a mode needs. */
export function urlRouteResource(mode: UrlExposeSettings['mode']): { groupVersion: string; plural: string } {
  return mode === 'httpRoute' ? { groupVersion: 'gateway.networking.k8s.io/v1', plural: 'httproutes' } : { groupVersion: 'networking.k8s.io/v1', plural: 'ingresses' };
}

/** The target an object of ours says it exposes, or undefined when it is not one of ours. */
export function urlRouteTargetOf(obj: KubeObject): UrlRouteTarget | undefined {
  const labels = obj.metadata.labels ?? {};
  const namespace = labels[LABEL_FUNCTION_NAMESPACE];
  const functionName = labels[LABEL_FUNCTION];
  const qualifier = obj.metadata.annotations?.[ANNOTATION_QUALIFIER];
  if (labels[LABEL_MANAGED_BY] !== 'klambda' || !labels[LABEL_URL_ID] || !namespace || !functionName || !qualifier) return undefined;
  return { namespace, functionName, qualifier };
}

/** Whether `obj` is ours and exposes the URL `id` (anything else with that name is someone else's, never touched). */
export const isOurUrlRoute = (obj: KubeObject, id: string): boolean =>
  obj.metadata.labels?.[LABEL_MANAGED_BY] === 'klambda' && obj.metadata.labels?.[LABEL_URL_ID] === id;

/** The HTTPRoute or Ingress that exposes `target`'s URL (fields the API server would default are written out). */
export function desiredUrlRoute(target: UrlRouteTarget, settings: UrlExposeSettings): KubeObject & { spec: Record<string, unknown> } {
  const id = urlId(target.namespace, target.functionName, target.qualifier);
  const host = urlHost(id, settings.region, settings.domain);
  const metadata = {
    name: urlRouteName(id), namespace: settings.namespace,
    labels: { [LABEL_MANAGED_BY]: 'klambda', [LABEL_URL_ID]: id, [LABEL_FUNCTION_NAMESPACE]: target.namespace, [LABEL_FUNCTION]: target.functionName },
    annotations: { [ANNOTATION_QUALIFIER]: target.qualifier, ...(settings.mode === 'ingress' ? settings.ingress?.annotations : {}) },
  };
  const { name, port } = settings.service;
  if (settings.mode === 'httpRoute') {
    const gw = settings.gateway;
    const parentRef = {
      group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw?.name ?? '',
      ...(gw?.namespace ? { namespace: gw.namespace } : {}), ...(gw?.sectionName ? { sectionName: gw.sectionName } : {}),
    };
    return {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata,
      spec: {
        parentRefs: [parentRef], hostnames: [host],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name, port, weight: 1 }] }],
      },
    };
  }
  const ing = settings.ingress ?? {};
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata,
    spec: {
      ...(ing.className ? { ingressClassName: ing.className } : {}),
      ...(ing.tlsSecretName ? { tls: [{ hosts: [host], secretName: ing.tlsSecretName }] } : {}),
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: port } } } }] } }],
    },
  };
}
