// The object events loss test: a real versitygw (`--event-webhook-url`) posts the object events of bucket `photos` to
// `klambda dev` (a real child process, on a Redis of its own with an append-only file, `appendfsync always` or
// `everysec`) through a recording proxy in this process, which forwards each post to klambda's S3 event webhook and
// notes per event whether klambda answered 2xx (accepted) or could not be reached (refused: it was down). N objects are
// put with @aws-sdk/client-s3, a tenth overwritten and a tenth deleted (DeleteObject and DeleteObjects), while klambda
// dev is SIGKILLed and started again (twice by default), stopped with SIGTERM and started again (once), and its Redis
// SIGKILLed and started again (once). A BucketNotification sends every ObjectCreated and ObjectRemoved event to
// function `rec`, and the bucket's events to EventBridge, where an EventRule on aws.s3 `Object Created` invokes
// function `bus`; both append what they get to a file.
//
// Verdict, per path: every event klambda accepted must be recorded at least once (lost otherwise); duplicates are
// counted. versitygw posts each event once and never retries (nor reads the answer), so what it posted while klambda
// was down (refused) or could not store it (503 while Redis was down: failed) is gone at the sender, before klambda;
// those are counted, not lost. Prints JSON; exits 1 if an accepted event was lost (2 if a mode could not run).
//   npm run bench:object-events-loss                                1,000 objects, appendfsync always
//   OBJECT_EVENTS_LOSS_FSYNC=everysec npm run bench:object-events-loss
// Options (env): OBJECT_EVENTS_LOSS_N (1000 objects), OBJECT_EVENTS_LOSS_FSYNC (always | everysec | both),
// OBJECT_EVENTS_LOSS_RATE (50 S3 operations a second; 0 as fast as versitygw answers), OBJECT_EVENTS_LOSS_LANES (8 at
// once), OBJECT_EVENTS_LOSS_KILLS (2 SIGKILLs of klambda), OBJECT_EVENTS_LOSS_GRACEFUL (1 SIGTERM),
// OBJECT_EVENTS_LOSS_REDIS_KILLS (1), OBJECT_EVENTS_LOSS_DOWN_OPS (30 operations made while one is down, before it is
// started again), OBJECT_EVENTS_LOSS_CAP_SECONDS (600 per mode), OBJECT_EVENTS_LOSS_QUIET_SECONDS (60: the drain gives
// up after this long without a new record), OBJECT_EVENTS_LOSS_MAX_ENVIRONMENTS (4), OBJECT_EVENTS_LOSS_SELF_CHECK=1
// (`rec` leaves out the events of one key: the verdict must say so, and exit 1), OBJECT_EVENTS_LOSS_KEEP=1 (keep the
// temp folder: klambda's logs, the records, Redis's AOF), KLAMBDA_ROOT (the package whose dist/ runs).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { packageRoot } from '../src/core/package-root.js';
import { s3EventsPath } from '../src/router/s3-events/routes.js';
import { s3Client, startVersityGw, type VersityGw } from '../test/helpers/versitygw.js';
import { logCounts } from './loss/klambda-logs.js';
import { eachMode, exitWith, printReport } from './loss/modes.js';
import type { Fsync } from './loss/redis-proc.js';
import { Rig, type Cleanups } from './loss/rig.js';
import { Deliveries, verdict } from './object-events-loss/deliveries.js';
import { BUCKET, writeFolder } from './object-events-loss/folder.js';
import { RecordingProxy } from './object-events-loss/proxy.js';
import { keyOf, plan, Writer, type WriteResult } from './object-events-loss/writer.js';

function options() {
  const env = process.env;
  const num = (name: string, dflt: number, min = 0): number => {
    const v = Number(env[name] ?? dflt);
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number >= ${min}, got ${env[name]}`);
    return v;
  };
  const fsync = env.OBJECT_EVENTS_LOSS_FSYNC ?? 'always';
  if (!['always', 'everysec', 'both'].includes(fsync)) throw new Error(`OBJECT_EVENTS_LOSS_FSYNC must be always, everysec or both, got ${fsync}`);
  return {
    n: num('OBJECT_EVENTS_LOSS_N', 1000, 1),
    modes: (fsync === 'both' ? ['always', 'everysec'] : [fsync]) as Fsync[],
    rate: num('OBJECT_EVENTS_LOSS_RATE', 50), lanes: num('OBJECT_EVENTS_LOSS_LANES', 8, 1),
    kills: num('OBJECT_EVENTS_LOSS_KILLS', 2), graceful: num('OBJECT_EVENTS_LOSS_GRACEFUL', 1), redisKills: num('OBJECT_EVENTS_LOSS_REDIS_KILLS', 1), downOps: num('OBJECT_EVENTS_LOSS_DOWN_OPS', 30, 1),
    capSeconds: num('OBJECT_EVENTS_LOSS_CAP_SECONDS', 600, 10), quietSeconds: num('OBJECT_EVENTS_LOSS_QUIET_SECONDS', 60, 5),
    maxEnvironments: num('OBJECT_EVENTS_LOSS_MAX_ENVIRONMENTS', 4, 1),
    selfCheck: env.OBJECT_EVENTS_LOSS_SELF_CHECK === '1',
    keep: env.OBJECT_EVENTS_LOSS_KEEP === '1',
    root: env.KLAMBDA_ROOT ?? packageRoot(import.meta.url),
  };
}
type Options = ReturnType<typeof options>;

/** The self-check's key: `rec` leaves out its events. */
const DROPPED_KEY = keyOf(5);

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Restart {
  /** klambda SIGKILLed or SIGTERMed, or Redis SIGKILLed (klambda answers the webhook 503 until it is back). */
  kind: 'SIGKILL' | 'SIGTERM' | 'redis SIGKILL'; atOp: number; atS: number; downS: number; opsWhileDown: number;
  /** When it was signalled and when it answered again (ms since the epoch): the report counts the posts refused or
   *  failed (the connection broke) in between, and in the second after. */
  downAt: number; upAt: number;
}

/**
 * Restarts klambda `kills` times by SIGKILL and `graceful` times by SIGTERM, and Redis `redisKills` times by SIGKILL (in
 * turn), spread over the writing: each
 * when the writer has done its share of the operations, started again once `downOps` more were made (or 10 s passed, or
 * the writing is over).
 */
async function restarts(o: { rig: Rig; writer: Writer; total: number; kills: number; graceful: number; redisKills: number; downOps: number; t0: number; writingOver: () => boolean }): Promise<Restart[]> {
  const kinds: Array<Restart['kind']> = [];
  for (let i = 0; i < Math.max(o.kills, o.graceful, o.redisKills); i++) {
    if (i < o.kills) kinds.push('SIGKILL');
    if (i < o.graceful) kinds.push('SIGTERM');
    if (i < o.redisKills) kinds.push('redis SIGKILL');
  }
  const done: Restart[] = [];
  for (const [i, kind] of kinds.entries()) {
    const at = Math.floor((o.total * (i + 1)) / (kinds.length + 1));
    // once the writing is over, the restarts left come at once (what is accepted and not yet delivered must survive them)
    while (o.writer.done < at && !o.writingOver()) await sleep(20);
    const down = Date.now();
    const atOp = o.writer.done;
    if (kind === 'SIGKILL') await o.rig.klambda.kill(); else if (kind === 'SIGTERM') await o.rig.klambda.stop(); else await o.rig.redis.kill();
    const until = Date.now() + 10_000;
    while (o.writer.done < atOp + o.downOps && !o.writingOver() && Date.now() < until) await sleep(20);
    if (kind === 'redis SIGKILL') await o.rig.redis.start(); else await o.rig.klambda.start();
    const r: Restart = { kind, atOp, atS: (down - o.t0) / 1000, downS: (Date.now() - down) / 1000, opsWhileDown: o.writer.done - atOp, downAt: down, upAt: Date.now() };
    log(`[restart] ${kind} at operation ${atOp}: down ${r.downS} s, ${r.opsWhileDown} operations meanwhile`);
    done.push(r);
  }
  return done;
}

interface DrainResult { seconds: number; ended: 'all delivered' | 'quiet' | 'cap' }

/** Waits until every accepted event is recorded on both paths (and nothing new came for 3 s), nothing new comes for
 *  the quiet time, or the deadline passes. */
async function drain(deliveries: Deliveries, acceptedS3: Set<string>, acceptedBus: Set<string>, deadline: number, quietMs: number): Promise<DrainResult> {
  const t0 = Date.now();
  let lines = -1;
  let lastGrowth = Date.now();
  let lastLog = 0;
  for (;;) {
    await sleep(250);
    deliveries.poll();
    if (deliveries.lines !== lines) { lines = deliveries.lines; lastGrowth = Date.now(); }
    const missingS3 = [...acceptedS3].filter((id) => !deliveries.s3.has(id)).length;
    const missingBus = [...acceptedBus].filter((id) => !deliveries.bus.has(id)).length;
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      log(`[drain] S3 events ${acceptedS3.size - missingS3}/${acceptedS3.size}, EventBridge ${acceptedBus.size - missingBus}/${acceptedBus.size}`);
    }
    const seconds = (Date.now() - t0) / 1000;
    if (missingS3 === 0 && missingBus === 0 && Date.now() - lastGrowth > 3000) return { seconds, ended: 'all delivered' };
    if (Date.now() - lastGrowth > quietMs) { log('[drain] nothing new for the quiet time'); return { seconds, ended: 'quiet' }; }
    if (Date.now() > deadline) { log('[drain] the cap passed'); return { seconds, ended: 'cap' }; }
  }
}

async function runMode(fsync: Fsync, opts: Options, cleanups: Cleanups) {
  const t0 = Date.now();
  const deadline = t0 + opts.capSeconds * 1000;
  const rig = {
    bench: 'object-events-loss', fsync, root: opts.root, maxEnvironments: opts.maxEnvironments, asyncTimeScale: 10, keep: opts.keep,
    writeFolder: (folder: string, outDir: string) => writeFolder(folder, outDir, opts.selfCheck ? DROPPED_KEY : ''),
  };
  return Rig.run(rig, cleanups, async (r) => {
    let proxy: RecordingProxy | undefined;
    let gw: VersityGw | undefined;
    let writingOver = false;
    r.beforeCleanup(async () => { await gw?.stop(); await proxy?.close(); });
    log(`[${fsync}] ${opts.n} objects, work folder ${r.work}`);
    await r.start();
    const token = readFileSync(join(r.folder, '.klambda', 's3-events-token'), 'utf8').trim();
    const started = await RecordingProxy.start(() => r.klambda.url);
    proxy = started.proxy;
    const gwDir = join(r.work, 'versitygw');
    mkdirSync(gwDir);
    // versitygw posts a test event at its start and will not start unless it is answered: klambda is up by now
    gw = await startVersityGw({ dir: gwDir, eventWebhookUrl: `${started.url}${s3EventsPath('default', token)}` });
    const s3 = s3Client(gw, gw.root);
    r.beforeCleanup(() => s3.destroy());
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const deliveries = new Deliveries(join(r.outDir, 'rec.log'));
    const ops = plan(opts.n);
    const writer = new Writer(s3, BUCKET);
    // read as it grows, so each delivery's time is known
    const polling = setInterval(() => deliveries.poll(), 250);
    r.beforeCleanup(() => clearInterval(polling));
    const [written, restarted] = await Promise.all([
      writer.run(ops, opts.rate, opts.lanes, deadline).finally(() => { writingOver = true; }),
      restarts({ rig: r, writer, total: ops.length, kills: opts.kills, graceful: opts.graceful, redisKills: opts.redisKills, downOps: opts.downOps, t0, writingOver: () => writingOver }),
    ]);
    log(`[${fsync}] ${written.ops} operations in ${written.seconds} s, ${restarted.length} restarts`);
    // versitygw posts from goroutines after it answered: wait (bounded) until each written event was posted
    const until = Date.now() + 15_000;
    while ([...writer.expected].some((id) => !proxy!.outcomes.has(id)) && Date.now() < until) await sleep(100);
    await proxy.settle();
    const acceptedS3 = proxy.accepted();
    const acceptedBus = new Set([...acceptedS3].filter((id) => id.startsWith('ObjectCreated:')));
    const drained = await drain(deliveries, acceptedS3, acceptedBus, deadline, opts.quietSeconds * 1000);
    deliveries.poll();
    return summarize({ fsync, opts, t0, work: r.work, written, writer, restarted, proxy, deliveries, acceptedS3, acceptedBus, drained });
  });
}

interface RunState {
  fsync: Fsync; opts: Options; t0: number; work: string; written: WriteResult; writer: Writer; restarted: Restart[];
  proxy: RecordingProxy; deliveries: Deliveries; acceptedS3: Set<string>; acceptedBus: Set<string>; drained: DrainResult;
}

function summarize({ fsync, opts, t0, work, written, writer, restarted, proxy, deliveries, acceptedS3, acceptedBus, drained }: RunState) {
  const posted = [...proxy.outcomes.keys()];
  const never = (o: string) => posted.filter((id) => !acceptedS3.has(id) && proxy.outcomes.get(id)!.includes(o as never)).length;
  return {
    mode: `appendfsync ${fsync}`,
    objects: opts.n,
    written: {
      operations: written.ops, failedOperations: written.failedOps, failures: writer.failures,
      puts: written.puts, overwrites: written.overwrites, deletes: written.deletes, events: writer.expected.size,
    },
    webhook: {
      posts: proxy.posts, otherPosts: proxy.otherPosts, events: posted.length,
      accepted: acceptedS3.size,
      // no post of the event got a 2xx: nothing listened (klambda down), or the connection broke or timed out
      refused: never('refused'), failed: never('failed'), failures: Object.fromEntries(proxy.failures),
      postedMoreThanOnce: posted.filter((id) => proxy.outcomes.get(id)!.length > 1).length,
      writtenNotPosted: [...writer.expected].filter((id) => !proxy.outcomes.has(id)).length,
    },
    s3Events: verdict(acceptedS3, deliveries.s3, { path: 's3', acceptedAt: proxy.acceptedAt, firstSeen: deliveries.firstSeen }),
    eventBridge: verdict(acceptedBus, deliveries.bus, { path: 'eb', acceptedAt: proxy.acceptedAt, firstSeen: deliveries.firstSeen }),
    recordLines: deliveries.lines,
    malformedLines: deliveries.malformed,
    restarts: restarted.map(({ downAt, upAt, ...r }, i) => {
      const end = Math.min(upAt + 1000, restarted[i + 1]?.downAt ?? Infinity);
      const during = proxy.notAccepted.filter((p) => p.at >= downAt && p.at < end);
      return { ...r, posts: { refused: during.filter((p) => p.outcome === 'refused').length, failed: during.filter((p) => p.outcome === 'failed').length } };
    }),
    drainEnded: drained.ended,
    klambdaLog: logCounts(work, { notStored: /S3 object events not accepted/g }),
    writeSeconds: written.seconds,
    drainSeconds: drained.seconds,
    elapsedSeconds: (Date.now() - t0) / 1000,
    rate: opts.rate,
  };
}

async function main(): Promise<number> {
  const opts = options();
  const results = await eachMode('object-events-loss', opts.modes, (mode, cleanups) => runMode(mode, opts, cleanups));
  printReport('object-events-loss', opts.root, { selfCheck: opts.selfCheck }, results);
  const lost = (r: (typeof results)[number]) => 's3Events' in r && (r.s3Events.lost > 0 || r.eventBridge.lost > 0);
  return results.some((r) => 'error' in r) ? 2 : results.some(lost) ? 1 : 0;
}

exitWith('object-events-loss', main);
