// A function version with layers on a cluster: its pod's agent fetches each layer's zip into the node's cache and merges
// them into the opt volume, which the function mounts read-only at /opt; the function's environment is Lambda's for
// layers (PATH with /opt/bin, LD_LIBRARY_PATH /opt/lib, NODE_PATH / PYTHONPATH into /opt). Without layers nothing changes.
import type { V1Container, V1Volume } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { AgentConfig } from '../../src/agent/agent.js';
import type { FunctionConfig, KlambdaFunction } from '../../src/api/function.js';
import { checkObject } from '../../src/api/parse.js';
import { packageKey } from '../../src/code/code-store.js';
import { layerUrlKey, packageKeysOf } from '../../src/controller/agent-credentials.js';
import { buildDeployment, type DeploymentInput } from '../../src/controller/resources/deployment.js';

const owner = { apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', name: 'hello', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const sha = (s: string) => createHash('sha256').update(s).digest('base64');
const PACKAGE = { sha256: sha('code'), size: 1000 };
const LAYERS = [{ sha256: sha('layer one'), size: 2000 }, { sha256: sha('layer two'), size: 3000 }];
const LAMBDA_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/bin';

function config(code: Record<string, unknown>, extra: Record<string, unknown> = {}): FunctionConfig {
  const spec = { runtime: 'nodejs20', handler: 'index.handler', code, ...extra };
  const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (r.object as KlambdaFunction).spec;
}

const input = (extra: Partial<DeploymentInput> = {}): DeploymentInput => ({
  namespace: 'team-a', functionName: 'hello', version: '$LATEST', codeFiles: {},
  config: config({ s3: { bucket: 'klambda-code', key: packageKey('team-a', PACKAGE.sha256) } }, { layers: ['tools:1', 'deps:4'] }),
  package: PACKAGE, layers: LAYERS,
  owner, replicas: 0, agentImage: 'klambda:0.1.0', runtimeImages: { nodejs20: 'rt/node', 'python3.11': 'rt/python', provided: 'rt/provided', ruby3: 'rt/ruby', dotnet8: 'rt/dotnet', java17: 'rt/java17', java21: 'rt/java21' },
  keyPrefix: 'klambda', region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000, ...extra,
});

/** Code that is not a package (inline: the code ConfigMap). */
const unpackaged = (extra: Partial<DeploymentInput>): DeploymentInput => {
  const i = input({ codeFiles: { 'index.mjs': 'x' }, ...extra });
  delete i.package;
  return i;
};

type Pod = NonNullable<NonNullable<ReturnType<typeof buildDeployment>['spec']>['template']['spec']>;
const podOf = (i: DeploymentInput): Pod => buildDeployment(i).spec!.template.spec!;
const container = (pod: Pod, name: string): V1Container => pod.containers.find((c) => c.name === name)!;
const volume = (pod: Pod, name: string): V1Volume | undefined => pod.volumes?.find((v) => v.name === name);
const mounts = (c: V1Container) => c.volumeMounts ?? [];
const configOf = (pod: Pod): AgentConfig => JSON.parse(container(pod, 'agent').env!.find((e) => e.name === 'KLAMBDA_AGENT_CONFIG')!.value!) as AgentConfig;
const envOf = (pod: Pod): Record<string, string | undefined> =>
  Object.fromEntries((container(pod, 'function').env ?? []).map((e) => [e.name, e.value]));

describe('the Deployment of a version with layers', () => {
  it('adds an opt emptyDir beside the code volume, and the package cache once', () => {
    const pod = podOf(input({ packageCacheHostPath: '/var/lib/klambda/packages' }));
    expect(volume(pod, 'opt')).toEqual({ name: 'opt', emptyDir: {} });
    expect(volume(pod, 'code')).toEqual({ name: 'code', emptyDir: {} });
    expect(pod.volumes?.filter((v) => v.name === 'package-cache')).toEqual([
      { name: 'package-cache', hostPath: { path: '/var/lib/klambda/packages', type: 'DirectoryOrCreate' } },
    ]);
  });

  it('mounts the opt volume writable into the agent, where its config says it merges the layers', () => {
    const pod = podOf(input());
    const cfg = configOf(pod);
    const agent = mounts(container(pod, 'agent'));
    expect(agent.map((m) => m.name).sort()).toEqual(['agent-redis', 'code', 'opt', 'package-cache']);
    const opt = agent.find((m) => m.name === 'opt')!;
    expect(opt.readOnly).toBeFalsy();
    expect(opt.mountPath).toBe(cfg.layers?.targetDir);
    expect(agent.find((m) => m.name === 'package-cache')!.mountPath).toBe(cfg.layers?.cacheDir);
    expect(cfg.layers?.cacheDir).toBe(cfg.package?.cacheDir);
  });

  it('mounts the opt volume read-only at /opt in the function, never the cache or the agent Secret', () => {
    const fn = mounts(container(podOf(input()), 'function'));
    expect(fn.filter((m) => m.name === 'opt')).toEqual([{ name: 'opt', mountPath: '/opt', readOnly: true }]);
    expect(fn.map((m) => m.name).sort()).toEqual(['code', 'opt', 'tmp']);
  });

  it('gives the agent each layer\'s CodeSha256, CodeSize and URL file, in the function\'s order', () => {
    const pod = podOf(input());
    const secretDir = mounts(container(pod, 'agent')).find((m) => m.name === 'agent-redis')!.mountPath;
    expect(configOf(pod).layers).toEqual({
      layers: [
        { ...LAYERS[0], urlFile: `${secretDir}/layer-1-url` },
        { ...LAYERS[1], urlFile: `${secretDir}/layer-2-url` },
      ],
      cacheDir: '/var/cache/klambda/packages', targetDir: '/klambda/opt',
    });
    expect(configOf(pod).spec.optDir).toBe('/opt');
    expect(JSON.stringify(pod)).not.toMatch(/X-Amz-Signature|https?:\/\//);
  });

  it('sets Lambda\'s PATH and LD_LIBRARY_PATH and the runtime\'s module path into /opt', () => {
    expect(envOf(podOf(input()))).toMatchObject({
      PATH: LAMBDA_PATH, LD_LIBRARY_PATH: '/opt/lib', NODE_PATH: '/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules',
    });
    expect(envOf(podOf(input())).PYTHONPATH).toBeUndefined();
    const python = input({ config: config({ inline: { 'app.py': 'x' } }, { runtime: 'python3.11', handler: 'app.handler', layers: ['tools:1'] }) });
    expect(envOf(podOf(python))).toMatchObject({
      PATH: LAMBDA_PATH, LD_LIBRARY_PATH: '/opt/lib', PYTHONPATH: '/opt/python/lib/python3.11/site-packages:/opt/python',
    });
    expect(envOf(podOf(python)).NODE_PATH).toBeUndefined();
  });

  it('keeps what the function sets itself over the layers\' defaults', () => {
    const own = input({ config: config({ inline: { 'index.mjs': 'x' } }, { layers: ['tools:1'], environment: { PATH: '/mine/bin', NODE_PATH: '/mine' } }) });
    expect(envOf(podOf(own))).toMatchObject({ PATH: '/mine/bin', NODE_PATH: '/mine', LD_LIBRARY_PATH: '/opt/lib' });
  });

  it('fetches layers for inline code too: its code ConfigMap stays the code volume, the agent mounts only opt and the cache', () => {
    const pod = podOf(unpackaged({ config: config({ inline: { 'index.mjs': 'x' } }, { layers: ['tools:1'] }), layers: [LAYERS[0]!] }));
    expect(volume(pod, 'code')?.configMap).toBeDefined();
    expect(volume(pod, 'opt')).toEqual({ name: 'opt', emptyDir: {} });
    expect(volume(pod, 'package-cache')).toEqual({ name: 'package-cache', emptyDir: {} });
    expect(mounts(container(pod, 'agent')).map((m) => m.name).sort()).toEqual(['agent-redis', 'opt', 'package-cache']);
    expect(configOf(pod).package).toBeUndefined();
    expect(configOf(pod).layers?.layers).toHaveLength(1);
  });

  it('changes nothing without layers: no opt volume, the image\'s PATH, no optDir', () => {
    const pod = podOf(unpackaged({ config: config({ inline: { 'index.mjs': 'x' } }), layers: [] }));
    expect(volume(pod, 'opt')).toBeUndefined();
    expect(volume(pod, 'package-cache')).toBeUndefined();
    expect(configOf(pod).layers).toBeUndefined();
    expect(configOf(pod).spec.optDir).toBeUndefined();
    expect(envOf(pod)).not.toHaveProperty('PATH');
    expect(envOf(pod)).not.toHaveProperty('LD_LIBRARY_PATH');
    expect(envOf(pod)).not.toHaveProperty('NODE_PATH');
    // a PATH of the function's own is its own, layers or not
    expect(envOf(podOf(unpackaged({ config: config({ inline: { 'index.mjs': 'x' } }, { environment: { PATH: '/mine/bin' } }), layers: [] }))).PATH).toBe('/mine/bin');
  });

  it('does not unpack layers for a user\'s image (its own /opt)', () => {
    const image = input({ config: config({ image: 'registry.example/fn:1' }), layers: LAYERS });
    const pod = podOf(image);
    expect(volume(pod, 'opt')).toBeUndefined();
    expect(configOf(pod).layers).toBeUndefined();
    expect(mounts(container(pod, 'function')).map((m) => m.name)).not.toContain('opt');
  });
});

describe('the agent Secret\'s package URLs', () => {
  it('names the code\'s URL package-url and each layer\'s layer-N-url, counting from 1 in the function\'s order', () => {
    expect(packageKeysOf('packages/a/code.zip', ['packages/a/l1.zip', 'packages/a/l2.zip'])).toEqual({
      'package-url': 'packages/a/code.zip', 'layer-1-url': 'packages/a/l1.zip', 'layer-2-url': 'packages/a/l2.zip',
    });
    expect(packageKeysOf(undefined, ['packages/a/l1.zip'])).toEqual({ 'layer-1-url': 'packages/a/l1.zip' });
    expect(packageKeysOf(undefined)).toEqual({});
    expect(layerUrlKey(4)).toBe('layer-5-url');
  });
});

describe('a Function\'s spec', () => {
  it('refuses layers with image code, as Lambda does', () => {
    const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'img' }, spec: { runtime: 'provided', code: { image: 'r/f:1' }, layers: ['tools:1'] } });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.issues.map((i) => i.path.replace(/^spec\./, ''))).toContain('layers');
  });
});
