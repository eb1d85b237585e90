// The event source mapping calls on a real API server, through @aws-sdk/client-lambda and the router's routes: a
// mapping created is an EventSourceMapping object `esm-<uuid>` of the namespace (checked by the generated CRD), read,
// listed, changed and deleted there; one applied by hand under its own name is listed and changed in place; Lambda's
// refusals write nothing.
import {
  CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient, ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { silentLogger } from '../../src/core/logger.js';
import { KubeClient } from '../../src/kube/client.js';
import { createRouterApp } from '../../src/router/app.js';
import type { InvokeDeps } from '../../src/router/lambda/invoke.js';
import { KubeCatalog } from '../../src/router/lambda/kube-catalog.js';
import { KubeEventSourceMappings } from '../../src/router/lambda/kube-esm.js';
import { mappingUuid, LAST_MODIFIED_ANNOTATION } from '../../src/router/lambda/event-source-mappings-backend.js';
import { managementRoutes } from '../../src/router/lambda/management.js';
import { listen, type Listening } from '../../src/router/listen.js';
import { controlPlaneBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { kubeRequest } from '../control-plane/kube-request.js';
import { waitFor } from '../helpers/wait.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
const base = '/apis/klambda.dev/v1alpha1/namespaces/default';
const QUEUE = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
let cp: ControlPlane;
let http: Listening;
let lambda: LambdaClient;
const api = (method: string, path: string, body?: unknown) => kubeRequest(cp.server, cp.token, method, path, body);

beforeAll(async () => {
  cp = await startControlPlane(controlPlaneBinaries());
  const dir = join(packageRoot(), 'crds');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const res = await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', parse(readFileSync(join(dir, file), 'utf8')));
    if (res.status !== 201) throw new Error(`${file} refused: ${res.status} ${JSON.stringify(res.body)}`);
  }
  for (const plural of ['functions', 'eventsourcemappings']) {
    await waitFor(async () => (await api('GET', `${base}/${plural}`)).status === 200 || undefined, 30_000, `${plural} served`, 100);
  }
  const fn = await api('POST', `${base}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'counter' },
    spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } } },
  });
  expect(fn.status).toBe(201);
  const client = KubeClient.fromToken(cp.server, cp.token, true);
  const app = createRouterApp({
    logger: silentLogger,
    invoke: {} as InvokeDeps, // no invocations here
    routes: [managementRoutes(() => new KubeCatalog(client, { namespace: 'default', arn: ctx }), silentLogger, undefined,
      () => new KubeEventSourceMappings(client, { namespace: 'default' }))],
  });
  http = await listen(app, 0, '127.0.0.1');
  lambda = new LambdaClient({ endpoint: http.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 45 * 60_000);

afterAll(async () => {
  lambda?.destroy();
  await http?.close();
  await cp?.stop();
});

interface MappingObject { metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> }
const mappingObjects = async () => ((await api('GET', `${base}/eventsourcemappings`)).body as unknown as { items: MappingObject[] }).items;

it('creates, reads, lists, changes and deletes an EventSourceMapping object esm-<uuid>', async () => {
  const out = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'counter', EventSourceArn: QUEUE('jobs'), BatchSize: 20, MaximumBatchingWindowInSeconds: 1 }));
  expect(out).toMatchObject({ State: 'Creating', BatchSize: 20, EventSourceArn: QUEUE('jobs'), FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:counter' });
  const object = (await api('GET', `${base}/eventsourcemappings/esm-${out.UUID}`)).body as unknown as MappingObject;
  // the API server filled in the kind's defaults
  expect(object.spec).toMatchObject({ source: { queue: 'jobs' }, functionName: 'counter', batchSize: 20, maximumBatchingWindowSeconds: 1, enabled: true, parallelizationFactor: 1 });
  // LastModified is the stamp, in the epoch seconds Lambda answers
  expect(Math.floor(Date.parse(object.metadata.annotations![LAST_MODIFIED_ANNOTATION]!) / 1000) * 1000).toBe(out.LastModified!.getTime());
  expect(await lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).toMatchObject({ UUID: out.UUID, State: 'Enabled', BatchSize: 20 });

  const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: out.UUID, Enabled: false, FilterCriteria: { Filters: [{ Pattern: '{"body": {"k": ["v"]}}' }] } }));
  expect(updated).toMatchObject({ State: 'Disabling', FilterCriteria: { Filters: [{ Pattern: '{"body": {"k": ["v"]}}' }] } });
  expect(((await api('GET', `${base}/eventsourcemappings/esm-${out.UUID}`)).body as unknown as MappingObject).spec).toMatchObject({ enabled: false, filterCriteria: { filters: [{ pattern: '{"body": {"k": ["v"]}}' }] } });

  await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'counter', EventSourceArn: QUEUE('jobs') })))
    .rejects.toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining(`existing mapping with UUID ${out.UUID}`) });
  await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'nobody', EventSourceArn: QUEUE('other') })))
    .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'Function does not exist' });
  expect((await mappingObjects()).map((o) => o.metadata.name)).toEqual([`esm-${out.UUID}`]);

  const gone = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.UUID }));
  expect(gone).toMatchObject({ UUID: out.UUID, State: 'Deleting' });
  expect((await api('GET', `${base}/eventsourcemappings/esm-${out.UUID}`)).status).toBe(404);
  await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
}, 60_000);

it('lists a mapping applied by hand under its own name and changes it in place', async () => {
  const applied = await api('POST', `${base}/eventsourcemappings`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping', metadata: { name: 'clicks-to-counter' },
    spec: { source: { stream: 'clicks' }, functionName: 'counter', startingPosition: 'LATEST' },
  });
  expect(applied.status).toBe(201);
  const uuid = mappingUuid('default', 'clicks-to-counter');
  const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'counter' }));
  expect(listed.EventSourceMappings).toEqual([expect.objectContaining({ UUID: uuid, StartingPosition: 'LATEST', BatchSize: 100, State: 'Enabled' })]);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, ParallelizationFactor: 5 }));
  expect(((await api('GET', `${base}/eventsourcemappings/clicks-to-counter`)).body as unknown as MappingObject).spec).toMatchObject({ parallelizationFactor: 5, startingPosition: 'LATEST' });
  await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
  expect((await api('GET', `${base}/eventsourcemappings/clicks-to-counter`)).status).toBe(404);
}, 60_000);
