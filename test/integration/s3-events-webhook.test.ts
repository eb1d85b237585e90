// The S3 object-event webhook on a real Redis: a post is answered 200 only once every record is in the event inbox; a
// wrong token, another namespace or a bad record writes nothing; Redis away is a 503 the sender can retry on.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../src/core/logger.js';
import { EventInbox } from '../../src/events/inbox.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { sendAwsError } from '../../src/router/aws-response.js';
import { s3EventRoutes, s3EventsPath } from '../../src/router/s3-events/routes.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

const TOKEN = 'a-token-of-thirty-two-characters';

const record = (key: string, eventName = 's3:ObjectCreated:Put') => ({
  eventVersion: '2.2', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-12-07T22:10:05Z', eventName,
  userIdentity: { PrincipalId: 'ROOT' }, requestParameters: { sourceIPAddress: '127.0.0.1' }, responseElements: { 'x-amz-request-id': '', 'x-amz-id-2': '' },
  s3: { s3SchemaVersion: '1.0', configurationId: 'webhook-global', bucket: { name: 'photos', ownerIdentity: { PrincipalId: 'ROOT' }, arn: 'arn:aws:s3:::/photos' },
    object: { key, size: 1, eTag: '"x"', versionId: null, sequencer: '1' } },
});

describe('S3 event webhook', () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  let inbox: EventInbox;
  let server: Server;
  let base: string;
  let prefix: string;
  /** Where the route writes: the live inbox, or one on a closed connection. */
  let target: Pick<EventInbox, 'add'>;

  beforeAll(async () => {
    redis = await useRedis();
    conn = connectRedis(redis.url);
    const app = express();
    s3EventRoutes({ tokenFor: (ns) => (ns === 'default' ? TOKEN : undefined), inbox: { add: (e) => target.add(e) }, logger: silentLogger })(app);
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => sendAwsError(res, err, silentLogger));
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    prefix = randomPrefix();
    inbox = new EventInbox(conn, prefix);
    target = inbox;
  });

  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    conn.disconnect();
    await redis.stop();
  });

  const post = (body: unknown, path = s3EventsPath('default', TOKEN)) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('answers 200 once every record is in the inbox, each an object entry with its record', async () => {
    const res = await post({ Records: [record('uploads/a.jpg'), record('uploads/b b.jpg', 's3:ObjectRemoved:DeleteObjects')] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2 });
    // no waiting: held by the time the answer came
    expect(await inbox.depth()).toBe(2);
    const taken = await inbox.take('test', 10, 60_000);
    expect(taken.map((t) => t.entry).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { kind: 'object', namespace: 'default', ingestedAt: expect.any(Number), record: expect.objectContaining({ key: 'uploads/a.jpg', eventName: 'ObjectCreated:Put', bucket: 'photos' }) },
      { kind: 'object', namespace: 'default', ingestedAt: expect.any(Number), record: expect.objectContaining({ key: 'uploads/b b.jpg', eventName: 'ObjectRemoved:Delete', senderEventName: 'ObjectRemoved:DeleteObjects' }) },
    ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  });

  it('writes nothing for a wrong token (403), another namespace (403), a bad record (400) or S3\'s test event (200)', async () => {
    expect((await post({ Records: [record('k')] }, s3EventsPath('default', 'not-the-token'))).status).toBe(403);
    expect((await post({ Records: [record('k')] }, s3EventsPath('prod', TOKEN))).status).toBe(403);
    const bad = await post({ Records: [record('ok'), { ...record('bad'), eventSource: 'aws:sqs' }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ Type: 'User', Message: expect.stringMatching(/^Records\[1\]\.eventSource/) });
    expect((await post('not json')).status).toBe(400);
    expect((await post({ Records: [record('k')] }, `${s3EventsPath('default', TOKEN)}?keys=maybe`)).status).toBe(400);
    const test = await post({ Service: 'S3', Event: 's3:TestEvent', Time: '2026-12-07T22:00:00Z', Bucket: 'Test-Bucket' });
    expect(test.status).toBe(200);
    expect(await test.json()).toEqual({ accepted: 0 });
    expect(await inbox.depth()).toBe(0);
  });

  it('answers 503 when Redis cannot take the records, so a sender that retries posts them again', async () => {
    const closed = connectRedis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
    closed.disconnect();
    target = new EventInbox(closed, prefix);
    const res = await post({ Records: [record('uploads/lost.jpg')] });
    expect(res.status).toBe(503);
    expect(await inbox.depth()).toBe(0);
    // the same post once Redis is back is accepted
    target = inbox;
    expect((await post({ Records: [record('uploads/lost.jpg')] })).status).toBe(200);
    expect(await inbox.depth()).toBe(1);
  });
});
