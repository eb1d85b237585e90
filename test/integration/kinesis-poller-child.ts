// Test helper, run as its own process (node --import tsx) by kinesis-poller-process.test.ts to be killed: a stream poller whose
// function pushes each batch's data to a Redis list and never finishes a batch that holds the record "hang".
import type { EventSourceMapping } from '../../src/api/event-source-mapping.js';
import type { KinesisEventRecord } from '../../src/events/kinesis/index.js';
import { KinesisPoller, KinesisStore } from '../../src/events/kinesis/index.js';
import { connectRedis } from '../../src/queue/connection.js';

interface ChildSpec { url: string; prefix: string; mapping: EventSourceMapping; leaseMs: number; seen: string }

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
const conn = connectRedis(spec.url);
const store = new KinesisStore(conn, { keyPrefix: spec.prefix });
const poller = new KinesisPoller({
  store, mapping: spec.mapping, arn: { region: 'us-east-1', accountId: '000000000000' }, owner: `child-${process.pid}`,
  leaseMs: spec.leaseMs, pollIntervalMs: 20, retryDelayMs: () => 5,
  invoker: {
    async invokeSync(_ns, _fn, inv) {
      const data = (JSON.parse(inv.payload) as { Records: KinesisEventRecord[] }).Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString('utf8'));
      await conn.rpush(spec.seen, JSON.stringify(data));
      if (data.includes('hang')) await new Promise(() => undefined);
      return { requestId: inv.requestId, executedVersion: '$LATEST', durationMs: 1, payload: 'null' };
    },
  },
});
await poller.start();
process.stdout.write('started\n');
