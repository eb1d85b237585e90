import { buildCodeConfigMap, codeKeys } from '../../src/controller/resources/code-configmap.js';
import { agentConfig, buildDeployment, type DeploymentInput } from '../../src/controller/resources/deployment.js';
import type { FunctionConfig, KlambdaFunction } from '../../src/api/function.js';
import { checkObject } from '../../src/api/parse.js';

const owner = { apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', name: 'hello-v2', uid: 'u-1', controller: true, blockOwnerDeletion: true };

function config(extra: Record<string, unknown> = {}): FunctionConfig {
  const spec = { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'x', 'lib/util.mjs': 'y' } }, ...extra };
  const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (r.object as KlambdaFunction).spec; // with the schema's defaults
}

const input = (extra: Record<string, unknown> = {}): DeploymentInput => ({
  namespace: 'team-a', functionName: 'hello', version: '2', config: config(extra), codeFiles: { 'index.mjs': 'x', 'lib/util.mjs': 'y' },
  owner, replicas: 0, agentImage: 'klambda:0.1.0', redisUrl: 'redis://redis:6379', keyPrefix: 'klambda',
  region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000,
});

describe('the code ConfigMap', () => {
  it('keeps plain file names as keys and maps files in folders through numbered keys', () => {
    expect(codeKeys({ 'index.mjs': 'x', 'lib/util.mjs': 'y' })).toEqual([{ key: 'index.mjs', path: 'index.mjs' }, { key: 'file-1', path: 'lib/util.mjs' }]);
    const cm = buildCodeConfigMap('team-a', 'hello', '2', { 'index.mjs': 'x', 'lib/util.mjs': 'y' }, owner);
    expect(cm.data).toEqual({ 'index.mjs': 'x', 'file-1': 'y' });
    expect(cm.immutable).toBe(true);
    expect(cm.metadata?.ownerReferences).toEqual([owner]);
  });
});

describe('the Deployment of a function version', () => {
  it('runs the agent with the version\'s config, code at /var/task and /tmp sized by ephemeral storage', () => {
    const d = buildDeployment(input({ memoryMB: 1769, ephemeralStorageMB: 1024 }));
    const pod = d.spec!.template.spec!;
    const c = pod.containers[0]!;
    expect(d.metadata?.name).toBe('hello-v2');
    expect(c.resources?.limits).toEqual({ cpu: '1000m', memory: '1769Mi', 'ephemeral-storage': '1024Mi' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '1024Mi' } });
    expect(pod.volumes?.find((v) => v.name === 'code')?.configMap?.items).toEqual(codeKeys({ 'index.mjs': 'x', 'lib/util.mjs': 'y' }));
    const cfg = JSON.parse(c.env!.find((e) => e.name === 'KLAMBDA_AGENT_CONFIG')!.value!) as ReturnType<typeof agentConfig>;
    expect(cfg.queue).toEqual({ namespace: 'team-a', functionName: 'hello', version: '2' });
    expect(cfg.spec).toMatchObject({ codeDir: '/var/task', memoryMB: 1769, handler: 'index.handler', runtime: 'nodejs20' });
    expect(cfg.maxAsyncAttempts).toBe(3);
  });

  it('is locked down: non-root, read-only root filesystem, no privilege escalation, seccomp RuntimeDefault', () => {
    const pod = buildDeployment(input()).spec!.template.spec!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('uses the function\'s service account as its execution role', () => {
    const pod = buildDeployment(input({ serviceAccountName: 'resize-role' })).spec!.template.spec!;
    expect(pod.serviceAccountName).toBe('resize-role');
    expect(pod.automountServiceAccountToken).toBe(true);
  });
});

describe('the NetworkPolicy of a private function', () => {
  it('denies inbound traffic and allows out only Redis and DNS', async () => {
    const { buildNetworkPolicy } = await import('../../src/controller/resources/network-policy.js');
    const np = buildNetworkPolicy({ namespace: 'team-a', functionName: 'hello', version: '2', owner, redis: { namespace: 'klambda', podLabels: { app: 'redis' }, port: 6379 } });
    expect(np.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec?.ingress).toEqual([]);
    expect(np.spec?.podSelector?.matchLabels).toEqual({ 'klambda.dev/function': 'hello', 'klambda.dev/version': 'v2' });
    expect(np.spec?.egress?.map((e) => e.ports?.map((p) => p.port))).toEqual([[6379], [53, 53]]);
  });
});
