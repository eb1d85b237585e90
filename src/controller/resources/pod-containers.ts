// The two containers of a function pod (pure): the runtime agent (klambda image, the pod's only Redis credential) and the
// function (a klambda runtime image with the code at /var/task, or the user's own image, entrypoint unchanged).
import type { V1Container, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { SecretKeyRef } from '../../api/function.js';
import type { EnvironmentSpec } from '../../core/environment-spec.js';
import { runtimeEnvironment } from '../../agent/runtime-launch.js';
import { AGENT_HEAP_MB, AGENT_RESOURCES, environmentResources } from './sizing.js';

export const CODE_DIR = '/var/task';
/** Where the klambda runtime images keep their bootstrap, as AWS's images do. */
export const RUNTIME_DIR = '/var/runtime';
export const AGENT_MAIN = '/opt/klambda/dist/agent/main.js';
/**
 * A copy of util-linux setpriv in the klambda image carrying the file capability cap_kill+ep: as the agent container's
 * first program it turns the KILL capability the container adds into an ambient one that node keeps (a non-root
 * container's added capabilities are otherwise lost at exec; see docs/operator.md).
 */
export const AGENT_CAPS_WRAPPER = '/opt/klambda/bin/setpriv';
/** The agent's Runtime API inside the pod: the function reaches it on the pod's loopback, as on AWS (RAPID listens on 9001). */
export const RUNTIME_API = '127.0.0.1:9001';
export const AGENT_UID = 10001;
export const FUNCTION_UID = 10002;
export const AGENT_SECRET_DIR = '/etc/klambda/agent';
/** Where the agent writes a zip package's files: the code volume, which the function container mounts at /var/task. */
export const AGENT_CODE_DIR = '/klambda/code';
/** Where the agent merges the function's layers: the opt volume, which the function container mounts at /opt. */
export const AGENT_OPT_DIR = '/klambda/opt';
/** Lambda's /opt: the function's layers, merged. */
export const OPT_DIR = '/opt';
/** The node's package cache in the agent container (a hostPath shared by the node's agents, or an emptyDir). */
export const PACKAGE_CACHE_DIR = '/var/cache/klambda/packages';
/** The function container's PATH with layers: Lambda's (the usual image PATH, then /opt/bin). */
export const LAYERS_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Volume names, shared by the containers and the pod's volume list. */
export const VOLUMES = { agentSecret: 'agent-redis', code: 'code', opt: 'opt', tmp: 'tmp', token: 'execution-role', packageCache: 'package-cache' } as const;

const lockedDown = (uid: number, addCaps: string[] = []): V1Container['securityContext'] => ({
  runAsUser: uid, runAsGroup: uid, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
  capabilities: addCaps.length > 0 ? { drop: ['ALL'], add: addCaps } : { drop: ['ALL'] },
});

/**
 * The kubelet starts a pod's containers in order and waits for each one's postStart hook: the function container
 * starts once the agent's Runtime API listens, so its runtime's first /next never finds the port closed (which would
 * end it and cost a restart with backoff).
 */
const WAIT_FOR_RUNTIME_API = `const net = require('net'); const [host, port] = '${RUNTIME_API}'.split(':'); const until = Date.now() + 60000;
(function attempt() { const s = net.connect(Number(port), host, () => { s.end(); process.exit(0); });
  s.on('error', () => (Date.now() > until ? process.exit(1) : setTimeout(attempt, 50))); })();`;

/** What the agent fills from the node's package cache before the function starts: the code volume, the opt volume. */
export interface AgentFetches { package?: boolean; layers?: boolean }

/** `env`: the agent's own extra variables (the OTEL_* of its spans), after its config. */
export function agentContainer(image: string, configJson: string, fetches: AgentFetches = {}, env: Record<string, string> = {}): V1Container {
  const mounts: V1VolumeMount[] = [{ name: VOLUMES.agentSecret, mountPath: AGENT_SECRET_DIR, readOnly: true }];
  if (fetches.package) mounts.push({ name: VOLUMES.code, mountPath: AGENT_CODE_DIR });
  if (fetches.layers) mounts.push({ name: VOLUMES.opt, mountPath: AGENT_OPT_DIR });
  if (fetches.package || fetches.layers) mounts.push({ name: VOLUMES.packageCache, mountPath: PACKAGE_CACHE_DIR });
  return {
    name: 'agent',
    image,
    command: [AGENT_CAPS_WRAPPER, '--inh-caps=+kill', '--ambient-caps=+kill', '--', 'node', `--max-old-space-size=${AGENT_HEAP_MB}`, AGENT_MAIN],
    env: [{ name: 'KLAMBDA_AGENT_CONFIG', value: configJson }, ...Object.keys(env).sort().map((name) => ({ name, value: env[name]! }))],
    resources: AGENT_RESOURCES,
    // KILL: to end the function's processes (another uid) on a timeout; nothing else
    securityContext: lockedDown(AGENT_UID, ['KILL']),
    volumeMounts: mounts,
    lifecycle: { postStart: { exec: { command: ['node', '-e', WAIT_FOR_RUNTIME_API] } } },
  };
}

/**
 * The function's environment as Lambda sets it (runtimeEnvironment, as the local mode's runtimes get it), with the log
 * stream named after the pod. Without layers PATH and LD_LIBRARY_PATH are the image's (unless the function sets them);
 * with layers (`spec.optDir`) they are Lambda's: the usual PATH then /opt/bin, LD_LIBRARY_PATH /opt/lib.
 */
export function functionEnv(spec: EnvironmentSpec, secretEnvironment: Record<string, SecretKeyRef> = {}): V1EnvVar[] {
  const env = runtimeEnvironment(spec, { runtimeApi: RUNTIME_API, runtimesDir: RUNTIME_DIR, tmpDir: '/tmp', logStreamName: '', hostPath: LAYERS_PATH });
  if (!spec.optDir) {
    for (const name of ['PATH', 'LD_LIBRARY_PATH']) if (spec.environment[name] === undefined) delete env[name];
  }
  env.LAMBDA_RUNTIME_DIR = RUNTIME_DIR;
  const out: V1EnvVar[] = [];
  for (const [name, value] of Object.entries(env)) {
    // a variable from a Secret replaces a default (PATH, HOME…); it can name no reserved one (the spec's rules)
    if (Object.hasOwn(secretEnvironment, name)) continue;
    out.push(name === 'AWS_LAMBDA_LOG_STREAM_NAME'
      ? { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }
      : { name, value });
  }
  // the kubelet reads these into the function container only: the agent, the router and Redis never see the values
  for (const name of Object.keys(secretEnvironment).sort()) {
    const ref = secretEnvironment[name]!;
    out.push({ name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } });
  }
  return out;
}

export interface FunctionContainerInput {
  image: string;
  spec: EnvironmentSpec;
  /** Variables the kubelet fills from the namespace's Secrets (the Function's spec.secretEnvironment). */
  secretEnvironment?: Record<string, SecretKeyRef>;
  /** The code ConfigMap is mounted at /var/task (klambda runtime images); a user's image brings its own code. */
  mountsCode: boolean;
  /** The opt volume (the merged layers) is mounted read-only at /opt. */
  mountsOpt?: boolean;
  /** The execution role's token is mounted (the Function names a serviceAccountName). */
  mountsToken: boolean;
}

/**
 * A pod being stopped (scale-down, rollout) signals both containers at once: the agent stops taking work and finishes
 * the invocation in progress, while the function would end mid-invocation. Its SIGTERM waits out one timeout instead
 * (a sleep hook needs nothing in the image; Kubernetes 1.30+).
 */
const finishInvocationFirst = (timeoutSeconds: number): V1Container['lifecycle'] => ({ preStop: { sleep: { seconds: timeoutSeconds } } });

/** No command or args: a klambda runtime image's and a user's image's own ENTRYPOINT/CMD run, as Lambda runs them. */
export function functionContainer(i: FunctionContainerInput): V1Container {
  const mounts: V1VolumeMount[] = [{ name: VOLUMES.tmp, mountPath: '/tmp' }];
  if (i.mountsCode) mounts.push({ name: VOLUMES.code, mountPath: CODE_DIR, readOnly: true });
  if (i.mountsOpt) mounts.push({ name: VOLUMES.opt, mountPath: OPT_DIR, readOnly: true });
  if (i.mountsToken) mounts.push({ name: VOLUMES.token, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });
  return {
    name: 'function',
    image: i.image,
    env: functionEnv(i.spec, i.secretEnvironment),
    resources: environmentResources(i.spec.memoryMB, i.spec.ephemeralStorageMB),
    securityContext: lockedDown(FUNCTION_UID),
    volumeMounts: mounts,
    lifecycle: finishInvocationFirst(i.spec.timeoutSeconds),
  };
}

/** The execution role's credential, as the kubelet would automount it, but into the function container only. */
export function executionRoleVolume(): V1Volume {
  return {
    name: VOLUMES.token,
    projected: {
      defaultMode: 0o444,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}
