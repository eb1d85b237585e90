import { buildCodeConfigMap, codeKeys } from '../../src/controller/resources/code-configmap.js';
import { RUNTIMES } from '../../src/core/runtimes.js';
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
  owner, replicas: 0, agentImage: 'klambda:0.1.0', runtimeImages: { nodejs20: 'rt/node', 'python3.11': 'rt/python', provided: 'rt/provided', ruby3: 'rt/ruby', dotnet8: 'rt/dotnet', java17: 'rt/java17', java21: 'rt/java21' }, keyPrefix: 'klambda',
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

type Pod = NonNullable<NonNullable<ReturnType<typeof buildDeployment>['spec']>['template']['spec']>;
const podOf = (extra: Record<string, unknown> = {}): Pod => buildDeployment(input(extra)).spec!.template.spec!;
const container = (pod: Pod, name: string) => pod.containers.find((c) => c.name === name)!;
const envOf = (pod: Pod, name: string) => Object.fromEntries((container(pod, name).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

describe('the Deployment of a function version', () => {
  it('runs two containers in one process namespace: the agent first, then the function', () => {
    const d = buildDeployment(input());
    const pod = d.spec!.template.spec!;
    expect(d.metadata?.name).toBe('hello-v2');
    expect(pod.containers.map((c) => c.name)).toEqual(['agent', 'function']);
    expect(pod.shareProcessNamespace).toBe(true);
    // the function container starts once the agent's Runtime API listens
    expect(container(pod, 'agent').lifecycle?.postStart?.exec?.command?.slice(0, 2)).toEqual(['node', '-e']);
    expect(container(pod, 'agent').lifecycle?.postStart?.exec?.command?.[2]).toContain("'127.0.0.1:9001'.split(':')");
  });

  it('runs the agent from the klambda image with its config (pod mode, Redis URL from a file) and no Redis URL anywhere in env', () => {
    const pod = podOf();
    const agent = container(pod, 'agent');
    expect(agent.image).toBe('klambda:0.1.0');
    expect(agent.command).toEqual(['/opt/klambda/bin/setpriv', '--inh-caps=+kill', '--ambient-caps=+kill', '--', 'node', '--max-old-space-size=96', '/opt/klambda/dist/agent/main.js']);
    const cfg = JSON.parse(envOf(pod, 'agent').KLAMBDA_AGENT_CONFIG as string) as ReturnType<typeof agentConfig>;
    expect(cfg.redisUrl).toBeUndefined();
    expect(cfg.redisUrlFile).toBe('/etc/klambda/agent/redis-url');
    expect(cfg.pod).toEqual({ runtimeApi: '127.0.0.1:9001', functionUid: 10002 });
    expect(cfg.slots).toBe(1);
    expect(cfg.queue).toEqual({ namespace: 'team-a', functionName: 'hello', version: '2' });
    expect(cfg.spec).toMatchObject({ codeDir: '/var/task', memoryMB: 128, handler: 'index.handler', runtime: 'nodejs20' });
    expect(JSON.stringify(pod)).not.toContain('redis://');
  });

  it('mounts the version\'s agent Secret into the agent container only', () => {
    const pod = podOf();
    expect(pod.volumes).toContainEqual({ name: 'agent-redis', secret: { secretName: 'hello-v2-agent', defaultMode: 0o444 } });
    expect(container(pod, 'agent').volumeMounts).toEqual([{ name: 'agent-redis', mountPath: '/etc/klambda/agent', readOnly: true }]);
    expect(container(pod, 'function').volumeMounts?.map((m) => m.name)).not.toContain('agent-redis');
  });

  it('gives each container its own uid, drops every capability, and lets only the agent add KILL', () => {
    const pod = podOf();
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const locked = { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false };
    expect(container(pod, 'agent').securityContext).toEqual({ ...locked, runAsUser: 10001, runAsGroup: 10001, capabilities: { drop: ['ALL'], add: ['KILL'] } });
    expect(container(pod, 'function').securityContext).toEqual({ ...locked, runAsUser: 10002, runAsGroup: 10002, capabilities: { drop: ['ALL'] } });
  });

  it('runs the function in the runtime\'s klambda image with the code at /var/task and /tmp sized by ephemeral storage, no command of ours', () => {
    for (const [runtime, handler, image] of [['nodejs20', 'index.handler', 'rt/node'], ['python3.11', 'app.handler', 'rt/python'], ['provided', 'bootstrap', 'rt/provided']]) {
      const inline = runtime === 'provided' ? { bootstrap: '#!/bin/sh' } : { 'index.mjs': 'x', 'lib/util.mjs': 'y' };
      const pod = podOf({ runtime, handler, ephemeralStorageMB: 1024, code: { inline } });
      const fn = container(pod, 'function');
      expect({ runtime, image: fn.image, command: fn.command, args: fn.args }).toEqual({ runtime, image, command: undefined, args: undefined });
      expect(fn.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'code', mountPath: '/var/task', readOnly: true }]);
    }
    const pod = podOf({ ephemeralStorageMB: 1024 });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '1024Mi' } });
    expect(pod.volumes?.find((v) => v.name === 'code')?.configMap).toEqual({ name: 'hello-v2-code', defaultMode: 0o755, items: codeKeys({ 'index.mjs': 'x', 'lib/util.mjs': 'y' }) });
  });

  it('runs a user\'s image with its own ENTRYPOINT/CMD: no command, no args, no code volume', () => {
    const pod = podOf({ runtime: 'provided', handler: 'app.handler', code: { image: 'registry.example/app:1' } });
    const fn = container(pod, 'function');
    expect(fn.image).toBe('registry.example/app:1');
    expect(fn.command).toBeUndefined();
    expect(fn.args).toBeUndefined();
    expect(fn.workingDir).toBeUndefined();
    // stopped pods let the invocation in progress finish: the function's SIGTERM waits one timeout
    expect(fn.lifecycle).toEqual({ preStop: { sleep: { seconds: 3 } } });
    expect(pod.volumes?.map((v) => v.name)).toEqual(['agent-redis', 'tmp']);
    expect(envOf(pod, 'function')._HANDLER).toBe('app.handler');
  });

  it('gives the function Lambda\'s environment: the agent\'s Runtime API on the pod loopback, reserved variables over its own, the image\'s PATH kept', () => {
    const pod = podOf({ environment: { GREETING: 'hi', TZ_NOT: 'x' } });
    const env = envOf(pod, 'function');
    expect(env).toMatchObject({
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001', _HANDLER: 'index.handler', LAMBDA_TASK_ROOT: '/var/task', LAMBDA_RUNTIME_DIR: '/var/runtime',
      AWS_LAMBDA_FUNCTION_NAME: 'hello', AWS_LAMBDA_FUNCTION_VERSION: '2', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128', AWS_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x', TZ: ':UTC', HOME: '/tmp', TMPDIR: '/tmp', GREETING: 'hi',
      AWS_LAMBDA_LOG_STREAM_NAME: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
    });
    expect(env.PATH).toBeUndefined();
    expect(env.KLAMBDA_AGENT_CONFIG).toBeUndefined();
    expect(Object.keys(envOf(pod, 'agent'))).toEqual(['KLAMBDA_AGENT_CONFIG']);
  });

  it('fills spec.secretEnvironment from Secrets in the function container only (secretKeyRef), never in the agent or its config', () => {
    const pod = podOf({ environment: { GREETING: 'hi' }, secretEnvironment: { DB_PASSWORD: { secret: 'db-credentials', key: 'password' }, HOME: { secret: 'h', key: 'dir' } } });
    const fnEnv = container(pod, 'function').env!;
    expect(fnEnv.filter((e) => e.name === 'DB_PASSWORD')).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } }]);
    // a default the function may override is replaced, not doubled
    expect(fnEnv.filter((e) => e.name === 'HOME')).toEqual([{ name: 'HOME', valueFrom: { secretKeyRef: { name: 'h', key: 'dir' } } }]);
    expect(envOf(pod, 'function').GREETING).toBe('hi');
    const agent = container(pod, 'agent');
    expect(JSON.stringify(agent)).not.toContain('db-credentials');
    expect(agent.envFrom).toBeUndefined();
    expect(JSON.stringify(pod.volumes)).not.toContain('db-credentials');
  });

  it('sizes the function as Lambda does (1769 MB = 1 vCPU) and requests the agent\'s memory and CPU on top', () => {
    const pod = podOf({ memoryMB: 1769, ephemeralStorageMB: 1024 });
    expect(container(pod, 'function').resources).toEqual({
      requests: { cpu: '1000m', memory: '1769Mi', 'ephemeral-storage': '1024Mi' }, limits: { cpu: '1000m', memory: '1769Mi', 'ephemeral-storage': '1024Mi' },
    });
    const small = podOf();
    expect(container(small, 'function').resources?.limits).toMatchObject({ memory: '128Mi', cpu: '72m' });
    expect(container(small, 'agent').resources).toEqual({
      requests: { cpu: '50m', memory: '160Mi', 'ephemeral-storage': '16Mi' }, limits: { cpu: '500m', memory: '160Mi', 'ephemeral-storage': '64Mi' },
    });
  });

  it('mounts no service-account token anywhere unless the Function names an execution role', () => {
    const pod = podOf();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBeUndefined();
    expect(JSON.stringify(pod)).not.toContain('serviceAccountToken');
  });

  it('projects the execution role\'s token into the function container only', () => {
    const pod = podOf({ serviceAccountName: 'resize-role' });
    expect(pod.serviceAccountName).toBe('resize-role');
    expect(pod.automountServiceAccountToken).toBe(false);
    const volume = pod.volumes?.find((v) => v.name === 'execution-role');
    expect(volume?.projected?.sources?.[0]).toEqual({ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } });
    expect(container(pod, 'function').volumeMounts).toContainEqual({ name: 'execution-role', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
    expect(container(pod, 'agent').volumeMounts?.map((m) => m.name)).not.toContain('execution-role');
  });
});

describe('runtime images', () => {
  it('are named after the agent image, tag kept, digest dropped; explicit ones win', async () => {
    const { runtimeImageFor, runtimeImages } = await import('../../src/controller/resources/images.js');
    expect(runtimeImageFor('klambda:0.1.0', 'nodejs20')).toBe('klambda-nodejs20:0.1.0');
    expect(runtimeImageFor('ghcr.io/acme/klambda', 'python3.11')).toBe('ghcr.io/acme/klambda-python3.11');
    expect(runtimeImageFor('localhost:5000/klambda:dev@sha256:abc', 'provided')).toBe('localhost:5000/klambda-provided:dev');
    const images = runtimeImages('r/klambda:1', { provided: 'mine/bootstrap:2' });
    expect(images).toMatchObject({ nodejs20: 'r/klambda-nodejs20:1', 'python3.11': 'r/klambda-python3.11:1', provided: 'mine/bootstrap:2', ruby3: 'r/klambda-ruby3:1', dotnet8: 'r/klambda-dotnet8:1' });
    // one image per runtime, every other one named after the agent image
    expect(Object.keys(images).sort()).toEqual([...RUNTIMES].sort());
    for (const rt of RUNTIMES.filter((r) => r !== 'provided')) expect(images[rt]).toBe(`r/klambda-${rt}:1`);
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
