// The object events loss test's manifest folder: a BucketNotification of bucket `photos` (every ObjectCreated and
// ObjectRemoved event to function `rec`, and every event to EventBridge), an EventRule on aws.s3 `Object Created` to
// function `bus`; both functions append what they get to OUT_DIR/rec.log.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRecorder } from '../loss/recorder.js';

export const BUCKET = 'photos';
export const S3_FN = 'rec';
export const BUS_FN = 'bus';

/**
 * One line per delivery, appended in one write (O_APPEND: lines of concurrent runs do not interleave):
 *   s3 <eventName> <key> <size | -> <requestId>        from Lambda's S3 event (the key decoded as S3 encodes it)
 *   eb <key> <size> <event id> <requestId>              from EventBridge's Object Created
 * `dropKey`: `rec` leaves out that key's events (a self-check: the verdict must find them lost).
 */
export function writeFolder(folder: string, outDir: string, dropKey = ''): void {
  writeRecorder(folder, { name: S3_FN, outDir, env: { DROP_KEY: dropKey }, code: `import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  const lines = [];
  for (const r of event.Records ?? []) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\\+/g, ' '));
    if (key === process.env.DROP_KEY) continue;
    const size = r.eventName.startsWith('ObjectRemoved') ? '-' : r.s3.object.size;
    lines.push(['s3', r.eventName, key, size, context.awsRequestId].join(' '));
  }
  if (lines.length > 0) appendFileSync(process.env.OUT_DIR + '/rec.log', lines.join('\\n') + '\\n');
  return 'ok';
};
` });
  writeRecorder(folder, { name: BUS_FN, outDir, code: `import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  const o = event.detail.object;
  appendFileSync(process.env.OUT_DIR + '/rec.log', ['eb', o.key, o.size, event.id, context.awsRequestId].join(' ') + '\\n');
  return 'ok';
};
` });
  writeFileSync(join(folder, `${BUCKET}.yaml`), `apiVersion: klambda.dev/v1alpha1
kind: BucketNotification
metadata: {name: ${BUCKET}}
spec:
  bucket: ${BUCKET}
  eventBridge: true
  functions:
    - {id: created, function: ${S3_FN}, events: ["s3:ObjectCreated:*"]}
    - {id: removed, function: ${S3_FN}, events: ["s3:ObjectRemoved:*"]}
`);
  writeFileSync(join(folder, 'created-rule.yaml'), `apiVersion: klambda.dev/v1alpha1
kind: EventRule
metadata: {name: created-rule}
spec:
  eventPattern: {source: [aws.s3], detail-type: [Object Created], detail: {bucket: {name: [${BUCKET}]}}}
  targets: [{id: bus, function: ${BUS_FN}}]
`);
}
