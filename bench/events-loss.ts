// The events loss test: N topic messages (SNS Publish/PublishBatch into a Topic with a lambda subscription) and N stream
// records (Kinesis PutRecords into a stream of several shards, read by an EventSourceMapping from TRIM_HORIZON) into
// `klambda dev` (a real child process, on a Redis of its own with an append-only file, `appendfsync always` and/or
// `everysec`), while runtime agents, runtime processes and klambda dev itself are SIGKILLed at random (seeded) and Redis
// is SIGKILLed and started again twice. One function records every message and record it gets.
//
// Verdict, per kind: every message or record the router answered OK must be recorded at least once (lost otherwise);
// duplicates are counted. Stream order per partition key under at-least-once: a record may be delivered again after
// later ones (a batch retried after a kill, a checkpoint that did not make it), which is allowed; what is not is a
// record delivered for the FIRST time while a lower seq of its key has never been delivered (a gap skipped and filled
// later). Each such first delivery is one `orderViolations`. The client puts a key's next record only once the last
// one was accepted, so the stream itself holds each key in order (checked too: `storedOutOfOrder`).
// (A SIGKILLed redis-server has written what it answered to the kernel already, so `everysec` loses nothing here either:
// only a machine that stops would lose its last second.) Evidence kept for what is not delivered: the inbox (entries
// pending, or acknowledged and never deleted), the function's queue, each shard's checkpoint against its last record.
// Prints JSON; exits 1 if anything accepted was lost or delivered out of order (2 if a mode could not run).
//   npm run bench:events-loss                          10,000 of each, always then everysec
//   EVENTS_LOSS_N=300 npm run bench:events-loss        a quick smoke run
// Options (env): EVENTS_LOSS_N, EVENTS_LOSS_FSYNC (always | everysec | both), EVENTS_LOSS_SEED, EVENTS_LOSS_KEYS (32
// partition keys), EVENTS_LOSS_SHARDS (4), EVENTS_LOSS_BATCH (100), EVENTS_LOSS_PARALLELIZATION (1: the mapping's
// parallelizationFactor, batches of one shard at once, by partition key), EVENTS_LOSS_RATE (500 of each kind a second; 0 as
// fast as klambda answers), EVENTS_LOSS_CONCURRENCY (8 publish calls at once), EVENTS_LOSS_LANES (4 PutRecords at once),
// EVENTS_LOSS_KILLS (20 agent and 20 runtime kills), EVENTS_LOSS_KLAMBDA_RESTARTS (2 while sending, one more in the drain),
// EVENTS_LOSS_REDIS_RESTARTS (2), EVENTS_LOSS_MAX_ENVIRONMENTS (8), EVENTS_LOSS_CAP_SECONDS (900 per mode), EVENTS_LOSS_QUIET_SECONDS (120: the drain
// gives up after this long without a new record), EVENTS_LOSS_ASYNC_TIME_SCALE (10), EVENTS_LOSS_CHAOS=0 (a baseline
// without kills), EVENTS_LOSS_SELF_CHECK=1 (the function leaves out one message and one record: the verdict must say
// so, and exit 1), EVENTS_LOSS_KEEP=1 (keep the temp folder: klambda's logs, the records, Redis's AOF), KLAMBDA_ROOT.
import { join } from 'node:path';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { packageRoot } from '../src/core/package-root.js';
import { derivedRequestId } from '../src/dispatcher/dispatcher.js';
import { fromSequenceNumber } from '../src/events/kinesis/sequence-numbers.js';
import { snsTopicArn, subscriptionArn } from '../src/events/sns-shapes.js';
import { Chaos } from './loss/chaos.js';
import { logCounts, reportsOf } from './loss/klambda-logs.js';
import { eachMode, exitWith, printReport } from './loss/modes.js';
import { prng } from './loss/prng.js';
import type { Fsync } from './loss/redis-proc.js';
import { Rig, type Cleanups } from './loss/rig.js';
import { EventsWatch, isDrained, storedVerdict, type EventsState } from './events-loss/backlog.js';
import { Deliveries, streamVerdict, topicVerdict } from './events-loss/deliveries.js';
import { aofMentions, EVENT_LOG_SIGNS } from './events-loss/evidence.js';
import { FN, MAPPING, STREAM, TOPIC, writeFolder, writeMapping } from './events-loss/folder.js';
import { partitionKeys, StreamSender, TopicSender, type KindSendResult } from './events-loss/senders.js';

const ARN = { region: 'us-east-1', accountId: '000000000000' };

function options() {
  const env = process.env;
  const num = (name: string, dflt: number, min = 0): number => {
    const v = Number(env[name] ?? dflt);
    if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number >= ${min}, got ${env[name]}`);
    return v;
  };
  const fsync = env.EVENTS_LOSS_FSYNC ?? 'both';
  if (!['always', 'everysec', 'both'].includes(fsync)) throw new Error(`EVENTS_LOSS_FSYNC must be always, everysec or both, got ${fsync}`);
  const n = num('EVENTS_LOSS_N', 10_000, 1);
  if (!Number.isInteger(n)) throw new Error(`EVENTS_LOSS_N must be a whole number, got ${n}`);
  return {
    n, seed: Math.trunc(num('EVENTS_LOSS_SEED', 1)),
    modes: (fsync === 'both' ? ['always', 'everysec'] : [fsync]) as Fsync[],
    keys: num('EVENTS_LOSS_KEYS', 32, 1), shards: num('EVENTS_LOSS_SHARDS', 4, 1), batchSize: num('EVENTS_LOSS_BATCH', 100, 1),
    parallelization: num('EVENTS_LOSS_PARALLELIZATION', 1, 1),
    rate: num('EVENTS_LOSS_RATE', 500), concurrency: num('EVENTS_LOSS_CONCURRENCY', 8, 1), lanes: num('EVENTS_LOSS_LANES', 4, 1),
    maxEnvironments: num('EVENTS_LOSS_MAX_ENVIRONMENTS', 8, 1),
    kills: num('EVENTS_LOSS_KILLS', 20), klambdaRestarts: num('EVENTS_LOSS_KLAMBDA_RESTARTS', 2), redisRestarts: num('EVENTS_LOSS_REDIS_RESTARTS', 2),
    capSeconds: num('EVENTS_LOSS_CAP_SECONDS', 900, 10), quietSeconds: num('EVENTS_LOSS_QUIET_SECONDS', 120, 5),
    asyncTimeScale: num('EVENTS_LOSS_ASYNC_TIME_SCALE', 10, 1),
    chaos: env.EVENTS_LOSS_CHAOS !== '0',
    selfCheck: env.EVENTS_LOSS_SELF_CHECK === '1',
    keep: env.EVENTS_LOSS_KEEP === '1',
    root: env.KLAMBDA_ROOT ?? packageRoot(import.meta.url),
  };
}
type Options = ReturnType<typeof options>;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `what` until it resolves true, or an error after `ms`. */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(200);
  }
}

interface DrainResult { seconds: number; ended: 'all delivered' | 'quiet' | 'cap' }

/** Waits until every accepted message and record is recorded (and the chaos is over), nothing new comes for the quiet
 *  time, or the cap passes. */
async function drain(o: {
  deliveries: Deliveries; topic: TopicSender; stream: StreamSender; watch: EventsWatch; chaos: Chaos; deadline: number; quietMs: number;
}): Promise<DrainResult> {
  const t0 = Date.now();
  let lines = -1;
  let lastGrowth = Date.now();
  let lastUnsettled = Date.now();
  let lastLog = 0;
  for (;;) {
    await sleep(500);
    o.deliveries.poll();
    if (o.deliveries.lines !== lines) { lines = o.deliveries.lines; lastGrowth = Date.now(); }
    if (!o.chaos.settled) lastUnsettled = Date.now();
    const topicIn = [...o.topic.accepted.keys()].every((seq) => o.deliveries.topic.has(seq));
    const streamIn = [...o.stream.accepted.keys()].every((ks) => { const [k, s] = ks.split(' '); return o.deliveries.streamTimes(k!, Number(s)) > 0; });
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      const d = o.deliveries.distinct;
      log(`[drain] topic ${d.topic}/${o.topic.accepted.size}, stream ${d.stream}/${o.stream.accepted.size}; ${brief(await o.watch.state())}`);
    }
    if (o.chaos.settled && topicIn && streamIn && Date.now() - lastGrowth > 3000) return { seconds: (Date.now() - t0) / 1000, ended: 'all delivered' };
    if (Date.now() - Math.max(lastGrowth, lastUnsettled) > o.quietMs) { log('[drain] nothing new for the quiet time'); return { seconds: (Date.now() - t0) / 1000, ended: 'quiet' }; }
    if (Date.now() > o.deadline) { log('[drain] the cap passed'); return { seconds: (Date.now() - t0) / 1000, ended: 'cap' }; }
  }
}

const brief = (s: EventsState | undefined): string => (s
  ? `inbox ${s.inbox} (pending ${s.inboxPending}, acked not deleted ${s.inboxAckedNotDeleted}), queue ${JSON.stringify(s.queue)}, shards behind ${s.shardsBehind}/${s.shards.length}`
  : 'redis not answering');

async function runMode(fsync: Fsync, opts: Options, cleanups: Cleanups) {
  const t0 = Date.now();
  const deadline = t0 + opts.capSeconds * 1000;
  const rig = {
    bench: 'events-loss', fsync, root: opts.root, maxEnvironments: opts.maxEnvironments, asyncTimeScale: opts.asyncTimeScale, keep: opts.keep,
    writeFolder: (folder: string, outDir: string) => writeFolder(folder, outDir, opts.selfCheck),
  };
  return Rig.run(rig, cleanups, async (r) => {
    const { work, outDir, folder, redis, klambda } = r;
    let topic: TopicSender | undefined;
    let stream: StreamSender | undefined;
    let chaos: Chaos | undefined;
    r.beforeCleanup(async () => { await chaos?.finish().catch(() => undefined); topic?.destroy(); stream?.destroy(); });
    log(`[${fsync}] ${opts.n} messages and ${opts.n} records, seed ${opts.seed}, work folder ${work}`);
    const monitor = await r.start();
    const watch = new EventsWatch(monitor, FN, STREAM, MAPPING);
    // the stream with its shards first; then the mapping (made first, it would make a stream of one shard)
    const kinesis = new KinesisClient({ endpoint: klambda.url, region: ARN.region, maxAttempts: 1, credentials: { accessKeyId: 'loss', secretAccessKey: 'loss' } });
    try { await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: opts.shards })); } finally { kinesis.destroy(); }
    writeMapping(folder, opts.batchSize, opts.parallelization);
    await until('the mapping leasing every shard', 30_000, () => watch.leased());
    const deliveries = new Deliveries(join(outDir, 'rec.log'));
    topic = new TopicSender(klambda.url, snsTopicArn(ARN, TOPIC));
    stream = new StreamSender(klambda.url, STREAM);
    const [ts, ss] = [topic, stream];
    chaos = new Chaos({
      rng: prng(opts.seed), redis, klambda, log,
      budget: { agentKills: opts.kills, runtimeKills: opts.kills, klambdaRestarts: opts.klambdaRestarts, redisRestarts: opts.redisRestarts, killGapSeconds: [0.5, 3.5] },
      progress: () => (ts.accepted.size + ss.accepted.size) / (2 * opts.n),
    });
    if (opts.chaos) chaos.start();
    const plan = { deadline, rate: opts.rate };
    const [topicSent, streamSent] = await Promise.all([
      ts.send(opts.n, opts.concurrency, plan),
      ss.send(opts.n, partitionKeys(opts.keys), opts.lanes, plan),
    ]);
    log(`[${fsync}] sent: topic ${topicSent.accepted} in ${topicSent.seconds} s, stream ${streamSent.accepted} in ${streamSent.seconds} s`);
    const backlog = await watch.state();
    chaos.draining();
    const drained = await drain({ deliveries, topic: ts, stream: ss, watch, chaos, deadline, quietMs: opts.quietSeconds * 1000 });
    await chaos.finish();
    return await summarize({ fsync, opts, work, t0, ts, ss, topicSent, streamSent, deliveries, watch, chaos, backlog, drained });
  });
}

interface RunState {
  fsync: Fsync; opts: Options; work: string; t0: number; ts: TopicSender; ss: StreamSender; topicSent: KindSendResult; streamSent: KindSendResult;
  deliveries: Deliveries; watch: EventsWatch; chaos: Chaos; backlog: EventsState | undefined; drained: DrainResult;
}

/** The JSON of one mode: per kind the verdict and the evidence for the first lost ones; what the chaos did. */
async function summarize({ fsync, opts, work, t0, ts, ss, topicSent, streamSent, deliveries, watch, chaos, backlog, drained }: RunState) {
  deliveries.poll();
  const state = await watch.state();
  const tv = topicVerdict(ts.accepted, deliveries);
  const sv = streamVerdict(ss.accepted, deliveries);
  const stored = storedVerdict(ss.accepted, await watch.records().catch(() => []));
  const dead = await watch.queue.deadLetters().catch(() => []);
  // a topic message's async invocation has a request id derived from its MessageId and the subscription's ARN
  const subArn = subscriptionArn(ARN, TOPIC, { protocol: 'lambda', endpoint: FN });
  const topicSample = tv.lost.slice(0, 10).map((seq) => {
    const messageId = ts.accepted.get(seq)!;
    return { seq, messageId, requestId: derivedRequestId(messageId, subArn), acceptedAtS: ts.acceptedAtS.get(seq) };
  });
  const streamSample = sv.lost.slice(0, 10).map((ks) => {
    const sequenceNumber = ss.accepted.get(ks)!;
    const at = fromSequenceNumber(sequenceNumber);
    return { record: ks, sequenceNumber, shard: at?.shardIndex, redisId: at?.id };
  });
  const trails = aofMentions(join(work, 'redis'), [...topicSample.flatMap((l) => [l.messageId, l.requestId]), ...streamSample.flatMap((l) => (l.redisId ? [l.redisId] : []))]);
  const reports = reportsOf(work, topicSample.map((l) => l.requestId));
  return {
    mode: `appendfsync ${fsync}`,
    seed: opts.seed,
    n: opts.n,
    topic: {
      accepted: topicSent.accepted, unsent: topicSent.unsent, refusals: topicSent.refusals,
      delivered: tv.delivered, lost: tv.lost.length, duplicates: tv.duplicates, recordedNotAccepted: tv.recordedNotAccepted,
      lostDeadLettered: tv.lost.filter((seq) => dead.some((d) => d.requestId === derivedRequestId(ts.accepted.get(seq)!, subArn))).length,
      lostSamples: await Promise.all(topicSample.map(async (l) => ({
        ...l, stillQueued: await watch.queue.holds(l.requestId).catch(() => undefined),
        aofMessageId: trails.get(l.messageId), aofRequestId: trails.get(l.requestId), runs: reports.get(l.requestId),
        deadLetter: dead.find((d) => d.requestId === l.requestId)?.reason,
      }))),
    },
    stream: {
      shards: opts.shards, partitionKeys: opts.keys, batchSize: opts.batchSize, parallelizationFactor: opts.parallelization,
      accepted: streamSent.accepted, unsent: streamSent.unsent, refusals: streamSent.refusals,
      delivered: sv.delivered, lost: sv.lost.length, duplicates: sv.duplicates, recordedNotAccepted: sv.recordedNotAccepted,
      orderViolations: sv.orderViolations, orderViolationsFilledLater: sv.orderViolationsFilledLater, orderViolationsNeverFilled: sv.orderViolationsNeverFilled,
      orderViolationsByKey: sv.orderViolationsByKey, orderViolationSamples: sv.orderViolationSamples,
      ...stored,
      lostSamples: streamSample.map((l) => ({ ...l, aof: l.redisId ? trails.get(l.redisId) : undefined })),
    },
    recordLines: deliveries.lines,
    malformedLines: deliveries.malformed,
    kills: { agent: chaos.counts.agentKills, runtime: chaos.counts.runtimeKills, skippedNothingRunning: chaos.counts.killsSkipped },
    redisRestarts: chaos.counts.redisRestarts,
    klambdaRestarts: chaos.counts.klambdaRestarts,
    deadLetters: dead.length,
    backlogAtSendEnd: backlog,
    stateAtEnd: state,
    drainedEverything: state ? isDrained(state) : null,
    drainEnded: drained.ended,
    klambdaLog: logCounts(work, EVENT_LOG_SIGNS),
    sendSeconds: Math.max(topicSent.seconds, streamSent.seconds),
    drainSeconds: drained.seconds,
    wallSeconds: (Date.now() - t0) / 1000,
    timeline: chaos.timeline,
    rate: opts.rate,
    maxEnvironments: opts.maxEnvironments,
    asyncTimeScale: opts.asyncTimeScale,
  };
}

async function main(): Promise<number> {
  const opts = options();
  const results = await eachMode('events-loss', opts.modes, (mode, cleanups) => runMode(mode, opts, cleanups));
  printReport('events-loss', opts.root, { chaos: opts.chaos, selfCheck: opts.selfCheck }, results);
  const failed = (r: (typeof results)[number]) => 'topic' in r
    && (r.topic.lost > 0 || r.topic.unsent > 0 || r.stream.lost > 0 || r.stream.unsent > 0 || r.stream.orderViolations > 0);
  return results.some((r) => 'error' in r) ? 2 : results.some(failed) ? 1 : 0;
}

exitWith('events-loss', main);
