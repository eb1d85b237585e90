// The local mode's S3 event webhook token: --s3-events-token, else the one kept in the folder's .klambda/ (made once,
// random), so a versitygw given the webhook URL keeps working across restarts of klambda dev.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Letters, digits, `-` and `_`: a token that needs no escaping in a URL. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export const tokenFile = (dir: string) => join(dir, '.klambda', 's3-events-token');

export function localS3EventsToken(dir: string, given?: string): string {
  if (given !== undefined) {
    if (!TOKEN_PATTERN.test(given)) throw new Error('--s3-events-token must be 16 to 128 letters, digits, - and _');
    return given;
  }
  const file = tokenFile(dir);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (TOKEN_PATTERN.test(kept)) return kept;
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
