// notify: told of each rendition twice — by the topic transcode publishes to, and by the EventRule on the bucket's
// `Object Created` events under renditions/ — and records each under notifications/<id>/ (`sns-720p`, `rule-720p`).
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, notificationKey, s3 } from './shared.mjs';

/** What one event tells: which video, which rendition, and which path it came by. */
function notifications(event) {
  if (event.source === 'aws.s3') {
    const { bucket, object } = event.detail;
    const m = /^renditions\/([^/]+)\/([^/]+)\.mp4$/.exec(object.key);
    return m ? [{ via: 'rule', id: m[1], rendition: m[2], bucket: bucket.name, key: object.key, size: object.size }] : [];
  }
  return (event.Records ?? []).filter((r) => r.Sns).map((r) => ({ via: 'sns', ...JSON.parse(r.Sns.Message) }));
}

export const handler = async (event) => {
  const seen = notifications(event);
  for (const n of seen) {
    console.log(`notify: ${n.rendition} of ${n.id} is ready (by ${n.via}, ${n.size} bytes, s3://${n.bucket}/${n.key})`);
    await s3.send(new PutObjectCommand({
      Bucket: n.bucket ?? BUCKET, Key: notificationKey(n.id, n.via, n.rendition), Body: JSON.stringify(n), ContentType: 'application/json',
    }));
  }
  return { seen: seen.length };
};
