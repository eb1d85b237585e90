// Object events from a real S3 server: a versitygw whose --event-webhook-url is klambda dev's S3 event webhook; objects
// created, overwritten and deleted with @aws-sdk/client-s3 and `aws s3` (CLI v1); a BucketNotification sends the
// matching ones (event name, key prefix and suffix) to a function as Lambda's S3 event, and its bucket's events go to
// the default bus as EventBridge's `Object Created` / `Object Deleted`, where an EventRule on aws.s3 matches them.
import { CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { s3Client, startVersityGw, type VersityGw } from '../test/helpers/versitygw.js';
import { awsCli } from './helpers/aws-cli.js';
import { fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

type Received = { requestId: string; event: Record<string, any> };

describe('object events from versitygw (local mode)', () => {
  let fx: Fixture;
  let gw: VersityGw;
  let s3: S3Client;
  let out: string;

  const received = (): Received[] => readdirSync(out).filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Received);
  /** The Lambda S3 events the sink got for a key (as S3 encodes it) and event name. */
  const s3Events = (key: string, eventName?: string) => received()
    .filter((r) => r.event.Records?.[0]?.s3?.object?.key === key && (eventName === undefined || r.event.Records[0].eventName === eventName));
  /** The EventBridge events the sink got (through the rule) for a key. */
  const busEvents = (key: string) => received().filter((r) => r.event.source === 'aws.s3' && r.event.detail?.object?.key === key);
  const md5 = (body: string) => createHash('md5').update(body).digest('hex');

  beforeAll(async () => {
    out = sharedOutDir('klambda-objects-');
    const sink = `import { renameSync, writeFileSync } from 'node:fs';
export const handler = async (event, context) => {
  const f = ${JSON.stringify(out)} + '/' + Date.now() + '-' + Math.random() + '.json';
  writeFileSync(f + '.tmp', JSON.stringify({ requestId: context.awsRequestId, event }));
  renameSync(f + '.tmp', f);
  return 'ok';
};`;
    fx = await startFixture({
      'sink.yaml': fn('sink', 'nodejs20', 'index.handler', { 'index.mjs': sink }),
      'photos.yaml': `apiVersion: klambda.dev/v1alpha1
kind: BucketNotification
metadata: {name: photos}
spec:
  bucket: photos
  eventBridge: true
  functions:
    - {id: jpg-created, function: sink, events: ["s3:ObjectCreated:*"], filter: {prefix: uploads/, suffix: .jpg}}
    - {id: uploads-removed, function: "sink:$LATEST", events: ["s3:ObjectRemoved:Delete"], filter: {prefix: uploads/}}
`,
      's3-created.yaml': `apiVersion: klambda.dev/v1alpha1
kind: EventRule
metadata: {name: s3-created}
spec:
  eventPattern: {source: [aws.s3], detail-type: [Object Created], detail: {bucket: {name: [photos]}}}
  targets: [{id: sink, function: sink}]
`,
    });
    // versitygw posts a test event at start and will not start unless klambda answers it: klambda first
    gw = await startVersityGw({ eventWebhookUrl: fx.local.s3EventsUrl });
    s3 = s3Client(gw, gw.root);
    await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
    await gw?.stop();
    await fx?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('keeps the webhook token in the folder, and the webhook URL carries it', () => {
    const token = readFileSync(join(fx.dir, '.klambda', 's3-events-token'), 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fx.local.s3EventsUrl).toBe(`${fx.local.url}/_klambda/s3-events/default/${token}`);
  });

  it('a created object under the prefix with the suffix invokes the function once with Lambda\'s S3 event, and EventBridge\'s Object Created reaches the rule', async () => {
    const body = 'first jpeg';
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'uploads/cat 1.jpg', Body: body }));
    const [got] = await waitFor(() => { const e = s3Events('uploads/cat+1.jpg'); return e.length > 0 ? e : undefined; }, 30_000, 'the S3 event of uploads/cat 1.jpg');
    const record = got!.event.Records[0];
    expect(got!.event.Records).toHaveLength(1);
    expect(record).toMatchObject({
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: gw.root.accessKeyId },
      requestParameters: { sourceIPAddress: expect.any(String) },
      responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
      s3: {
        s3SchemaVersion: '1.0', configurationId: 'jpg-created',
        bucket: { name: 'photos', arn: 'arn:aws:s3:::photos', ownerIdentity: { principalId: expect.any(String) } },
        object: { key: 'uploads/cat+1.jpg', size: body.length, eTag: md5(body), sequencer: expect.stringMatching(/^[0-9A-F]+$/) },
      },
    });
    expect(Date.parse(record.eventTime)).toBeGreaterThan(Date.now() - 120_000);
    const [bus] = await waitFor(() => { const e = busEvents('uploads/cat 1.jpg'); return e.length > 0 ? e : undefined; }, 30_000, 'the EventBridge event');
    expect(bus!.event).toMatchObject({
      version: '0', source: 'aws.s3', 'detail-type': 'Object Created', account: '000000000000', region: 'us-east-1',
      resources: ['arn:aws:s3:::photos'],
      detail: {
        version: '0', bucket: { name: 'photos' }, reason: 'PutObject', requester: gw.root.accessKeyId,
        object: { key: 'uploads/cat 1.jpg', size: body.length, etag: md5(body), sequencer: record.s3.object.sequencer },
      },
    });
  }, 60_000);

  it('filters by prefix and suffix: other keys of the bucket invoke nothing, but still go to EventBridge; another bucket sends nothing', async () => {
    // a key with characters S3 encodes in events: versitygw posts it as is, and the function gets it as S3 writes it
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'uploads/odd+key 100%.jpg', Body: 'odd' }));
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'uploads/notes.txt', Body: 'not a jpeg' }));
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'drafts/dog.jpg', Body: 'elsewhere' }));
    await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'uploads/old.jpg', Body: 'archived' }));
    // both reach the bus (the bucket sends every event to EventBridge), so their fan-out is over once these arrive
    await waitFor(() => (busEvents('uploads/notes.txt').length > 0 && busEvents('drafts/dog.jpg').length > 0 ? true : undefined), 30_000, 'the bus events');
    // a later matching object arrives: the filtered ones would have by now
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'uploads/marker.jpg', Body: 'marker' }));
    await waitFor(() => (s3Events('uploads/marker.jpg').length > 0 ? true : undefined), 30_000, 'the marker');
    await waitFor(() => (s3Events('uploads/odd%2Bkey+100%25.jpg').length > 0 ? true : undefined), 30_000, 'the odd key, encoded');
    // its bus event is a delivery of its own: it may come after the function's
    await waitFor(() => (busEvents('uploads/odd+key 100%.jpg').length > 0 ? true : undefined), 30_000, 'the odd key\'s bus event');
    expect(s3Events('uploads/notes.txt')).toEqual([]);
    expect(s3Events('drafts/dog.jpg')).toEqual([]);
    expect(received().filter((r) => JSON.stringify(r.event).includes('archive'))).toEqual([]);
  }, 60_000);

  it('an overwrite with `aws s3 cp` is a new ObjectCreated:Put with the new size and eTag', async () => {
    const file = join(out, 'cat-v2.jpg.src');
    const body = 'second jpeg, longer';
    writeFileSync(file, body);
    const cli = awsCli('s3', gw.endpoint, gw.root);
    await cli('cp', file, 's3://photos/uploads/cat 1.jpg');
    const created = await waitFor(() => { const e = s3Events('uploads/cat+1.jpg', 'ObjectCreated:Put'); return e.length >= 2 ? e : undefined; }, 60_000, 'the overwrite\'s S3 event');
    const sizes = created.map((r) => r.event.Records[0].s3.object.size).sort((a: number, b: number) => a - b);
    expect(sizes).toEqual(['first jpeg'.length, body.length]);
    expect(created.map((r) => r.event.Records[0].s3.object.eTag)).toContain(md5(body));
    // two events, two request ids
    expect(new Set(created.map((r) => r.requestId)).size).toBe(2);
  }, 120_000);

  it('deletes (SDK and `aws s3 rm`) invoke the ObjectRemoved configuration without size or eTag; no Object Created rule fires', async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'uploads/cat 1.jpg' }));
    await awsCli('s3', gw.endpoint, gw.root)('rm', 's3://photos/uploads/notes.txt');
    const [removed] = await waitFor(() => { const e = s3Events('uploads/cat+1.jpg', 'ObjectRemoved:Delete'); return e.length > 0 ? e : undefined; }, 30_000, 'the delete\'s S3 event');
    expect(removed!.event.Records[0].s3.configurationId).toBe('uploads-removed');
    expect(removed!.event.Records[0].s3.object).not.toHaveProperty('size');
    expect(removed!.event.Records[0].s3.object).not.toHaveProperty('eTag');
    await waitFor(() => (s3Events('uploads/notes.txt', 'ObjectRemoved:Delete').length > 0 ? true : undefined), 30_000, 'the CLI delete\'s S3 event');
    // the rule takes Object Created only: nothing of the deletes reaches it
    expect(received().filter((r) => r.event['detail-type'] === 'Object Deleted')).toEqual([]);
  }, 60_000);

  it('DeleteObjects (versitygw posts its own s3:ObjectRemoved:DeleteObjects) is one ObjectRemoved:Delete per key', async () => {
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: 'photos', Delete: { Objects: [{ Key: 'uploads/odd+key 100%.jpg' }, { Key: 'drafts/dog.jpg' }] } }));
    expect(res.Errors ?? []).toEqual([]);
    const [removed] = await waitFor(() => { const e = s3Events('uploads/odd%2Bkey+100%25.jpg', 'ObjectRemoved:Delete'); return e.length > 0 ? e : undefined; }, 30_000, 'the DeleteObjects record');
    expect(removed!.event.Records[0].s3.configurationId).toBe('uploads-removed');
    // drafts/ is outside the prefix: a later delete under uploads/ arrives, that one never does
    await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'uploads/marker.jpg' }));
    await waitFor(() => (s3Events('uploads/marker.jpg', 'ObjectRemoved:Delete').length > 0 ? true : undefined), 30_000, 'the marker\'s delete');
    expect(s3Events('drafts/dog.jpg')).toEqual([]);
  }, 60_000);

  it('each matching record was delivered exactly once (no redelivery without a repost)', async () => {
    await waitFor(() => (busEvents('uploads/marker.jpg').length > 0 ? true : undefined), 30_000, 'the marker\'s bus event');
    const counts = new Map<string, number>();
    for (const r of received()) counts.set(r.requestId, (counts.get(r.requestId) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(s3Events('uploads/marker.jpg', 'ObjectCreated:Put')).toHaveLength(1);
    expect(busEvents('uploads/marker.jpg')).toHaveLength(1);
    expect(busEvents('uploads/odd+key 100%.jpg')).toHaveLength(1);
  }, 60_000);

  it('refuses a wrong token (403) and a body that is not S3 records (400); a repost of a record repeats its request id', async () => {
    const bad = fx.local.s3EventsUrl.replace(/[^/]+$/, 'not-the-token-at-all');
    const refused = await fetch(bad, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Records":[]}' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ Type: 'User' });
    const otherNs = await fetch(fx.local.s3EventsUrl.replace('/default/', '/prod/'), { method: 'POST', body: '{"Records":[]}' });
    expect(otherNs.status).toBe(403);
    const notRecords = await fetch(fx.local.s3EventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Records":[{"eventSource":"aws:s3"}]}' });
    expect(notRecords.status).toBe(400);
    // the same post twice (a sender that retries): the same request id, so at most the one invocation again (a job of
    // that id still queued or running is not queued twice)
    const record = (key: string) => ({
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-12-07T22:00:00.000Z', eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'me' }, requestParameters: { sourceIPAddress: '127.0.0.1' }, responseElements: { 'x-amz-request-id': 'r1', 'x-amz-id-2': 'h1' },
      s3: { s3SchemaVersion: '1.0', configurationId: 'x', bucket: { name: 'photos', ownerIdentity: { principalId: 'me' }, arn: 'arn:aws:s3:::photos' },
        object: { key, size: 3, eTag: 'abc', sequencer: '00FF' } },
    });
    const post = async (key: string) => {
      const res = await fetch(fx.local.s3EventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Records: [record(key)] }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ accepted: 1 });
    };
    await Promise.all([post('uploads/repost%21.jpg'), post('uploads/repost%21.jpg')]);
    await waitFor(() => (s3Events('uploads/repost%21.jpg').length > 0 ? true : undefined), 30_000, 'the repost');
    await post('uploads/after-repost.jpg');
    await waitFor(() => (s3Events('uploads/after-repost.jpg').length > 0 ? true : undefined), 30_000, 'the post after it');
    const ids = new Set(s3Events('uploads/repost%21.jpg').map((r) => r.requestId));
    expect(ids.size).toBe(1);
    // the EventBridge event of a repost keeps its id too
    expect(new Set(busEvents('uploads/repost!.jpg').map((r) => r.event.id)).size).toBe(1);
  }, 60_000);
});
