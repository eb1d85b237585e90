// Checks a zip sent in a request the way it will be unpacked (hostile input, Lambda's limits) before it is kept
// anywhere: a broken or hostile zip is refused with nothing stored. Unpacks into a temporary folder, then removes it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackZip, type UnpackResult } from './zip-extract.js';
import type { UnpackLimits } from './package-limits.js';

export async function checkZip(zip: Buffer, limits: UnpackLimits = {}): Promise<UnpackResult> {
  const dir = await mkdtemp(join(tmpdir(), 'klambda-zip-'));
  try {
    await writeFile(join(dir, 'package.zip'), zip, { mode: 0o600 });
    return await unpackZip(join(dir, 'package.zip'), join(dir, 'files'), limits);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
