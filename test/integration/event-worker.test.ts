// The event worker on a real Redis: an inbox entry reaches every subscription its filter lets through (an HTTP endpoint
// with SNS's headers and retries, a queue, raw or enveloped), at least once when the worker that took it dies.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { EventInbox } from '../../src/events/inbox.js';
import { EventWorker, type QueueSender } from '../../src/events/event-worker.js';
import { HttpDeliveries, HttpSender } from '../../src/events/http-deliveries.js';
import type { EventCatalog } from '../../src/events/fanout.js';
import type { SnsMessage, TopicView } from '../../src/events/contracts.js';
import { subscriptionArn } from '../../src/events/sns-shapes.js';
import { jsonLogger } from '../../src/core/logger.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const arn = { region: 'us-east-1', accountId: '123456789012' };
const logger = jsonLogger({ write: () => true } as unknown as NodeJS.WritableStream, { component: 'test' });

interface Received { headers: IncomingHttpHeaders; body: string }

describe('event worker', () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  let server: Server;
  let url: string;
  const received: Received[] = [];
  /** Status codes to answer, in order; 200 once they run out. */
  let answers: number[] = [];

  beforeAll(async () => {
    redis = await useRedis();
    conn = connectRedis(redis.url);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(answers.shift() ?? 200).end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    conn.disconnect();
    await new Promise((r) => server.close(r));
    await redis.stop();
  });
  beforeEach(() => { received.length = 0; answers = []; });

  function setup(topic: TopicView, claimIdleMs = 30_000) {
    const prefix = randomPrefix();
    const inbox = new EventInbox(conn, prefix);
    const http = new HttpDeliveries(conn, prefix);
    const queued: Array<{ queue: string; body: string; attributes?: unknown }> = [];
    const queues: QueueSender = { send: async (_ns, queue, m) => { queued.push({ queue, body: m.body, ...(m.attributes ? { attributes: m.attributes } : {}) }); } };
    const catalog: EventCatalog = {
      topic: (ns, name) => (ns === topic.namespace && name === topic.name ? topic : undefined),
      matchingRules: () => [], rule: () => undefined, busExists: (_ns, bus) => bus === 'default', arnFor: () => arn,
    };
    const worker = (): EventWorker => new EventWorker({
      inbox, catalog, queues, http, logger, unsubscribeBase: () => 'http://router', claimIdleMs, intervalMs: 10,
      invoker: { invokeAsync: async () => { throw new Error('no functions here'); } },
    });
    const sender = new HttpSender({ deliveries: http, logger, intervalMs: 10 });
    return { inbox, http, queued, worker, sender };
  }

  const topicOf = (subscriptions: TopicView['subscriptions'], numRetries = 3): TopicView => ({
    namespace: 'default', name: 'orders', subscriptions, tags: {}, deliveryPolicy: { numRetries, minDelaySeconds: 1, maxDelaySeconds: 1 },
  });
  const message = (id: string, attrs: SnsMessage['messageAttributes'] = {}): SnsMessage => ({ messageId: id, message: `{"n":"${id}"}`, subject: 'hello', messageAttributes: attrs, timestamp: Date.parse('2026-12-07T10:00:00Z') });

  it('delivers a message to the subscriptions whose filter policy matches, with SNS headers and envelope', async () => {
    const topic = topicOf([
      { protocol: 'http', endpoint: url, filterPolicy: { kind: ['order'] }, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
      { protocol: 'queue', endpoint: 'raw', filterPolicyScope: 'MessageAttributes', rawMessageDelivery: true },
      { protocol: 'queue', endpoint: 'wrapped', filterPolicy: { n: ['m2'] }, filterPolicyScope: 'MessageBody', rawMessageDelivery: false },
    ]);
    const { inbox, queued, worker, sender } = setup(topic);
    const w = worker();
    w.start(); sender.start();
    try {
      await inbox.add([
        { kind: 'topic', namespace: 'default', topic: 'orders', message: message('m1', { kind: { DataType: 'String', StringValue: 'order' } }) },
        { kind: 'topic', namespace: 'default', topic: 'orders', message: message('m2', { kind: { DataType: 'String', StringValue: 'refund' } }) },
      ]);
      await waitFor(() => (received.length >= 1 && queued.length >= 3 ? true : undefined), 15_000, 'deliveries');
      await waitFor(async () => ((await inbox.depth()) === 0 ? true : undefined), 15_000, 'an empty inbox');
    } finally { await w.stop(); await sender.stop(); }
    // only m1 has kind=order; both reach the raw queue; only m2's body has n=m2
    expect(received).toHaveLength(1);
    const note = JSON.parse(received[0]!.body) as Record<string, unknown>;
    expect(note).toMatchObject({ Type: 'Notification', MessageId: 'm1', Subject: 'hello', Message: '{"n":"m1"}', TopicArn: 'arn:aws:sns:us-east-1:123456789012:orders', Timestamp: '2026-12-07T10:00:00.000Z' });
    expect(received[0]!.headers['x-amz-sns-message-type']).toBe('Notification');
    expect(received[0]!.headers['x-amz-sns-message-id']).toBe('m1');
    expect(received[0]!.headers['x-amz-sns-subscription-arn']).toBe(subscriptionArn(arn, 'orders', topic.subscriptions[0]!));
    expect(queued.filter((q) => q.queue === 'raw').map((q) => q.body).sort()).toEqual(['{"n":"m1"}', '{"n":"m2"}']);
    expect(queued.find((q) => q.queue === 'raw' && q.body === '{"n":"m1"}')?.attributes).toEqual({ kind: { DataType: 'String', StringValue: 'order' } });
    const wrapped = queued.filter((q) => q.queue === 'wrapped');
    expect(wrapped).toHaveLength(1);
    expect(JSON.parse(wrapped[0]!.body)).toMatchObject({ Type: 'Notification', MessageId: 'm2', Message: '{"n":"m2"}' });
  }, 30_000);

  it('retries an HTTP endpoint that answers 5xx, gives up after the policy, and does not retry a 4xx', async () => {
    const topic = topicOf([{ protocol: 'http', endpoint: url, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: true }], 2);
    const { inbox, http, worker, sender } = setup(topic);
    const w = worker();
    w.start(); sender.start();
    try {
      answers = [503, 500];
      await inbox.add([{ kind: 'topic', namespace: 'default', topic: 'orders', message: message('a') }]);
      await waitFor(() => (received.length === 3 ? true : undefined), 20_000, 'two retries then success');
      await waitFor(async () => ((await http.pending()) === 0 ? true : undefined), 10_000, 'no job left');
      expect((await http.dead())).toHaveLength(0);
      received.length = 0;
      answers = [404];
      await inbox.add([{ kind: 'topic', namespace: 'default', topic: 'orders', message: message('b') }]);
      const dead = await waitFor(async () => { const d = await http.dead(); return d.length === 1 ? d : undefined; }, 20_000, 'a refused job');
      expect(dead[0]).toMatchObject({ id: expect.any(String), attempts: 1, reason: 'HTTP 404' });
      expect(received).toHaveLength(1);
      received.length = 0;
      answers = [500, 500, 500];
      await inbox.add([{ kind: 'topic', namespace: 'default', topic: 'orders', message: message('c') }]);
      await waitFor(async () => ((await http.dead()).length === 2 ? true : undefined), 20_000, 'a job out of retries');
      // the first attempt and numRetries = 2 more
      expect(received).toHaveLength(3);
      expect(received.every((r) => r.body === '{"n":"c"}' && r.headers['x-amz-sns-rawdelivery'] === 'true')).toBe(true);
    } finally { await w.stop(); await sender.stop(); }
  }, 60_000);

  it('an entry taken by a worker that died is delivered by another after its claim idles out', async () => {
    const topic = topicOf([{ protocol: 'queue', endpoint: 'q', filterPolicyScope: 'MessageAttributes', rawMessageDelivery: true }]);
    const { inbox, queued, worker } = setup(topic, 300);
    await inbox.add([{ kind: 'topic', namespace: 'default', topic: 'orders', message: message('x') }]);
    // a consumer that takes it and never finishes (it died)
    const taken = await inbox.take('dead-consumer', 10, 300_000);
    expect(taken).toHaveLength(1);
    expect(queued).toHaveLength(0);
    const w = worker();
    w.start();
    try {
      await waitFor(() => (queued.length === 1 ? true : undefined), 15_000, 'the redelivery');
      await waitFor(async () => ((await inbox.depth()) === 0 ? true : undefined), 15_000, 'an empty inbox');
    } finally { await w.stop(); }
    expect(queued[0]!.body).toBe('{"n":"x"}');
  }, 30_000);
});

describe('event inbox', () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  beforeAll(async () => { redis = await useRedis(); conn = connectRedis(redis.url); });
  afterAll(async () => { conn.disconnect(); await redis.stop(); });

  it('done() removes an entry from the group and the stream together: nothing is left behind to count forever', async () => {
    const inbox = new EventInbox(conn, randomPrefix(), 1);
    await inbox.add([{ kind: 'topic', namespace: 'default', topic: 't', message: { messageId: 'm-1', message: 'x', messageAttributes: {}, timestamp: 0 } }]);
    const [t] = await inbox.take('a', 10, 30_000);
    expect(await inbox.depth()).toBe(1);
    await inbox.done(t!);
    expect(await inbox.depth()).toBe(0);
    // nothing pending either: another worker finds nothing to claim
    expect(await inbox.take('b', 10, 0)).toEqual([]);
  });
});
