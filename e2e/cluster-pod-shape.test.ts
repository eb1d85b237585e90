// Function pods as Lambda builds them, on the real control plane: the agent and the function in two containers of one
// pod (own uids, one PID namespace, no credential for the function), run by the process node; invoked with the AWS SDK.
import { InvokeCommand, LogType, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { AWS_BASE_IMAGE } from '../test/control-plane/images.js';
import { decode, waitFor } from './helpers/local.js';
import { startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';

let k: KlambdaOnCluster;
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';

beforeAll(async () => {
  k = await startKlambdaOnCluster();
}, 45 * 60_000);

afterAll(async () => {
  await k?.stop();
});

interface ContainerStatus { name: string; image: string; restartCount: number; state: { running?: unknown } }
interface PodList { items: Array<{ metadata: { name: string }; spec: { nodeName: string }; status: { phase: string; containerStatuses?: ContainerStatus[] } }> }

const podsOf = (fn: string) => k.cluster.admin.get<PodList>(`/api/v1/namespaces/default/pods?labelSelector=klambda.dev%2Ffunction%3D${fn}`);

/** Invokes until the router knows the function (the controller writes routes asynchronously). */
function invokeWhenRouted(name: string, payload: unknown, logTail = false) {
  return waitFor(async () => {
    try {
      return await k.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...(logTail ? { LogType: LogType.Tail } : {}) }));
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }, 60_000, `${name} routed`);
}

const withPodLogs = (fn: string) => async (err: Error): Promise<never> => {
  const pods = await podsOf(fn).catch(() => ({ items: [] }) as PodList);
  const logs = pods.items.map((p) => `${p.metadata.name}:\n${k.node.logs('default', p.metadata.name)}`).join('\n');
  throw new Error(`${err.message}\n${logs}\n${k.logs.slice(-30).join('\n')}`);
};

const invoke = (name: string, payload: unknown, logTail = false) =>
  k.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...(logTail ? { LogType: LogType.Tail } : {}) }));

it('runs a Function from an AWS base image (awslambdaric as its entrypoint) beside the agent, and answers through the router', async () => {
  await k.cluster.admin.create(`${api}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'ric' },
    spec: { runtime: 'provided', code: { image: AWS_BASE_IMAGE }, timeoutSeconds: 5 },
  });
  const out = await invokeWhenRouted('ric', { name: 'aws' }).catch(withPodLogs('ric'));
  expect(out.FunctionError).toBeUndefined();
  const answer = decode(out.Payload) as Record<string, unknown>;
  expect(answer).toMatchObject({ ric: true, count: 1, event: { name: 'aws' }, uid: 10002, gid: 10002, requestId: out.$metadata.requestId });
  // its own PID namespace: the pause (root), the agent (10001) and itself, no other pod's processes
  expect(answer.owners).toEqual([0, 10001, 10002]);
  // it reads no environment but its own processes', finds no Redis URL and no token
  expect(answer).toMatchObject({ foundRedis: false, token: false });
  expect((answer.readableEnvirons as number[]).every((uid) => uid === 10002)).toBe(true);
  expect(answer.runtimeApi).toMatch(/^127\.0\.0\.1:[0-9]+$/);
  expect(decode((await invoke('ric', {})).Payload)).toMatchObject({ count: 2 });

  const pods = await podsOf('ric');
  expect(pods.items).toHaveLength(1);
  const pod = pods.items[0]!;
  expect(pod).toMatchObject({ spec: { nodeName: k.node.name }, status: { phase: 'Running' } });
  expect(pod.status.containerStatuses?.map((c) => [c.name, c.image, c.state.running !== undefined])).toEqual([
    ['agent', 'klambda:test', true], ['function', AWS_BASE_IMAGE, true],
  ]);
}, 180_000);

it('resets the environment after a timeout: the agent ends the function container, which restarts, and the next invoke runs Init again', async () => {
  await k.cluster.admin.create(`${api}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'sleepy' },
    spec: {
      runtime: 'nodejs20', handler: 'index.handler', timeoutSeconds: 1,
      code: { inline: { 'index.mjs': `let count = 0;
export const handler = async (event) => {
  count += 1;
  console.log('output of the function');
  if (event.hang) await new Promise(() => setInterval(() => {}, 1000));
  return { count, uid: process.getuid() };
};` } },
    },
  });
  const first = await invokeWhenRouted('sleepy', {}, true).catch(withPodLogs('sleepy'));
  expect(decode(first.Payload)).toEqual({ count: 1, uid: 10002 });
  const firstLog = Buffer.from(first.LogResult ?? '', 'base64').toString('utf8');
  expect(firstLog).toMatch(/REPORT RequestId: .*Init Duration/);
  // the function's own output is in its container's log, not in the agent's
  expect(firstLog).not.toContain('output of the function');
  const [pod] = (await podsOf('sleepy')).items;
  await waitFor(() => (k.node.logs('default', pod!.metadata.name, 'function').includes('output of the function') ? true : undefined), 10_000, 'the function container\'s log');
  expect(decode((await invoke('sleepy', {})).Payload)).toEqual({ count: 2, uid: 10002 });

  const timedOut = await invoke('sleepy', { hang: true });
  expect(timedOut.FunctionError).toBe('Unhandled');
  expect(decode(timedOut.Payload)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });

  const again = await invoke('sleepy', {}, true).catch(withPodLogs('sleepy'));
  expect(decode(again.Payload)).toEqual({ count: 1, uid: 10002 });
  expect(Buffer.from(again.LogResult ?? '', 'base64').toString('utf8')).toMatch(/Init Duration/);
  const statuses = await waitFor(async () => {
    const p = (await podsOf('sleepy')).items[0];
    const fn = p?.status.containerStatuses?.find((c) => c.name === 'function');
    return fn && fn.restartCount >= 1 ? p!.status.containerStatuses! : undefined;
  }, 10_000, 'the function container\'s restart in the pod status');
  expect(statuses.find((c) => c.name === 'agent')?.restartCount).toBe(0);
  expect(statuses.find((c) => c.name === 'function')?.image).toBe('klambda-nodejs20:test');
}, 180_000);
