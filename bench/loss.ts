// The loss test: N async invocations through the AWS SDK into `klambda dev` (a real child process, on a Redis of its
// own with an append-only file, `appendfsync always` and/or `everysec`), while runtime agents, runtime processes and
// klambda dev itself are SIGKILLed at random (seeded) and Redis is SIGKILLed and started again twice. Every event the
// router answered 202 must be recorded by the function at least once; duplicates are counted. Prints JSON; exits 1
// if anything accepted was lost (2 if a mode could not run).
//   npm run bench:loss                       10,000 events, always then everysec
//   LOSS_EVENTS=300 npm run bench:loss       a quick smoke run
// Options (env or --flag): LOSS_EVENTS / --events, LOSS_FSYNC / --fsync (always | everysec | both), LOSS_SEED / --seed,
// LOSS_CONCURRENCY (32), LOSS_MAX_ENVIRONMENTS (8), LOSS_CAP_SECONDS (600 per mode), LOSS_ASYNC_TIME_SCALE (10),
// LOSS_CHAOS=0 (a baseline without kills), LOSS_KEEP=1 (keep the temp folder: klambda's logs, the records, Redis's
// AOF), KLAMBDA_ROOT (the built klambda to run; default this checkout).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/core/package-root.js';
import { aofTrail } from './loss/aof.js';
import { Chaos } from './loss/chaos.js';
import { logCounts, reportsOf } from './loss/klambda-logs.js';
import { eachMode, exitWith, printReport } from './loss/modes.js';
import { prng } from './loss/prng.js';
import { isEmpty, QueueWatch, type QueueState } from './loss/queue-state.js';
import { writeRecorder } from './loss/recorder.js';
import { Records, verdict } from './loss/records.js';
import type { Fsync } from './loss/redis-proc.js';
import { Rig, type Cleanups } from './loss/rig.js';
import { Sender, type SendResult } from './loss/sender.js';

const FN = 'rec';

function options() {
  const { values } = parseArgs({ options: { events: { type: 'string' }, fsync: { type: 'string' }, seed: { type: 'string' } } });
  const env = process.env;
  const events = Number(values.events ?? env.LOSS_EVENTS ?? 10_000);
  const fsync = values.fsync ?? env.LOSS_FSYNC ?? 'both';
  const seed = Number(values.seed ?? env.LOSS_SEED ?? 1);
  if (!Number.isInteger(events) || events < 1) throw new Error(`events must be a whole number >= 1, got ${events}`);
  if (!['always', 'everysec', 'both'].includes(fsync)) throw new Error(`fsync must be always, everysec or both, got ${fsync}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  return {
    events, seed,
    modes: (fsync === 'both' ? ['always', 'everysec'] : [fsync]) as Fsync[],
    concurrency: Number(env.LOSS_CONCURRENCY ?? 32),
    maxEnvironments: Number(env.LOSS_MAX_ENVIRONMENTS ?? 8),
    capSeconds: Number(env.LOSS_CAP_SECONDS ?? 600),
    asyncTimeScale: Number(env.LOSS_ASYNC_TIME_SCALE ?? 10),
    keep: env.LOSS_KEEP === '1',
    /** LOSS_CHAOS=0: no kills at all (a baseline). */
    chaos: env.LOSS_CHAOS !== '0',
    root: env.KLAMBDA_ROOT ?? packageRoot(import.meta.url),
  };
}
type Options = ReturnType<typeof options>;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The folder klambda dev runs on: one Function that appends "<seq> <requestId>" to a file for each event it runs. */
function writeFolder(folder: string, outDir: string): void {
  writeRecorder(folder, { name: FN, outDir, code: `import { appendFileSync } from 'node:fs';
// one write per run, O_APPEND: lines of concurrent runs do not interleave
export const handler = async (event, context) => {
  appendFileSync(process.env.OUT_DIR + '/rec.log', event.seq + ' ' + context.awsRequestId + '\\n');
  return 'ok';
};
` });
}

/** Work queued, no restart under way, and nothing recorded for this long: stalled (agents start in ~3 s here). */
const STALL_MS = 20_000;

interface Remedy { atS: number; kind: 'nudge' | 'restart'; queue: QueueState | undefined }
interface DrainResult { seconds: number; remedies: Remedy[] }

/**
 * Waits until every accepted event is recorded and the queue is empty, or the queue is empty and nothing more comes.
 * Work queued with nothing recorded for STALL_MS (and no restart under way) is a stall; the remedies a user has are
 * tried and counted: first one new invoke (a "nudge": it makes klambda look at the function's queue), then, if that
 * did not help, a restart of klambda.
 */
async function drain(o: {
  records: Records; accepted: ReadonlyMap<number, string>; watch: QueueWatch; chaos: Chaos; deadline: number;
  nudge(): Promise<void>; restart(): Promise<void>;
}): Promise<DrainResult> {
  const t0 = Date.now();
  let seen = o.records.poll();
  let lines = o.records.lines;
  let lastGrowth = Date.now();
  let lastRemedy = 0;
  let lastUnsettled = Date.now();
  const remedies: Remedy[] = [];
  for (;;) {
    await sleep(500);
    const distinct = o.records.poll();
    if (o.records.lines !== lines) { lines = o.records.lines; lastGrowth = Date.now(); }
    if (!o.chaos.settled) lastUnsettled = Date.now();
    const q = await o.watch.state();
    // quiet: since the last record, the last remedy, or the end of the last restart, whichever came last
    const quiet = Date.now() - Math.max(lastGrowth, lastRemedy, lastUnsettled);
    const empty = q !== undefined && isEmpty(q);
    const allIn = [...o.accepted.keys()].every((seq) => o.records.runs.has(seq));
    if (distinct !== seen) { seen = distinct; log(`[drain] ${distinct} recorded of ${o.accepted.size}; queue ${JSON.stringify(q)}`); }
    if (o.chaos.settled && empty && Date.now() - lastGrowth > (allIn ? 3000 : 15_000)) break;
    if (o.chaos.settled && q !== undefined && !empty && quiet > STALL_MS && remedies.length < 8) {
      const previous = remedies[remedies.length - 1];
      const kind = previous?.kind === 'nudge' && lastGrowth < lastRemedy ? 'restart' : 'nudge';
      remedies.push({ atS: Math.round((Date.now() - t0) / 100) / 10, kind, queue: q });
      log(`[drain] nothing recorded for ${Math.round(quiet / 1000)} s with work queued (${JSON.stringify(q)}): ${kind}`);
      if (kind === 'restart') await o.restart();
      await o.nudge();
      lastRemedy = Date.now();
    }
    if (Date.now() > o.deadline) { log('[drain] the cap passed'); break; }
  }
  return { seconds: (Date.now() - t0) / 1000, remedies };
}

interface RunState {
  fsync: Fsync; opts: Options; work: string; t0: number; sent: SendResult; sender: Sender; records: Records;
  watch: QueueWatch; chaos: Chaos; backlog: QueueState | undefined; drained: DrainResult; asyncTimeScale: number | undefined;
}

/** The JSON of one mode: the verdict, the evidence for each lost event, and what the chaos did. */
async function summarize({ fsync, opts, work, t0, sent, sender, records, watch, chaos, backlog, drained, asyncTimeScale }: RunState) {
  // the last word from Redis, after the chaos: nothing is down now
  const q = await watch.state();
  records.poll();
  const v = verdict(sent.accepted, records);
  const dead = await watch.deadLetters().catch(() => []);
  // the evidence for the first lost events: what Redis's file kept of each, and how each run of it ended
  const sample = v.lost.slice(0, 10).map((seq) => ({ seq, requestId: sent.accepted.get(seq)! }));
  const trails = aofTrail(join(work, 'redis'), sample.map((l) => l.requestId));
  const reports = reportsOf(work, sample.map((l) => l.requestId));
  const lost = await Promise.all(sample.map(async ({ seq, requestId }) => ({
    seq, requestId, acceptedAtS: sender.acceptedAtS.get(seq),
    stillQueued: await watch.holds(requestId).catch(() => undefined),
    aof: trails.get(requestId), runs: reports.get(requestId),
    deadLetter: dead.find((d) => d.requestId === requestId)?.reason,
  })));
  return {
    mode: `appendfsync ${fsync}`,
    seed: opts.seed,
    events: opts.events,
    accepted: sent.accepted.size,
    unsent: sent.unsent,
    refusals: sent.refusals,
    refusalsTotal: Object.values(sent.refusals).reduce((a, b) => a + b, 0),
    delivered: v.delivered,
    lost: v.lost.length,
    lostSamples: lost,
    lostStillQueued: (await Promise.all(v.lost.map((seq) => watch.holds(sent.accepted.get(seq)!).catch(() => false)))).filter(Boolean).length,
    lostDeadLettered: v.lost.filter((seq) => dead.some((d) => d.requestId === sent.accepted.get(seq))).length,
    duplicates: v.duplicates,
    duplicateRedeliveries: v.redeliveries,
    duplicateResends: v.resends,
    duplicateSamples: v.duplicateSamples,
    recordedNotAccepted: v.recordedNotAccepted,
    deliveredUnderAnotherRequestId: v.otherRequestId,
    nudges: sender.nudges,
    recordLines: records.lines,
    deadLetters: dead.length,
    deadLetterSamples: dead.slice(0, 5),
    kills: { agent: chaos.counts.agentKills, runtime: chaos.counts.runtimeKills, klambda: chaos.counts.klambdaRestarts, skippedNothingRunning: chaos.counts.killsSkipped },
    redisRestarts: chaos.counts.redisRestarts,
    klambdaRestarts: chaos.counts.klambdaRestarts,
    backlogAtSendEnd: backlog,
    queueAtEnd: q,
    queueKeysAtEnd: await watch.keys().catch(() => ({})),
    drainRemedies: drained.remedies,
    klambdaLog: logCounts(work),
    sendSeconds: sent.seconds,
    drainSeconds: drained.seconds,
    wallSeconds: (Date.now() - t0) / 1000,
    timeline: chaos.timeline,
    asyncTimeScale: asyncTimeScale ?? null,
    maxEnvironments: opts.maxEnvironments,
    concurrency: opts.concurrency,
  };
}

async function runMode(fsync: Fsync, opts: Options, cleanups: Cleanups) {
  const t0 = Date.now();
  const deadline = t0 + opts.capSeconds * 1000;
  const rig = { bench: 'loss', fsync, root: opts.root, maxEnvironments: opts.maxEnvironments, asyncTimeScale: opts.asyncTimeScale, keep: opts.keep, writeFolder };
  return Rig.run(rig, cleanups, async (r) => {
    const { work, outDir, redis, klambda } = r;
    let sender: Sender | undefined;
    let chaos: Chaos | undefined;
    r.beforeCleanup(async () => { await chaos?.finish().catch(() => undefined); sender?.destroy(); });
    log(`[${fsync}] ${opts.events} events, seed ${opts.seed}, work folder ${work}`);
    const monitor = await r.start();
    const watch = new QueueWatch(monitor, FN);
    const records = new Records(join(outDir, 'rec.log'));
    sender = new Sender(klambda.url, FN);
    const s = sender;
    chaos = new Chaos({
      rng: prng(opts.seed), redis, klambda, log,
      budget: { agentKills: 20, runtimeKills: 20, klambdaRestarts: 2, redisRestarts: 2, killGapSeconds: [0.5, 3.5] },
      progress: () => s.accepted.size / opts.events,
    });
    if (opts.chaos) chaos.start();
    const sent = await sender.send(opts.events, opts.concurrency, deadline);
    log(`[${fsync}] sent: ${sent.accepted.size} accepted in ${sent.seconds} s, refusals ${JSON.stringify(sent.refusals)}`);
    const backlog = await watch.state();
    chaos.draining();
    const drained = await drain({
      records, accepted: sent.accepted, watch, chaos, deadline,
      nudge: () => s.nudge(),
      restart: async () => { await klambda.stop(); await klambda.start(); }, // as a user would: Ctrl-C, start again
    });
    await chaos.finish();
    return await summarize({ fsync, opts, work, t0, sent, sender, records, watch, chaos, backlog, drained, asyncTimeScale: r.asyncTimeScale });
  });
}

async function main(): Promise<number> {
  const opts = options();
  const results = await eachMode('loss', opts.modes, (mode, cleanups) => runMode(mode, opts, cleanups));
  printReport('loss', opts.root, {}, results);
  return results.some((r) => 'error' in r) ? 2 : results.some((r) => 'lost' in r && (r.lost > 0 || r.unsent > 0)) ? 1 : 0;
}

exitWith('loss', main);
