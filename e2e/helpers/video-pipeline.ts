// e2e helper for examples/video-pipeline: a working copy of the example (its functions' pinned dependencies
// installed with `npm ci`), a test clip made by the example's own script, and ffprobe's reading of a rendition.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/core/package-root.js';
import { waitFor } from '../../test/helpers/wait.js';

const run = promisify(execFile);

export const EXAMPLE_DIR = join(packageRoot(), 'examples', 'video-pipeline');

/** The renditions the example makes, as ffprobe must find them. */
export const RENDITIONS = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: '720p', width: 1280, height: 720 },
  { name: '480p', width: 854, height: 480 },
] as const;

/** The example's folder copied into a new temporary folder (no .klambda, no node_modules), with `npm ci` run in functions/. */
export async function copyExample(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-video-'));
  chmodSync(dir, 0o755);
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !/[/\\](\.klambda|node_modules)$/.test(src) });
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: join(dir, 'functions'), maxBuffer: 16 * 1024 * 1024 });
  return dir;
}

/** Rewrites the demo endpoints and keys of the local manifests (run-local.sh's) to a test's. */
export function pointLocalManifests(dir: string, to: { klambda: string; s3: string; accessKeyId: string; secretAccessKey: string }): void {
  const file = join(dir, 'functions.yaml');
  const text = readFileSync(file, 'utf8')
    .replaceAll('http://127.0.0.1:9000', to.klambda).replaceAll('http://127.0.0.1:7070', to.s3)
    .replaceAll('videodemo-secret', to.secretAccessKey).replaceAll('videodemo', to.accessKeyId);
  writeFileSync(file, text);
}

/** A clip made by the example's make-clip.sh (1920x1080 testsrc). */
export async function makeClip(dir: string, seconds = 2): Promise<Buffer> {
  const out = join(dir, 'clip.mp4');
  await run('bash', [join(EXAMPLE_DIR, 'make-clip.sh'), out, String(seconds)]);
  return readFileSync(out);
}

/** The first video stream's size and the container's duration, as ffprobe reads them from a file. */
export async function probe(file: string): Promise<{ width: number; height: number; codec: string; seconds: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,codec_name:format=duration', '-of', 'json', file]);
  const out = JSON.parse(stdout) as { streams: Array<{ width: number; height: number; codec_name: string }>; format: { duration: string } };
  const s = out.streams[0]!;
  return { width: s.width, height: s.height, codec: s.codec_name, seconds: Number(out.format.duration) };
}

/** What upload's GET /videos/<id> answers. */
export interface PipelineStatus {
  id: string;
  done: boolean;
  renditions: Array<{ key: string; size: number }>;
  notifications: string[];
}

/**
 * Uploads a clip made by make-clip.sh through upload's Function URL (`url`, without a trailing slash) and checks what
 * the pipeline makes of it, reading the bucket through `s3`: the original as sent, three renditions of the right
 * size and codec (ffprobe), and the six notifications (each rendition by the topic and by the rule, with its size).
 * Returns the upload's id.
 */
export async function uploadAndCheck(url: string, s3: S3Client, dir: string, timeoutMs: number): Promise<string> {
  const clip = await makeClip(dir);
  const res = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body: clip });
  expect(res.status).toBe(202);
  const accepted = await res.json() as { id: string; key: string; status: string };
  expect(accepted).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), key: `uploads/${accepted.id}.mp4`, status: `/videos/${accepted.id}` });
  const read = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'videos', Key: key }))).Body!.transformToByteArray());
  // the original is in the bucket as it was sent
  expect((await read(accepted.key)).equals(clip)).toBe(true);

  const status = await waitFor(async () => {
    const now = await (await fetch(`${url}${accepted.status}`)).json() as PipelineStatus;
    return now.done ? now : undefined;
  }, timeoutMs, 'three renditions and six notifications', 250);
  expect(status.renditions.map((r) => r.key).sort()).toEqual(RENDITIONS.map((r) => `renditions/${accepted.id}/${r.name}.mp4`).sort());
  expect(status.notifications).toEqual(RENDITIONS.flatMap((r) => [`rule-${r.name}`, `sns-${r.name}`]).sort());

  for (const r of RENDITIONS) {
    const key = `renditions/${accepted.id}/${r.name}.mp4`;
    const body = await read(key);
    // a 2 s H.264 rendition of testsrc: some KB, less than one raw frame
    expect(body.length).toBeGreaterThan(2_000);
    expect(body.length).toBeLessThan(r.width * r.height);
    const file = join(dir, `${accepted.id}-${r.name}.mp4`);
    writeFileSync(file, body);
    const probed = await probe(file);
    expect(probed).toEqual({ width: r.width, height: r.height, codec: 'h264', seconds: expect.any(Number) });
    expect(probed.seconds).toBeCloseTo(2, 0);
    // both paths told notify of this rendition with its size: the topic by transcode's message, the rule by S3's event
    for (const via of ['sns', 'rule']) {
      const note = JSON.parse((await read(`notifications/${accepted.id}/${via}-${r.name}.json`)).toString('utf8')) as unknown;
      expect(note).toMatchObject({ via, id: accepted.id, rendition: r.name, bucket: 'videos', key, size: body.length });
    }
  }
  return accepted.id;
}
