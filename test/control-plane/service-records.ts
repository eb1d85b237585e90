// What Services mean to the process node's pods, built from Service and EndpointSlice objects (pure): the proxy's
// table (ClusterIP:port → ready endpoints, as kube-proxy reads it), a pod's /etc/hosts (the names CoreDNS would
// answer) and the service environment variables a kubelet gives each container.

export interface ServicePortSpec { name?: string; port: number; protocol?: string }
export interface Service {
  metadata: { name: string; namespace: string };
  spec: { type?: string; clusterIP?: string; ports?: ServicePortSpec[] };
}
export interface EndpointSlice {
  metadata: { namespace: string; labels?: Record<string, string> };
  addressType?: string;
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean }; hostname?: string }> | null;
  ports?: Array<{ name?: string; port?: number; protocol?: string }> | null;
}

export interface Backend { ip: string; port: number }
/** One listening address of the proxy and where its connections go. */
export interface ProxyPort { ip: string; port: number; service: string; backends: Backend[] }

const SERVICE_LABEL = 'kubernetes.io/service-name';

const hasClusterIP = (s: Service): s is Service & { spec: { clusterIP: string } } =>
  s.spec.type !== 'ExternalName' && s.spec.clusterIP !== undefined && s.spec.clusterIP !== '' && s.spec.clusterIP !== 'None';

function slicesOf(service: Service, slices: readonly EndpointSlice[]): EndpointSlice[] {
  return slices.filter((sl) => sl.metadata.namespace === service.metadata.namespace && sl.metadata.labels?.[SERVICE_LABEL] === service.metadata.name
    && (sl.addressType ?? 'IPv4') === 'IPv4');
}

/** Ready endpoints (an unknown condition counts as ready, as kube-proxy reads it). */
function readyEndpoints(slice: EndpointSlice) {
  return (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false && e.addresses.length > 0);
}

/**
 * The proxy table: each TCP port of each Service with a ClusterIP, to the ready endpoints of the slice port of the same
 * name. `apiServer` stands for the endpoints of default/kubernetes (the API server listens on the host's loopback).
 */
export function proxyTable(services: readonly Service[], slices: readonly EndpointSlice[], apiServer: Backend): ProxyPort[] {
  const out: ProxyPort[] = [];
  for (const service of services.filter(hasClusterIP)) {
    const id = `${service.metadata.namespace}/${service.metadata.name}`;
    for (const p of service.spec.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      const backends: Backend[] = [];
      if (id === 'default/kubernetes') backends.push(apiServer);
      else {
        for (const slice of slicesOf(service, slices)) {
          const port = (slice.ports ?? []).find((sp) => (sp.name ?? '') === (p.name ?? '') && (sp.protocol ?? 'TCP') === 'TCP')?.port;
          if (port === undefined) continue;
          for (const e of readyEndpoints(slice)) backends.push({ ip: e.addresses[0]!, port });
        }
      }
      out.push({ ip: service.spec.clusterIP, port: p.port, service: `${id}:${p.name ?? p.port}`, backends });
    }
  }
  return out;
}

/** The names of `name` in `namespace` as a pod in `podNamespace` resolves them (search path `<ns>.svc.<domain> svc.<domain> <domain>`). */
function names(name: string, namespace: string, podNamespace: string, domain: string): string[] {
  const all = [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.${domain}`];
  return namespace === podNamespace ? [name, ...all] : all;
}

export interface HostsPod { namespace: string; ip: string; hostname: string; subdomain?: string }

/**
 * A pod's /etc/hosts, as the kubelet writes it (localhost, its own name) plus what cluster DNS would answer: every
 * Service's ClusterIP; a headless Service's ready endpoints, and `<hostname>.<service>` for endpoints with a hostname
 * (StatefulSet pods).
 */
export function hostsFile(pod: HostsPod, services: readonly Service[], slices: readonly EndpointSlice[], domain: string): string {
  const lines = ['# Kubernetes-managed hosts file (the process node; cluster DNS names included).', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const own = pod.subdomain ? [`${pod.hostname}.${pod.subdomain}.${pod.namespace}.svc.${domain}`, pod.hostname] : [pod.hostname];
  lines.push(`${pod.ip}\t${own.join(' ')}`);
  const sorted = [...services].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const service of sorted) {
    const { name, namespace } = service.metadata;
    if (service.spec.type === 'ExternalName') continue;
    if (hasClusterIP(service)) { lines.push(`${service.spec.clusterIP}\t${names(name, namespace, pod.namespace, domain).join(' ')}`); continue; }
    for (const slice of slicesOf(service, slices)) {
      for (const e of readyEndpoints(slice)) {
        lines.push(`${e.addresses[0]}\t${names(name, namespace, pod.namespace, domain).join(' ')}`);
        if (e.hostname) lines.push(`${e.addresses[0]}\t${names(`${e.hostname}.${name}`, namespace, pod.namespace, domain).join(' ')}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A pod's /etc/resolv.conf: the cluster's search path; nothing answers DNS (names come from /etc/hosts), so lookups of others fail at once. */
export function resolvConf(namespace: string, domain: string, nameserver: string): string {
  return `search ${namespace}.svc.${domain} svc.${domain} ${domain}\nnameserver ${nameserver}\noptions ndots:5\n`;
}

const envName = (service: string) => service.toUpperCase().replace(/-/g, '_');

/**
 * The environment a kubelet gives a container for Services: KUBERNETES_SERVICE_HOST/PORT always, and with service
 * links (the default) `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT NAME>]` and the Docker-link `<NAME>_PORT…` vars
 * of each Service with a ClusterIP in the pod's namespace.
 */
export function serviceEnv(services: readonly Service[], namespace: string, serviceLinks: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  const add = (service: Service & { spec: { clusterIP: string } }) => {
    const ports = service.spec.ports ?? [];
    if (ports.length === 0) return;
    const name = envName(service.metadata.name);
    const ip = service.spec.clusterIP;
    env[`${name}_SERVICE_HOST`] = ip;
    env[`${name}_SERVICE_PORT`] = String(ports[0]!.port);
    env[`${name}_PORT`] = `${(ports[0]!.protocol ?? 'TCP').toLowerCase()}://${ip}:${ports[0]!.port}`;
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP';
      if (p.name) env[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
      const key = `${name}_PORT_${p.port}_${proto}`;
      env[key] = `${proto.toLowerCase()}://${ip}:${p.port}`;
      env[`${key}_PROTO`] = proto.toLowerCase();
      env[`${key}_PORT`] = String(p.port);
      env[`${key}_ADDR`] = ip;
    }
  };
  for (const service of services.filter(hasClusterIP)) {
    const { name, namespace: ns } = service.metadata;
    if (serviceLinks && ns === namespace) add(service);
    else if (ns === 'default' && name === 'kubernetes') add(service);
  }
  // only these two of the kubernetes Service's when links are off, as the kubelet does
  if (!serviceLinks) for (const key of Object.keys(env)) if (!['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'].includes(key)) delete env[key];
  return env;
}
