// What the three handlers share: the S3 and SNS clients (endpoints and keys from the function's environment), the
// bucket layout, and the renditions.
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

// The runtime is nodejs20: the SDK's notice that later versions need Node 22 would open every cold start's log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const BUCKET = process.env.BUCKET ?? 'videos';

/** uploads/<id>.mp4 → renditions/<id>/<name>.mp4; notify keeps what it saw under notifications/<id>/. */
export const uploadKey = (id) => `uploads/${id}.mp4`;
export const renditionKey = (id, name) => `renditions/${id}/${name}.mp4`;
export const notificationKey = (id, via, name) => `notifications/${id}/${via}-${name}.json`;
/** Why transcode could not read an upload (ffmpeg's last lines). */
export const failedKey = (id) => `failed/${id}.json`;

/** The renditions transcode makes: height and width of each (16:9, even widths as H.264 wants). */
export const RENDITIONS = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: '720p', width: 1280, height: 720 },
  { name: '480p', width: 854, height: 480 },
];

/** The S3 server (versitygw in the local mode, the chart's or your own on a cluster); path-style, no bucket DNS. */
export const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  forcePathStyle: true,
  credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? '' },
});

/** klambda's SNS API (`klambda dev`'s port, or the router on a cluster, with an access key of the namespace). */
export const sns = new SNSClient({
  endpoint: process.env.KLAMBDA_ENDPOINT,
  credentials: { accessKeyId: process.env.KLAMBDA_ACCESS_KEY_ID ?? 'local', secretAccessKey: process.env.KLAMBDA_SECRET_ACCESS_KEY ?? 'local' },
});

/** The topic's ARN in this function's region and account (read from the function's own ARN). */
export function topicArn(context, name = process.env.TOPIC ?? 'renditions') {
  const [, , , region, account] = context.invokedFunctionArn.split(':');
  return `arn:aws:sns:${region}:${account}:${name}`;
}

/** S3 writes keys URL-encoded in Lambda's S3 event ('+' for a space). */
export const decodeKey = (key) => decodeURIComponent(key.replace(/\+/g, ' '));
