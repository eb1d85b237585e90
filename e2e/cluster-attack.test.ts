// A hostile function on the test control plane: from its pod it finds no credential (not in /proc, not in any pod's
// volumes), Redis refuses all it tries, and a victim's caller still gets the true answer; a function's secretEnvironment
// reads its namespace's Secrets (a missing one holds the pod in CreateContainerConfigError) but never a klambda agent Secret.
import { GetFunctionConfigurationCommand, InvokeCommand, ResourceNotFoundException, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { isConflict } from '../src/kube/client.js';
import { queueKeys, replyListKey } from '../src/queue/keys.js';
import { decode, waitFor } from './helpers/local.js';
import { startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';

let k: KlambdaOnCluster;
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';
interface Report { procVisible: number; uid: number; leaks: Array<{ where: string; value: string }>; attempts: Array<{ who: string; cmd: string; reply: string }>; env: string[] }

beforeAll(async () => { k = await startKlambdaOnCluster({ privateRedis: true }); }, 45 * 60_000);
afterAll(async () => { await k?.stop(); });

function invokeWhenRouted(name: string, payload: unknown) {
  return waitFor(async () => {
    try {
      return await k.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }, 60_000, `${name} routed`);
}

/** Every file called `name` under `dir` (the test runs as root and sees all pods' volumes). */
function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, name));
    else if (e.name === name) out.push(p);
  }
  return out;
}

it('finds no credential from its pod, is refused by Redis, and cannot change a victim\'s answer', async () => {
  const attackerCode = readFileSync(new URL('../test/fixtures/functions/attacker/index.mjs', import.meta.url), 'utf8');
  for (const [name, code, timeoutSeconds] of [
    ['attacker', attackerCode, 60],
    ['victim', 'export const handler = async (event) => { await new Promise((r) => setTimeout(r, event.waitMs ?? 0)); return { answer: "true", n: event.n }; };', 30],
  ] as const) {
    await k.cluster.admin.create(`${api}/functions`, {
      apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name },
      spec: { runtime: 'nodejs20', handler: 'index.handler', timeoutSeconds, code: { inline: { 'index.mjs': code } }, environment: { VICTIM_SECRET: `s3cr3t-${name}` } },
    });
  }
  // the victim runs (its agent holds its Redis credential) while the attacker looks around
  expect(decode((await invokeWhenRouted('victim', { n: 0 })).Payload)).toEqual({ answer: 'true', n: 0 });
  await invokeWhenRouted('attacker', { redisPort: 1, roots: [] }); // its pod is up
  const agentUrls = findFiles(k.node.folder, 'redis-url').map((f) => readFileSync(f, 'utf8').trim());
  expect(agentUrls.length).toBeGreaterThanOrEqual(2);
  const redisUrl = new URL(agentUrls[0]!);
  const prefix = decodeURIComponent(redisUrl.username).split('-agent:')[0]!;
  const victimRef = { namespace: 'default', functionName: 'victim', version: '$LATEST' };
  const victimCall = k.lambda.send(new InvokeCommand({ FunctionName: 'victim', Payload: Buffer.from(JSON.stringify({ n: 1, waitMs: 3000 })) }));
  const event = {
    redisPort: Number(redisUrl.port), redisHost: redisUrl.hostname,
    roots: ['/var/task', '/var/run', '/run', '/etc/klambda', k.node.folder],
    victimJobsKey: queueKeys(victimRef, prefix).jobs,
    forgeChannels: [`${prefix}:replies:${randomUUID()}`, `${prefix}:demand`, `${prefix}:routes:changed`],
    forgeLists: [replyListKey(victimRef, randomUUID(), prefix)],
  };
  const out = await k.lambda.send(new InvokeCommand({ FunctionName: 'attacker', Payload: Buffer.from(JSON.stringify(event)) }));
  expect(out.FunctionError).toBeUndefined();
  const report = decode(out.Payload) as Report;
  if (process.env.KLAMBDA_TEST_LOGS) console.log(JSON.stringify(report, null, 1));
  expect(report.uid).not.toBe(0);
  const leaked = JSON.stringify(report.leaks);
  for (const url of agentUrls) expect(leaked).not.toContain(decodeURIComponent(new URL(url).password));
  expect(leaked).not.toContain('s3cr3t-victim');
  expect(report.leaks.filter((l) => /rediss?:\/\/[^/\s]*:[^@/\s]+@/.test(l.value))).toEqual([]);
  expect(report.env).not.toContain('KLAMBDA_AGENT_CONFIG');
  expect(report.attempts.length).toBeGreaterThan(0);
  for (const a of report.attempts) expect({ ...a, refused: a.reply.startsWith('-') }).toMatchObject({ refused: true });
  expect(decode((await victimCall).Payload)).toEqual({ answer: 'true', n: 1 });
}, 240_000);

interface FunctionStatus { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } }
interface DeploymentObject { spec: { template: { spec: { containers: Array<{ name: string; env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string } } }> }> } } } }

const readyOf = async (name: string) => (await k.cluster.admin.get<FunctionStatus>(`${api}/functions/${name}`)).status?.conditions?.find((c) => c.type === 'Ready');
const deploymentOf = (name: string) => k.cluster.admin.find<DeploymentObject>(`/apis/apps/v1/namespaces/default/deployments/${name}-latest`);

it('gives a function its secretEnvironment from the namespace\'s Secret, and refuses one naming a klambda agent Secret', async () => {
  const password = 'tenant-db-password-9f2c';
  await k.cluster.admin.create('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials' }, stringData: { password } });
  const digestCode = `import { createHash } from 'node:crypto';
export const handler = async () => ({ digest: createHash('sha256').update(process.env.DB_PASSWORD ?? '').digest('hex'), greeting: process.env.GREETING });`;
  const create = (name: string, secretEnvironment: Record<string, { secret: string; key: string }>) => k.cluster.admin.create(`${api}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name },
    spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': digestCode } }, environment: { GREETING: 'hi' }, secretEnvironment },
  });
  await create('tenant-db', { DB_PASSWORD: { secret: 'db-credentials', key: 'password' } });
  const out = await invokeWhenRouted('tenant-db', {});
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toEqual({ digest: createHash('sha256').update(password).digest('hex'), greeting: 'hi' });
  const config = await k.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'tenant-db' }));
  expect(config.Environment).toEqual({ Variables: { GREETING: 'hi' } });
  expect(JSON.stringify(config)).not.toContain(password);
  // the Lambda API neither sets a variable that comes from a Secret nor drops secretEnvironment
  await expect(k.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'tenant-db', Environment: { Variables: { DB_PASSWORD: 'plain' } } })))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('DB_PASSWORD') });
  await k.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'tenant-db', Environment: { Variables: { GREETING: 'hello' } } }));
  expect((await k.cluster.admin.get<{ spec: Record<string, unknown> }>(`${api}/functions/tenant-db`)).spec).toMatchObject({
    environment: { GREETING: 'hello' }, secretEnvironment: { DB_PASSWORD: { secret: 'db-credentials', key: 'password' } },
  });

  // the victim's agent Secret (its Redis credential) exists: a function naming it is refused and never deployed
  expect(await k.cluster.admin.find('/api/v1/namespaces/default/secrets/victim-latest-agent')).toBeDefined();
  await create('stealer', { STOLEN: { secret: 'victim-latest-agent', key: 'redis-url' } });
  const refused = await waitFor(async () => {
    const ready = await readyOf('stealer');
    return ready?.reason === 'InvalidSecretEnvironment' ? ready : undefined;
  }, 60_000, 'stealer refused');
  expect(refused).toMatchObject({ status: 'False', message: expect.stringContaining('victim-latest-agent') });
  expect(await deploymentOf('stealer')).toBeUndefined();
  await expect(k.lambda.send(new InvokeCommand({ FunctionName: 'stealer' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  // the Lambda API says why, as Lambda's State does
  expect(await k.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'stealer' })))
    .toMatchObject({ State: 'Failed', StateReasonCode: 'InvalidSecretEnvironment', StateReason: expect.stringContaining('victim-latest-agent') });

  // a running function changed to name one (even of a version not yet published) is refused; its pods keep the old env
  await waitFor(async () => {
    const fn = await k.cluster.admin.get<{ spec: Record<string, unknown> }>(`${api}/functions/tenant-db`);
    const next = { ...fn, spec: { ...fn.spec, secretEnvironment: { DB_PASSWORD: { secret: 'tenant-db-v1-agent', key: 'redis-url' } } } };
    return k.cluster.admin.replace(`${api}/functions/tenant-db`, next).then(() => true, (e: unknown) => (isConflict(e) ? undefined : Promise.reject(e)));
  }, 30_000, 'tenant-db changed');
  await waitFor(async () => ((await readyOf('tenant-db'))?.reason === 'InvalidSecretEnvironment' ? true : undefined), 60_000, 'tenant-db refused');
  const refs = (await deploymentOf('tenant-db'))!.spec.template.spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name)).filter(Boolean);
  expect(refs).toEqual(['db-credentials']);
  expect(decode((await invokeWhenRouted('tenant-db', {})).Payload)).toMatchObject({ digest: createHash('sha256').update(password).digest('hex') });
}, 240_000);

it('leaves a pod whose Secret is missing in CreateContainerConfigError, and starts it once the Secret exists', async () => {
  await k.cluster.admin.create(`${api}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'late-secret' },
    spec: {
      runtime: 'nodejs20', handler: 'index.handler', timeoutSeconds: 30,
      code: { inline: { 'index.mjs': 'export const handler = async () => ({ token: process.env.TOKEN?.length });' } },
      secretEnvironment: { TOKEN: { secret: 'late-credentials', key: 'token' } },
    },
  });
  // an async call asks for an environment: its pod cannot start without the Secret
  await waitFor(async () => {
    try {
      return await k.lambda.send(new InvokeCommand({ FunctionName: 'late-secret', InvocationType: 'Event' }));
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }, 60_000, 'late-secret routed');
  interface Pods { items: Array<{ status?: { containerStatuses?: Array<{ name: string; state?: { waiting?: { reason?: string; message?: string } } }> } }> }
  const waiting = await waitFor(async () => {
    const pods = await k.cluster.admin.get<Pods>('/api/v1/namespaces/default/pods?labelSelector=klambda.dev%2Ffunction%3Dlate-secret');
    return pods.items.flatMap((p) => p.status?.containerStatuses ?? []).map((c) => c.state?.waiting).find((w) => w?.reason === 'CreateContainerConfigError');
  }, 60_000, 'CreateContainerConfigError');
  expect(waiting?.message).toContain('late-credentials');
  await k.cluster.admin.create('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'late-credentials' }, stringData: { token: 'abcdef' } });
  const out = await k.lambda.send(new InvokeCommand({ FunctionName: 'late-secret' }));
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toEqual({ token: 6 });
}, 240_000);
