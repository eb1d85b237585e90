// The events loss test's manifest folder: one function that records every topic message and stream record it gets, a
// Topic `t` with a lambda subscription to it, and (written once the stream has its shards) the stream's mapping.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRecorder } from '../loss/recorder.js';

export const FN = 'rec';
export const TOPIC = 't';
export const STREAM = 's';
export const MAPPING = 's-to-rec';

/**
 * The function appends one line per record, all lines of one invocation in one write (O_APPEND: lines of concurrent
 * runs do not interleave):
 *   t <seq> <MessageId> <requestId>                  for an SNS event (its message is {"seq": n})
 *   s <key> <seq> <sequenceNumber> <requestId>       for each record of a Kinesis batch, in the batch's order
 * `selfCheck`: it leaves out topic seq 7 and stream record pk-00 3, so the verdict must find one of each lost (and
 * pk-00 4 delivered before 3): the test can fail.
 */
export function writeFolder(folder: string, outDir: string, selfCheck = false): void {
  writeRecorder(folder, { name: FN, outDir, env: { DROP: selfCheck ? 't 7,s pk-00 3' : '' }, code: `import { appendFileSync } from 'node:fs';
const drop = new Set((process.env.DROP || '').split(',').filter(Boolean));
export const handler = async (event, context) => {
  const lines = [];
  for (const r of event.Records ?? []) {
    if (r.Sns) {
      lines.push('t ' + JSON.parse(r.Sns.Message).seq + ' ' + r.Sns.MessageId + ' ' + context.awsRequestId);
    } else if (r.kinesis) {
      const d = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8'));
      lines.push('s ' + d.key + ' ' + d.seq + ' ' + r.kinesis.sequenceNumber + ' ' + context.awsRequestId);
    }
  }
  const kept = lines.filter((l) => !drop.has(l.split(' ').slice(0, l[0] === 't' ? 2 : 3).join(' ')));
  if (kept.length > 0) appendFileSync(process.env.OUT_DIR + '/rec.log', kept.join('\\n') + '\\n');
  return 'ok';
};
` });
  writeFileSync(join(folder, `${TOPIC}.yaml`), `apiVersion: klambda.dev/v1alpha1
kind: Topic
metadata: {name: ${TOPIC}}
spec:
  subscriptions:
    - {protocol: lambda, endpoint: ${FN}}
`);
}

/** The stream's mapping: oldest record first, Lambda's defaults otherwise (retried until the records expire). */
export function writeMapping(folder: string, batchSize: number, parallelizationFactor = 1): void {
  writeFileSync(join(folder, `${MAPPING}.yaml`), `apiVersion: klambda.dev/v1alpha1
kind: EventSourceMapping
metadata: {name: ${MAPPING}}
spec:
  source: {stream: ${STREAM}}
  functionName: ${FN}
  batchSize: ${batchSize}
  parallelizationFactor: ${parallelizationFactor}
  startingPosition: TRIM_HORIZON
`);
}
