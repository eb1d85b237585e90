// e2e helper for examples/video-pipeline: a working copy of the example (its functions' pinned dependencies
// installed with `npm ci`), a test clip made by the example's own script, and ffprobe's reading of a rendition.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/core/package-root.js';

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
