// upload: the pipeline's front door, behind a Function URL. POST a video: it is stored as uploads/<id>.mp4 and the
// answer comes at once (202); the bucket's object event starts transcode. GET /videos/<id>: what exists so far.
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, RENDITIONS, failedKey, s3, uploadKey } from './shared.mjs';

let bucketMade = false;

const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function ensureBucket() {
  if (bucketMade) return;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (err) {
    if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
  }
  bucketMade = true;
}

async function list(prefix) {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => ({ key: o.Key, size: o.Size }));
}

async function failure(id) {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: failedKey(id) }));
    return JSON.parse(await out.Body.transformToString()).reason;
  } catch (err) {
    if (err.name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function status(id) {
  const renditions = await list(`renditions/${id}/`);
  const notifications = (await list(`notifications/${id}/`)).map((o) => o.key.slice(`notifications/${id}/`.length, -'.json'.length));
  const failed = await failure(id);
  const done = failed !== undefined || (renditions.length === RENDITIONS.length && notifications.length === 2 * RENDITIONS.length);
  return json(200, { id, done, renditions, notifications: notifications.sort(), ...(failed !== undefined ? { failed } : {}) });
}

export const handler = async (event, context) => {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const asked = /^\/videos\/([0-9a-f-]{36})$/.exec(path);
  const upload = method === 'POST' && path === '/';
  if (!upload && !(method === 'GET' && asked)) return json(404, { message: 'POST / with a video, or GET /videos/<id>' });
  await ensureBucket();
  if (!upload) return status(asked[1]);
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (body.length === 0) return json(400, { message: 'the request has no video in its body' });
  const id = context.awsRequestId;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: uploadKey(id), Body: body, ContentType: event.headers['content-type'] ?? 'video/mp4' }));
  console.log(JSON.stringify({ uploaded: uploadKey(id), bytes: body.length }));
  return json(202, { id, key: uploadKey(id), status: `/videos/${id}` });
};
