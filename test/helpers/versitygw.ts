// Test helper: a real versitygw (the S3 gateway the chart runs as the code store), posix backend in a folder, internal IAM.
//
// What versitygw v1.8.0 does, read from its source (auth/iam_internal.go, internal/iamstore, auth/bucket_policy_*.go):
// - `--iam-dir DIR` keeps every account but root in DIR/users.json, plain JSON:
//   {"accessAccounts":{"<access key id>":{"access":"…","secret":"…","role":"user","userID":0,"groupID":0,"projectID":0}}}.
//   It is read again on each lookup of an access key not yet cached (the cache keeps hits only, 120 s), so an account
//   written into the file, before the start or while it runs, exists at once. `versitygw admin create-user` does the
//   same through the admin API (a SigV4-signed PATCH /create-user with the account as XML, root only, on the S3 port
//   unless --admin-port is given). The chart writes the file from its Secret before the gateway starts (an
//   initContainer); createUser below writes it the same way, so the tests check that mechanism.
// - The root account comes from ROOT_ACCESS_KEY_ID / ROOT_SECRET_ACCESS_KEY, is never in users.json, and bypasses
//   every policy; so does role `admin`. A `user` or `userplus` account has no access to a bucket it does not own
//   except what the bucket's policy grants (the internal IAM has no identity policies), and ListBuckets shows it only
//   the buckets it owns (`userplus` may also create buckets).
// - A bucket policy's Principal names a gateway account by its access key id ({"AWS": ["<access key id>"]}, a plain
//   string or "*"); there are no ARNs with the internal IAM. PutBucketPolicy refuses a principal that is not an
//   existing account, so the reader must exist before the policy is put.
// - The posix backend keeps object metadata in extended attributes (it checks for them at start): the folder must be
//   on a filesystem with user xattrs (ext4, xfs, tmpfs on Linux ≥ 6.6).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { packageRoot } from '../../src/core/package-root.js';
import { freePort } from '../../src/local/redis-server.js';
import { waitFor } from './wait.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type VersityGwRole = 'user' | 'userplus';

export interface VersityGw {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  region: 'us-east-1';
  root: S3Credentials;
  /** A new account with random credentials, written into the internal IAM's users.json (as the chart seeds its reader). */
  createUser(role?: VersityGwRole): Promise<S3Credentials>;
  stop(): Promise<void>;
}

export interface VersityGwAccount extends S3Credentials {
  role: VersityGwRole;
}

/** The folder holding `versitygw`: $KLAMBDA_VERSITYGW_BIN, else built once by hack/testbin/build-versitygw.sh. */
export function versityGwBinaries(): string {
  if (process.env.KLAMBDA_VERSITYGW_BIN) return process.env.KLAMBDA_VERSITYGW_BIN;
  const script = join(packageRoot(), 'hack', 'testbin', 'build-versitygw.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`building versitygw failed (bash ${script}, exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

/** The internal IAM's users.json holding these accounts (the chart's Secret renders the same document). */
export function internalIamUsers(accounts: VersityGwAccount[]): string {
  const accessAccounts = Object.fromEntries(accounts.map((a) => [a.accessKeyId, {
    access: a.accessKeyId, secret: a.secretAccessKey, role: a.role, userID: 0, groupID: 0, projectID: 0,
  }]));
  return JSON.stringify({ accessAccounts });
}

/** Random credentials; alphanumeric like the chart's randAlphaNum, so they need no escaping anywhere. */
export function randomCredentials(): S3Credentials {
  const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n).padEnd(n, '0');
  return { accessKeyId: alnum(20), secretAccessKey: alnum(40) };
}

/** An S3 client of this gateway for these credentials (path-style: no bucket names in DNS). */
export function s3Client(gw: Pick<VersityGw, 'endpoint' | 'region'>, credentials: S3Credentials): S3Client {
  return new S3Client({ endpoint: gw.endpoint, region: gw.region, credentials, forcePathStyle: true, maxAttempts: 1 });
}

/**
 * versitygw on a free 127.0.0.1 port: objects in `<dir>/buckets` (posix backend), accounts in `<dir>/iam` (internal
 * IAM), the chart's layout of its PVC. `dir` is kept on stop (a restart on it sees the same buckets and accounts, and
 * an `iam/users.json` written there before the start is used); without it a temporary folder is made and removed.
 * Root credentials are random unless given. Resolves once root's ListBuckets succeeds.
 */
export async function startVersityGw(opts: {
  dir?: string;
  root?: S3Credentials;
  /**
   * `--event-webhook-url`: every bucket's object events are posted there (versitygw posts a test event at start and
   * refuses to start when the URL cannot be reached, so its receiver must be up first). Posted once, never retried.
   */
  eventWebhookUrl?: string;
  /** The port on 127.0.0.1 (default: a free one), for configuration written before the start. */
  port?: number;
} = {}): Promise<VersityGw> {
  const bin = join(versityGwBinaries(), 'versitygw');
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'klambda-versitygw-'));
  const removeDir = () => { if (!opts.dir) rmSync(dir, { recursive: true, force: true }); };
  const iamDir = join(dir, 'iam');
  mkdirSync(join(dir, 'buckets'), { recursive: true });
  mkdirSync(iamDir, { recursive: true });
  const root = opts.root ?? randomCredentials();
  const port = opts.port ?? await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  // Root's credentials in the environment, not on the command line (where `ps` shows them).
  const child: ChildProcess = spawn(bin, [
    '--port', `127.0.0.1:${port}`, '--region', 'us-east-1', '--iam-dir', iamDir, '--quiet',
    ...(opts.eventWebhookUrl ? ['--event-webhook-url', opts.eventWebhookUrl] : []), 'posix', join(dir, 'buckets'),
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROOT_ACCESS_KEY_ID: root.accessKeyId, ROOT_SECRET_ACCESS_KEY: root.secretAccessKey } });
  for (const s of [child.stdout, child.stderr]) s?.on('data', (d: Buffer) => { output.push(d.toString()); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    removeDir();
  };
  const client = s3Client({ endpoint, region: 'us-east-1' }, root);
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`versitygw exited ${child.exitCode}: ${output.join('').slice(-2000)}`);
      return client.send(new ListBucketsCommand({})).then(() => true, () => undefined);
    }, 60_000, 'versitygw to answer S3 requests', 50);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }

  const usersFile = join(iamDir, 'users.json');
  const createUser = async (role: VersityGwRole = 'user'): Promise<S3Credentials> => {
    const creds = randomCredentials();
    const current = existsSync(usersFile) ? JSON.parse(readFileSync(usersFile, 'utf8')) as { accessAccounts?: Record<string, unknown> } : {};
    const added = JSON.parse(internalIamUsers([{ ...creds, role }])) as { accessAccounts: Record<string, unknown> };
    // Written aside and renamed, as versitygw itself stores the file: a concurrent lookup reads the old or the new one.
    const next = join(iamDir, `users.json.${process.pid}.tmp`);
    writeFileSync(next, JSON.stringify({ accessAccounts: { ...current.accessAccounts, ...added.accessAccounts } }), { mode: 0o600 });
    renameSync(next, usersFile);
    return creds;
  };
  return { endpoint, region: 'us-east-1', root, createUser, stop };
}
