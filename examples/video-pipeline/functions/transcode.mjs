// transcode: called (asynchronously, from its own queue) with the S3 event of each new upload; makes the 1080p, 720p
// and 480p renditions with ffmpeg in one pass, writes them back, and publishes one message per rendition to the topic.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RENDITIONS, decodeKey, failedKey, renditionKey, s3, sns, topicArn } from './shared.mjs';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG ?? 'ffmpeg';

/** One decode, one scaled H.264 encode per rendition (audio, if any, as AAC). */
export function ffmpegArgs(input, outputs) {
  const split = `[0:v]split=${outputs.length}${outputs.map((_, i) => `[v${i}]`).join('')}`;
  const scales = outputs.map((o, i) => `[v${i}]scale=${o.width}:${o.height}[s${i}]`);
  return [
    '-v', 'error', '-y', '-i', input, '-filter_complex', [split, ...scales].join(';'),
    ...outputs.flatMap((o, i) => [
      '-map', `[s${i}]`, '-map', '0:a?', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-pix_fmt', 'yuv420p',
      '-threads', '2', '-c:a', 'aac', '-movflags', '+faststart', o.file,
    ]),
  ];
}

async function transcode(bucket, key, context) {
  const id = /^uploads\/([^/]+)\.mp4$/.exec(key)?.[1];
  if (!id) { console.log(JSON.stringify({ skipped: key })); return []; }
  const dir = await mkdtemp(join(tmpdir(), 'transcode-'));
  try {
    const input = join(dir, 'input.mp4');
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await writeFile(input, await object.Body.transformToByteArray());
    const outputs = RENDITIONS.map((r) => ({ ...r, file: join(dir, `${r.name}.mp4`) }));
    try {
      await run(FFMPEG, ffmpegArgs(input, outputs), { maxBuffer: 4 * 1024 * 1024 });
    } catch (err) {
      // an upload ffmpeg cannot read fails the same way on a retry: say so in the bucket instead of throwing
      if (typeof err.code !== 'number') throw err;
      const reason = String(err.stderr).trim().split('\n').slice(-3).join('\n');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: failedKey(id), Body: JSON.stringify({ id, key, reason }), ContentType: 'application/json' }));
      console.log(JSON.stringify({ failed: key, reason }));
      return [];
    }
    const made = [];
    for (const o of outputs) {
      const body = await readFile(o.file);
      const rendition = { id, rendition: o.name, width: o.width, height: o.height, bucket, key: renditionKey(id, o.name), size: body.length };
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: rendition.key, Body: body, ContentType: 'video/mp4' }));
      await sns.send(new PublishCommand({
        TopicArn: topicArn(context), Subject: `${o.name} ready`, Message: JSON.stringify(rendition),
        MessageAttributes: { rendition: { DataType: 'String', StringValue: o.name } },
      }));
      console.log(JSON.stringify({ rendition: rendition.key, bytes: body.length }));
      made.push(rendition);
    }
    return made;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const handler = async (event, context) => {
  const made = [];
  for (const record of event.Records ?? []) {
    made.push(...await transcode(record.s3.bucket.name, decodeKey(record.s3.object.key), context));
  }
  return { renditions: made.map((r) => r.key) };
};
