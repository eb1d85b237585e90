// examples/video-pipeline end to end in the local mode: klambda dev on a copy of the example's folder and a real
// versitygw posting its object events to klambda's webhook. A clip POSTed to upload's Function URL is stored at once;
// its object event puts a job on transcode's queue; transcode (ffmpeg) writes 1080p/720p/480p renditions and publishes
// each to the topic; notify hears of each from the topic and from the EventRule on the renditions' Object Created.
import { type S3Client } from '@aws-sdk/client-s3';
import { GetFunctionUrlConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { rmSync } from 'node:fs';
import { silentLogger } from '../src/core/logger.js';
import { freePort } from '../src/local/redis-server.js';
import { startLocal, type LocalKlambda } from '../src/local/dev.js';
import { randomCredentials, s3Client, startVersityGw, type VersityGw } from '../test/helpers/versitygw.js';
import { waitFor } from './helpers/local.js';
import { copyExample, pointLocalManifests, RENDITIONS, uploadAndCheck, type PipelineStatus } from './helpers/video-pipeline.js';

describe('examples/video-pipeline (local mode)', () => {
  let dir: string;
  let local: LocalKlambda;
  let lambda: LambdaClient;
  let gw: VersityGw;
  let s3: S3Client;
  let url: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = await copyExample();
    const [port, gwPort] = [await freePort(), await freePort()];
    const root = randomCredentials();
    pointLocalManifests(dir, { klambda: `http://127.0.0.1:${port}`, s3: `http://127.0.0.1:${gwPort}`, ...root });
    local = await startLocal({
      dir, port, host: '127.0.0.1', idleTimeoutSeconds: 300, region: 'us-east-1', accountId: '000000000000',
      logger: silentLogger, keyPrefix: `vp${Math.random().toString(36).slice(2, 10)}`,
      onFunctionLog: (_q, line) => { logs.push(line); },
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    });
    // versitygw posts a test event at start and will not start unless klambda answers it: klambda first
    gw = await startVersityGw({ port: gwPort, root, eventWebhookUrl: local.s3EventsUrl });
    s3 = s3Client(gw, root);
    lambda = new LambdaClient({ endpoint: local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const config = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'upload' }));
    // served under the router's /lambda-url/<url-id>/ as well as under the URL's own host name
    url = `${local.url}/lambda-url/${new URL(config.FunctionUrl!).hostname.split('.')[0]}`;
  }, 180_000);

  afterAll(async () => {
    lambda?.destroy();
    s3?.destroy();
    await gw?.stop();
    await local?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a POST without a body (400) and a path it does not serve (404), in JSON', async () => {
    const empty = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body: Buffer.alloc(0) });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ message: 'the request has no video in its body' });
    const other = await fetch(`${url}/nowhere`);
    expect(other.status).toBe(404);
  }, 60_000);

  it('an upload ffmpeg cannot read ends as failed with ffmpeg\'s reason, without renditions', async () => {
    const res = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body: Buffer.from('not a video at all') });
    expect(res.status).toBe(202);
    const { status } = await res.json() as { status: string };
    const failed = await waitFor(async () => {
      const now = await (await fetch(`${url}${status}`)).json() as PipelineStatus & { failed?: string };
      return now.done ? now : undefined;
    }, 120_000, 'the failed transcode', 250);
    expect(failed.failed).toMatch(/Invalid data found when processing input/);
    expect(failed.renditions).toEqual([]);
  }, 180_000);

  it('an upload through the Function URL answers 202 at once; three renditions of the right size follow, each told to notify by the topic and by the rule', async () => {
    const id = await uploadAndCheck(url, s3, dir, 240_000);
    // notify's lines are in klambda dev's output
    for (const r of RENDITIONS) expect(logs.some((l) => l.includes(`notify: ${r.name} of ${id} is ready (by sns`))).toBe(true);
  }, 300_000);
});
