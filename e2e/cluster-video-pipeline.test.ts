// examples/video-pipeline on the test control plane: the example's kustomization rendered by the real kubectl (the
// functions' code in the example's image, here the process node's stand-in for it: klambda's nodejs20 image with the
// example's functions/ at /var/task and the host's ffmpeg) and created through the API server; an S3 server of the
// tenant's (versitygw) posting its object events to the router's webhook with the namespace's token. A clip POSTed to
// upload's Function URL on the router comes back as three renditions, each told to notify by the topic (transcode
// publishes with an access key that may only do that) and by the EventRule on the renditions' Object Created; transcode's
// Deployment goes from zero to one with the job on its queue.
import { type S3Client } from '@aws-sdk/client-s3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CRD_KINDS } from '../src/api/crd-kinds.js';
import { urlId } from '../src/core/function-url.js';
import { packageRoot } from '../src/core/package-root.js';
import { S3_EVENTS_SECRET } from '../src/router/s3-events/secret-tokens.js';
import { klambdaImages } from '../test/control-plane/images.js';
import { kubectlOk } from '../test/helpers/kubectl.js';
import { randomCredentials, s3Client, startVersityGw, type VersityGw } from '../test/helpers/versitygw.js';
import { waitFor } from './helpers/local.js';
import { createAccessKey, podDiagnostics, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';
import { copyExample, uploadAndCheck } from './helpers/video-pipeline.js';

const api = '/apis/klambda.dev/v1alpha1/namespaces/default';
const TOKEN = 'video-pipeline-webhook-token-0123';
const PUBLISHER = { accessKeyId: 'AKIAVIDEOPUBLISHER01', secretAccessKey: 'e2e-video-publisher-secret' };

let k: KlambdaOnCluster;
let dir: string;
let gw: VersityGw;
let s3: S3Client;
let url: string;

beforeAll(async () => {
  dir = await copyExample();
  const nodejs = klambdaImages(packageRoot())['klambda-nodejs20']!;
  // what examples/video-pipeline/Dockerfile builds: klambda's nodejs20 image, ffmpeg, the code at /var/task
  k = await startKlambdaOnCluster({
    images: { 'klambda-video-pipeline': { ...nodejs, paths: { ...nodejs.paths, '/var/task': join(dir, 'functions') } } },
  });
  const admin = k.cluster.admin;
  await admin.create('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: S3_EVENTS_SECRET }, stringData: { token: TOKEN } });
  // transcode's key may publish to the topic and do nothing else
  await createAccessKey(admin, 'default', 'video-publisher', PUBLISHER, {
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:000000000000:renditions' }],
  });
  // versitygw will not start unless its webhook answers: wait until the router follows the namespace's token
  const webhook = `${k.routerUrl}/_klambda/s3-events/default/${TOKEN}`;
  await waitFor(async () => ((await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Records":[]}' })).ok ? true : undefined), 60_000, 'the router to take the webhook token', 100);
  const root = randomCredentials();
  gw = await startVersityGw({ root, eventWebhookUrl: webhook });
  s3 = s3Client(gw, root);

  // kubectl apply -k examples/video-pipeline, with the kustomization's endpoints and keys set to this cluster's
  const swap = (text: string) => text
    .replaceAll('http://videos-s3.default.svc:7070', gw.endpoint)
    .replaceAll('http://klambda-router.klambda-system.svc:9000', k.routerUrl)
    .replaceAll('videodemo-secret', root.secretAccessKey).replaceAll('videodemo', root.accessKeyId)
    .replaceAll('change-me-video-publisher', PUBLISHER.secretAccessKey).replaceAll('AKIAVIDEOPIPELINE001', PUBLISHER.accessKeyId);
  const rendered = swap(kubectlOk(['kustomize', dir]));
  const all = parseAllDocuments(rendered).map((d) => d.toJS() as { kind: string; spec: { code?: unknown; environment?: Record<string, string> }; data?: Record<string, string> });
  expect(all.map((o) => o.kind).sort()).toEqual(['BucketNotification', 'EventRule', 'Function', 'Function', 'Function', 'Secret', 'Topic']);
  // the secret keys are in the Secret (kustomize's secretGenerator, base64), not in the Functions
  const keys = all.find((o) => o.kind === 'Secret')!;
  keys.data = Object.fromEntries(Object.entries(keys.data ?? {}).map(([key, v]) => [key, Buffer.from(swap(Buffer.from(v, 'base64').toString('utf8'))).toString('base64')]));
  await admin.create('/api/v1/namespaces/default/secrets', keys);
  const objects = all.filter((o) => o.kind !== 'Secret');
  for (const o of objects.filter((x) => x.kind === 'Function')) {
    expect(o.spec.code).toEqual({ image: 'klambda-video-pipeline:0.1.0' });
    expect(JSON.stringify(o.spec.environment)).not.toMatch(/SECRET/);
  }
  // the functions first, so the others find what they name at once
  for (const o of [...objects].sort((a, b) => Number(b.kind === 'Function') - Number(a.kind === 'Function'))) await admin.create(`${api}/${CRD_KINDS.find((c) => c.kind === o.kind)!.plural}`, o);

  url = `${k.routerUrl}/lambda-url/${urlId('default', 'upload', '$LATEST')}`;
  // the URL answers once upload has its route and a pod (a cold start on the process node)
  let last = '';
  await waitFor(async () => {
    const res = await fetch(`${url}/videos/00000000-0000-0000-0000-000000000000`);
    last = `${res.status} ${await res.text()}`;
    return res.status === 200 ? true : undefined;
  }, 180_000, 'upload\'s Function URL', 250).catch(async (e: unknown) => {
    throw new Error(`${String(e)}; it last answered ${last}\n${await podDiagnostics(k)}`);
  });
}, 45 * 60_000);

afterAll(async () => {
  if (process.env.KLAMBDA_TEST_POD_LOGS && k) process.stderr.write(`${await podDiagnostics(k)}\n`);
  s3?.destroy();
  await gw?.stop();
  await k?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const replicas = async (name: string) =>
  (await k.cluster.admin.get<{ spec: { replicas?: number } }>(`/apis/apps/v1/namespaces/default/deployments/${name}`)).spec.replicas ?? 1;

it('an upload through the Function URL comes back as 1080p, 720p and 480p renditions, each told to notify by the topic and by the rule; transcode scales up from zero', async () => {
  // nothing has called transcode yet: its version's Deployment is at zero until its queue has work
  expect(await waitFor(async () => ((await replicas('transcode-latest').catch(() => undefined)) === 0 ? 0 : undefined), 60_000, 'transcode-latest at zero')).toBe(0);
  try {
    await uploadAndCheck(url, s3, dir, 300_000);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${await podDiagnostics(k)}`);
  }
  expect(await replicas('transcode-latest')).toBeGreaterThanOrEqual(1);
}, 360_000);
