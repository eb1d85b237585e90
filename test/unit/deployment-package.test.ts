// A function version whose code is a zip package in the code store: its pod's agent fetches the package into the node's
// cache and copies it into the code volume, which the function mounts read-only; a private function may reach the
// store. Without a package the pod is the one of inline/ConfigMap code.
import type { V1Container, V1Volume } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { AgentConfig } from '../../src/agent/agent.js';
import type { FunctionConfig, KlambdaFunction } from '../../src/api/function.js';
import { checkObject } from '../../src/api/parse.js';
import { packageKey } from '../../src/code/code-store.js';
import { agentConfig, buildDeployment, type DeploymentInput } from '../../src/controller/resources/deployment.js';
import { codeConfigMapName } from '../../src/controller/resources/names.js';
import { buildNetworkPolicy, type NetworkPolicyInput } from '../../src/controller/resources/network-policy.js';

const owner = { apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', name: 'hello', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const SHA = createHash('sha256').update('the package').digest('base64');
const PACKAGE = { sha256: SHA, size: 20_971_890 };

function config(code: Record<string, unknown>): FunctionConfig {
  const spec = { runtime: 'nodejs20', handler: 'index.handler', code };
  const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (r.object as KlambdaFunction).spec; // with the schema's defaults
}

const base = (): DeploymentInput => ({
  namespace: 'team-a', functionName: 'hello', version: '$LATEST', config: config({ inline: { 'index.mjs': 'x' } }), codeFiles: { 'index.mjs': 'x' },
  owner, replicas: 0, agentImage: 'klambda:0.1.0', runtimeImages: { nodejs20: 'rt/node', 'python3.11': 'rt/python', provided: 'rt/provided', ruby3: 'rt/ruby', dotnet8: 'rt/dotnet', java17: 'rt/java17', java21: 'rt/java21' },
  keyPrefix: 'klambda', region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000,
});

/** As ensureWorkload builds it for `code.kind === 'stored'`: no code files, the package's digest. */
const packaged = (extra: Partial<DeploymentInput> = {}): DeploymentInput => ({
  ...base(), config: config({ s3: { bucket: 'klambda-code', key: packageKey('team-a', SHA) } }), codeFiles: {}, package: PACKAGE, ...extra,
});

type Pod = NonNullable<NonNullable<ReturnType<typeof buildDeployment>['spec']>['template']['spec']>;
const podOf = (i: DeploymentInput): Pod => buildDeployment(i).spec!.template.spec!;
const container = (pod: Pod, name: string): V1Container => pod.containers.find((c) => c.name === name)!;
const volume = (pod: Pod, name: string): V1Volume | undefined => pod.volumes?.find((v) => v.name === name);
const mounts = (c: V1Container) => c.volumeMounts ?? [];
const configOf = (pod: Pod): AgentConfig => JSON.parse(container(pod, 'agent').env!.find((e) => e.name === 'KLAMBDA_AGENT_CONFIG')!.value!) as AgentConfig;

describe('the Deployment of a version whose code is a zip package', () => {
  it('makes the code volume an emptyDir the agent fills, not a code ConfigMap', () => {
    const pod = podOf(packaged());
    expect(volume(pod, 'code')).toEqual({ name: 'code', emptyDir: {} });
    expect(pod.volumes?.some((v) => v.configMap !== undefined)).toBe(false);
  });

  it('keeps the package cache in the node\'s host folder when one is given (DirectoryOrCreate), else in an emptyDir', () => {
    const shared = podOf(packaged({ packageCacheHostPath: '/var/lib/klambda/packages' }));
    expect(volume(shared, 'package-cache')).toEqual({ name: 'package-cache', hostPath: { path: '/var/lib/klambda/packages', type: 'DirectoryOrCreate' } });
    const own = podOf(packaged());
    expect(volume(own, 'package-cache')).toEqual({ name: 'package-cache', emptyDir: {} });
  });

  it('mounts the code volume writable and the package cache into the agent, beside its Secret', () => {
    const pod = podOf(packaged({ packageCacheHostPath: '/var/lib/klambda/packages' }));
    const agent = mounts(container(pod, 'agent'));
    const cfg = configOf(pod);
    expect(agent.map((m) => m.name).sort()).toEqual(['agent-redis', 'code', 'package-cache']);
    const code = agent.find((m) => m.name === 'code')!;
    expect(code.readOnly).toBeFalsy();
    expect(code.mountPath).toBe(cfg.package?.targetDir);
    const cache = agent.find((m) => m.name === 'package-cache')!;
    expect(cache.readOnly).toBeFalsy();
    expect(cache.mountPath).toBe(cfg.package?.cacheDir);
    expect(agent.find((m) => m.name === 'agent-redis')?.readOnly).toBe(true);
  });

  it('mounts only the code volume into the function, read-only at /var/task: never the agent Secret or the cache', () => {
    const pod = podOf(packaged({ packageCacheHostPath: '/var/lib/klambda/packages' }));
    const fnMounts = mounts(container(pod, 'function'));
    expect(fnMounts.filter((m) => m.name === 'code')).toEqual([{ name: 'code', mountPath: '/var/task', readOnly: true }]);
    expect(fnMounts.map((m) => m.name)).not.toContain('agent-redis');
    expect(fnMounts.map((m) => m.name)).not.toContain('package-cache');
    expect(fnMounts.map((m) => m.name).sort()).toEqual(['code', 'tmp']);
    expect(configOf(pod).spec.codeDir).toBe('/var/task');
  });

  it('gives the agent the package\'s CodeSha256, CodeSize and its URL file in the agent Secret\'s folder', () => {
    const pod = podOf(packaged());
    const cfg = configOf(pod);
    const secretDir = mounts(container(pod, 'agent')).find((m) => m.name === 'agent-redis')!.mountPath;
    expect(cfg.package).toEqual({
      sha256: SHA, size: PACKAGE.size, urlFile: `${secretDir}/package-url`,
      cacheDir: '/var/cache/klambda/packages', targetDir: '/klambda/code',
    });
    expect(agentConfig(packaged())).toEqual(cfg);
    // the URL itself is only in the Secret: the pod spec holds no signed URL
    expect(JSON.stringify(pod)).not.toMatch(/X-Amz-Signature|https?:\/\//);
  });

  it('changes nothing without a package: the code ConfigMap is the code volume, the agent mounts only its Secret', () => {
    const pod = podOf(base());
    expect(volume(pod, 'code')).toEqual({ name: 'code', configMap: { name: codeConfigMapName('hello', '$LATEST'), defaultMode: 0o755, items: [{ key: 'index.mjs', path: 'index.mjs' }] } });
    expect(volume(pod, 'package-cache')).toBeUndefined();
    expect(mounts(container(pod, 'agent')).map((m) => m.name)).toEqual(['agent-redis']);
    expect(configOf(pod).package).toBeUndefined();
    // a host path alone (the controller's flag) does not add the cache to a pod without a package
    expect(volume(podOf({ ...base(), packageCacheHostPath: '/var/lib/klambda/packages' }), 'package-cache')).toBeUndefined();
  });
});

describe('the NetworkPolicy of a private function and the code store', () => {
  const input: NetworkPolicyInput = { namespace: 'team-a', functionName: 'hello', version: '$LATEST', owner, redis: { namespace: 'klambda', podLabels: { app: 'redis' }, port: 6379 } };
  const store = { namespace: 'klambda-system', podLabels: { 'app.kubernetes.io/name': 'klambda-code-store' }, port: 7070 };

  it('allows one more egress rule, to the store\'s pods in its namespace on its port, when the agent fetches a package', () => {
    const without = buildNetworkPolicy(input).spec!.egress!;
    const withStore = buildNetworkPolicy({ ...input, codeStore: store }).spec!.egress!;
    expect(withStore).toHaveLength(without.length + 1);
    expect(withStore.slice(0, without.length)).toEqual(without);
    expect(withStore.at(-1)).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'klambda-system' } }, podSelector: { matchLabels: store.podLabels } }],
      ports: [{ protocol: 'TCP', port: 7070 }],
    });
    expect(buildNetworkPolicy({ ...input, codeStore: store }).spec?.ingress).toEqual([]);
  });

  it('allows only Redis and DNS without a store', () => {
    const egress = buildNetworkPolicy(input).spec!.egress!;
    expect(egress.map((e) => e.ports?.map((p) => p.port))).toEqual([[6379], [53, 53]]);
    expect(JSON.stringify(egress)).not.toContain('7070');
  });
});
