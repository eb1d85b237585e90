// The router's demand signal on a real Redis: one "ns/fn/version" message per queue per gap, each queue throttled on its own.
import { Redis } from 'ioredis';
import type { QueueRef } from '../../src/core/queue-contract.js';
import { demandChannel } from '../../src/queue/keys.js';
import { demandPublisher } from '../../src/router/cluster-router.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const END = 'end-of-test';
let server: TestRedis;
let commands: Redis;
let subscriber: Redis;
let channel: string;
let messages: string[];
let prefix: string;

beforeAll(async () => { server = await useRedis(); });
afterAll(async () => { await server.stop(); });
beforeEach(async () => {
  prefix = randomPrefix();
  channel = demandChannel(prefix);
  messages = [];
  commands = new Redis(server.url);
  subscriber = new Redis(server.url);
  subscriber.on('message', (ch: string, msg: string) => { if (ch === channel) messages.push(msg); });
  await subscriber.subscribe(channel);
});
afterEach(() => { subscriber.disconnect(); commands.disconnect(); });

/** Everything published on `commands` before this arrives before its END marker (one connection keeps order). */
async function heard(): Promise<string[]> {
  await commands.publish(channel, END);
  await waitFor(() => messages.includes(END) || undefined, 5000, 'the end marker', 5);
  return messages.filter((m) => m !== END);
}

const hello: QueueRef = { namespace: 'team-a', functionName: 'hello', version: '1' };
const other: QueueRef = { namespace: 'team-a', functionName: 'other', version: '$LATEST' };

describe('demandPublisher', () => {
  it('publishes a queue once per gap: three calls within 50 ms and one after make two messages', async () => {
    let t = 1_000;
    const publish = demandPublisher(commands, prefix, 50, () => t);
    publish(hello);
    t = 1_010; publish(hello);
    t = 1_049; publish(hello);
    t = 1_050; publish(hello);
    expect(await heard()).toEqual(['team-a/hello/1', 'team-a/hello/1']);
  });

  it('throttles each queue on its own', async () => {
    let t = 1_000;
    const publish = demandPublisher(commands, prefix, 50, () => t);
    publish(hello);
    t = 1_010; publish(other);
    t = 1_020; publish(hello);
    expect(await heard()).toEqual(['team-a/hello/1', 'team-a/other/$LATEST']);
  });
});
