// The generated CRDs on the real API server: accepted, samples stored with defaults, bad objects refused with clear messages.
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { isManifestPath } from '../../src/local/manifest-loader.js';
import { controlPlaneBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { kubeRequest } from '../control-plane/kube-request.js';
import { waitFor } from '../helpers/wait.js';

let cp: ControlPlane;
const api = (method: string, path: string, body?: unknown, type?: string) => kubeRequest(cp.server, cp.token, method, path, body, type);
const base = '/apis/klambda.dev/v1alpha1/namespaces/default';
/** Kind → plural, from the CRDs installed. */
const plurals = new Map<string, string>();

beforeAll(async () => {
  cp = await startControlPlane(controlPlaneBinaries());
  const dir = join(packageRoot(), 'crds');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as { metadata: { name: string }; spec: { names: { kind: string; plural: string } } };
    const res = await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (res.status !== 201) throw new Error(`${file} refused: ${res.status} ${JSON.stringify(res.body)}`);
    plurals.set(crd.spec.names.kind, crd.spec.names.plural);
  }
  expect([...plurals.values()].sort()).toEqual(['aliases', 'bucketnotifications', 'eventrules', 'eventsourcemappings', 'functions', 'functionversions', 'layers', 'topics']);
  for (const plural of plurals.values()) {
    await waitFor(async () => (await api('GET', `${base}/${plural}`)).status === 200 || undefined, 30_000, `${plural} served`, 100);
  }
}, 45 * 60_000);
afterAll(async () => { await cp?.stop(); });

const fn = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name }, spec });

it('stores a Function with its defaults filled in by the API server', async () => {
  const res = await api('POST', `${base}/functions`, fn('hello', { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } } }));
  expect(res.status).toBe(201);
  expect(res.body.spec).toMatchObject({ memoryMB: 128, timeoutSeconds: 3, ephemeralStorageMB: 512 });
});

it('refuses a Function out of range or with a bad runtime, naming the field', async () => {
  const res = await api('POST', `${base}/functions`, fn('bad', { runtime: 'ruby', handler: 'x.y', memoryMB: 64, code: { image: 'x' } }));
  expect(res.status).toBe(422);
  expect(String(res.body.message)).toContain('spec.memoryMB');
  expect(String(res.body.message)).toContain('spec.runtime');
});

it('refuses a change to a FunctionVersion spec', async () => {
  const version = {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', metadata: { name: 'hello-v1' },
    spec: { functionName: 'hello', version: '1', codeSha256: 'x'.repeat(43) + '=', function: { runtime: 'nodejs20', handler: 'index.handler', code: { image: 'a' } } },
  };
  const created = await api('POST', `${base}/functionversions`, version);
  expect(created.status).toBe(201);
  const changed = await api('PATCH', `${base}/functionversions/hello-v1`, { spec: { version: '2' } }, 'application/merge-patch+json');
  expect(changed.status).toBe(422);
  expect(String(changed.body.message)).toContain('immutable');
});

it('refuses an Alias with two extra versions or a weight above 1', async () => {
  const alias = (name: string, weights: Record<string, number>) => ({
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name },
    spec: { functionName: 'hello', functionVersion: '1', routingConfig: { additionalVersionWeights: weights } },
  });
  expect((await api('POST', `${base}/aliases`, alias('ok', { '2': 0.1 }))).status).toBe(201);
  expect((await api('POST', `${base}/aliases`, alias('two', { '2': 0.1, '3': 0.1 }))).status).toBe(422);
  expect((await api('POST', `${base}/aliases`, alias('heavy', { '2': 1.5 }))).status).toBe(422);
});

it('keeps Layer versions immutable: one may be added or removed, none changed; each has one code source', async () => {
  const v = (version: number, code: Record<string, unknown>) => ({ version, code });
  const layer = { apiVersion: 'klambda.dev/v1alpha1', kind: 'Layer', metadata: { name: 'shared' }, spec: { versions: [v(1, { s3: { bucket: 'layers', key: '1.zip' } })] } };
  expect((await api('POST', `${base}/layers`, layer)).status).toBe(201);
  const put = async (versions: unknown[]) => {
    const current = (await api('GET', `${base}/layers/shared`)).body as { metadata: Record<string, unknown> };
    return api('PUT', `${base}/layers/shared`, { ...layer, metadata: current.metadata, spec: { versions } });
  };
  expect((await put([v(1, { s3: { bucket: 'layers', key: '1.zip' } }), v(2, { s3: { bucket: 'layers', key: '2.zip' } })])).status).toBe(200);
  const changed = await put([v(1, { s3: { bucket: 'layers', key: 'other.zip' } }), v(2, { s3: { bucket: 'layers', key: '2.zip' } })]);
  expect(`${changed.status} ${String(changed.body.message)}`).toMatch(/^422 .*immutable/);
  expect((await put([v(2, { s3: { bucket: 'layers', key: '2.zip' } })])).status).toBe(200);
  const two = await api('POST', `${base}/layers`, { ...layer, metadata: { name: 'two' }, spec: { versions: [v(1, { path: 'a', s3: { bucket: 'layers', key: 'k' } })] } });
  expect(`${two.status} ${String(two.body.message)}`).toMatch(/^422 .*exactly one of code.path or code.s3/);
  const dup = await api('POST', `${base}/layers`, { ...layer, metadata: { name: 'dup' }, spec: { versions: [v(1, { path: 'a' }), v(1, { path: 'b' })] } });
  expect(dup.status).toBe(422);
  const table = await getTable(`${base}/layers/shared`);
  expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'LATEST', 'AGE']);
  expect(table.rows[0]!.cells.slice(0, 2)).toEqual(['shared', 2]);
});

const obj = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind, metadata: { name }, spec });
const create = (kind: string, name: string, spec: Record<string, unknown>) => api('POST', `${base}/${plurals.get(kind)}`, obj(kind, name, spec));
/** The 422 message of a refused object (fails the test when the object was stored). */
async function refusal(kind: string, name: string, spec: Record<string, unknown>): Promise<string> {
  const res = await create(kind, name, spec);
  expect(`${res.status} ${String(res.body.message)}`).toMatch(/^422 /);
  return String(res.body.message);
}

it('stores every sample in config/samples (in their own namespace), keeping free-form patterns whole', async () => {
  expect((await api('POST', '/api/v1/namespaces', { metadata: { name: 'samples' } })).status).toBe(201);
  const dir = join(packageRoot(), 'config', 'samples');
  const stored = new Map<string, Record<string, unknown>>();
  // kustomization.yaml lists them for kustomize; it is not one
  for (const file of readdirSync(dir).filter(isManifestPath).sort()) {
    const sample = parse(readFileSync(join(dir, file), 'utf8')) as { kind: string };
    const res = await api('POST', `/apis/klambda.dev/v1alpha1/namespaces/samples/${plurals.get(sample.kind)}?fieldValidation=Strict`, sample);
    expect(`${file}: ${res.status} ${res.status === 201 ? '' : JSON.stringify(res.body.message)}`).toBe(`${file}: 201 `);
    stored.set(sample.kind, res.body.spec as Record<string, unknown>);
  }
  expect([...stored.keys()].sort()).toEqual(['Alias', 'EventRule', 'EventSourceMapping', 'Function', 'Topic']);
  expect(stored.get('EventRule')).toMatchObject({ eventPattern: { detail: { total: [{ numeric: ['>', 100] }] } }, state: 'ENABLED' });
  expect(stored.get('Topic')).toMatchObject({ subscriptions: [{ filterPolicy: { kind: ['order-placed'] }, filterPolicyScope: 'MessageAttributes' }, {}, {}] });
  expect(stored.get('EventSourceMapping')).toMatchObject({ enabled: true, maximumRecordAgeSeconds: -1 });
});

it('fills the defaults of a Topic, an EventRule and an EventSourceMapping', async () => {
  const topic = await create('Topic', 'plain', { subscriptions: [{ protocol: 'queue', endpoint: 'audit' }] });
  expect(topic.body.spec).toEqual({
    subscriptions: [{ protocol: 'queue', endpoint: 'audit', filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false }],
    deliveryPolicy: { numRetries: 3, minDelaySeconds: 20, maxDelaySeconds: 20 },
  });
  const rule = await create('EventRule', 'tick', { scheduleExpression: 'rate(5 minutes)', targets: [{ id: 't', function: 'hello' }] });
  expect(rule.body.spec).toMatchObject({ eventBusName: 'default', state: 'ENABLED' });
  const esm = await create('EventSourceMapping', 'jobs', { source: { queue: 'jobs' }, functionName: 'hello:live' });
  expect(esm.body.spec).toMatchObject({ enabled: true, batchSize: 100, maximumBatchingWindowSeconds: 0, maximumRetryAttempts: -1, bisectBatchOnFunctionError: false });
});

it('prints the source, function and batch size of an EventSourceMapping', async () => {
  const table = await getTable(`${base}/eventsourcemappings/jobs`);
  expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'SOURCE', 'FUNCTION', 'BATCH', 'READY', 'AGE']);
  expect(table.rows[0]!.cells.slice(0, 4)).toEqual(['jobs', 'jobs', 'hello:live', 100]);
});

describe('refuses bad event objects with 422, naming the field', () => {
  const target = { id: 'audit', function: 'audit' };

  it('an EventRule with both an event pattern and a schedule, or neither', async () => {
    const both = await refusal('EventRule', 'both', { eventPattern: { source: ['shop'] }, scheduleExpression: 'rate(5 minutes)', targets: [target] });
    expect(both).toContain('spec.scheduleExpression');
    expect(both).toContain('cannot be combined with eventPattern');
    expect(await refusal('EventRule', 'neither', { targets: [target] })).toContain('exactly one of eventPattern or scheduleExpression');
  });

  it('an EventRule with more than five targets, or duplicate target ids', async () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, function: 'audit' }));
    expect(await refusal('EventRule', 'six', { eventPattern: { source: ['shop'] }, targets: six })).toMatch(/spec\.targets.*(at most 5|Too many)/);
    expect(await refusal('EventRule', 'dup', { eventPattern: { source: ['shop'] }, targets: [target, { id: 'audit', topic: 'orders' }] })).toMatch(/spec\.targets\[1\].*Duplicate value/);
  });

  it('an EventRule target with both a function and a topic, or two inputs; a scheduled rule off the default bus', async () => {
    const spec = (t: Record<string, unknown>) => ({ eventPattern: { source: ['shop'] }, targets: [{ id: 'a', ...t }] });
    expect(await refusal('EventRule', 'two-kinds', spec({ function: 'audit', topic: 'orders' }))).toMatch(/spec\.targets\[0\].*exactly one of function or topic/);
    expect(await refusal('EventRule', 'two-inputs', spec({ function: 'audit', input: '{}', inputPath: '$' }))).toMatch(/spec\.targets\[0\].*at most one of input/);
    expect(await refusal('EventRule', 'bus', { eventBusName: 'orders', scheduleExpression: 'rate(1 hour)', targets: [target] })).toMatch(/spec\.eventBusName.*default event bus/);
    expect(await refusal('EventRule', 'sched', { scheduleExpression: 'every hour', targets: [target] })).toContain('spec.scheduleExpression');
  });

  it('an EventSourceMapping with batchSize 0', async () => {
    expect(await refusal('EventSourceMapping', 'zero', { source: { stream: 'clicks' }, functionName: 'counter', startingPosition: 'LATEST', batchSize: 0 }))
      .toMatch(/spec\.batchSize.*greater than or equal to 1/);
  });

  it('an EventSourceMapping with both a stream and a queue', async () => {
    expect(await refusal('EventSourceMapping', 'both', { source: { stream: 'clicks', queue: 'jobs' }, functionName: 'counter', startingPosition: 'LATEST' }))
      .toMatch(/spec\.source.*exactly one of stream or queue/);
  });

  it('an EventSourceMapping stream without a starting position, a queue with one, and a record age of 30 s', async () => {
    expect(await refusal('EventSourceMapping', 'nopos', { source: { stream: 'clicks' }, functionName: 'counter' })).toMatch(/spec\.startingPosition.*required for a stream/);
    expect(await refusal('EventSourceMapping', 'qpos', { source: { queue: 'jobs' }, functionName: 'counter', startingPosition: 'LATEST' })).toMatch(/spec\.startingPosition.*not queues/);
    expect(await refusal('EventSourceMapping', 'age', { source: { queue: 'jobs' }, functionName: 'counter', maximumRecordAgeSeconds: 30 })).toMatch(/spec\.maximumRecordAgeSeconds.*-1 \(no limit\) or 60/);
  });

  it('a Topic subscription over smtp, or an http subscription to an https URL', async () => {
    const smtp = await refusal('Topic', 'smtp', { subscriptions: [{ protocol: 'smtp', endpoint: 'ops@example.com' }] });
    expect(smtp).toContain('spec.subscriptions[0].protocol');
    expect(smtp).toContain('"smtp"');
    expect(await refusal('Topic', 'scheme', { subscriptions: [{ protocol: 'http', endpoint: 'https://x.example.com' }] })).toMatch(/spec\.subscriptions\[0\]\.endpoint.*http:\/\/ URL/);
    expect(await refusal('Topic', 'raw', { subscriptions: [{ protocol: 'lambda', endpoint: 'billing', rawMessageDelivery: true }] })).toMatch(/spec\.subscriptions\[0\]\.rawMessageDelivery/);
  });
});

interface Table { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }

/** GET as a server-side printed Table (what `kubectl get` shows). */
function getTable(path: string): Promise<Table> {
  return new Promise((resolve, reject) => {
    const req = request(`${cp.server}${path}`, {
      rejectUnauthorized: false,
      headers: { Authorization: `Bearer ${cp.token}`, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as Table) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

it('accepts the RBAC of config/rbac/role.yaml (ClusterRoles, and namespaced Roles)', async () => {
  const { parseAllDocuments } = await import('yaml');
  const docs = parseAllDocuments(readFileSync(join(packageRoot(), 'config', 'rbac', 'role.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
  expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['ClusterRole', 'Role']));
  const statuses: string[] = [];
  for (const doc of docs) {
    expect(['ClusterRole', 'Role']).toContain(doc.kind);
    const ns = doc.metadata.namespace;
    if (doc.kind === 'Role') await api('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const path = doc.kind === 'Role' ? `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles` : '/apis/rbac.authorization.k8s.io/v1/clusterroles';
    const res = await api('POST', `${path}?fieldValidation=Strict`, doc);
    statuses.push(`${doc.kind}/${doc.metadata.name} ${res.status}`);
  }
  expect(statuses).toEqual(docs.map((d) => `${d.kind}/${d.metadata.name} 201`));
});
