// The code store's security model on a real versitygw: root (the writer) owns the bucket; the reader, an account of
// the internal IAM, reads it only through the bucket policy, and can do nothing else.
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, PutBucketPolicyCommand,
  PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3Client, startVersityGw, type S3Credentials, type VersityGw } from '../helpers/versitygw.js';

const BUCKET = 'klambda-code';
const KEY = 'functions/hello/1/code.zip';
const ZIP = Buffer.from('PK\u0005\u0006'.padEnd(22, '\0'), 'binary'); // an empty zip

/** The bucket policy the chart's docs give for the reader (docs/code-store.md). */
const readerPolicy = (bucket: string, readerAccessKeyId: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: [readerAccessKeyId] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }],
});

/** The S3 error code a call is refused with, or 'ok'. */
const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (err: unknown) => {
  if (err instanceof S3ServiceException) return err.name;
  throw err;
});

describe('versitygw as the code store', () => {
  let gw: VersityGw;
  let root: S3Client;
  let reader: S3Client;
  let readerCreds: S3Credentials;

  beforeAll(async () => {
    gw = await startVersityGw();
    root = s3Client(gw, gw.root);
    readerCreds = await gw.createUser();
    reader = s3Client(gw, readerCreds);
    await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await root.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: ZIP }));
    await root.send(new CreateBucketCommand({ Bucket: 'klambda-other' }));
    await root.send(new PutObjectCommand({ Bucket: 'klambda-other', Key: KEY, Body: ZIP }));
  }, 120_000);

  afterAll(async () => {
    root?.destroy();
    reader?.destroy();
    await gw?.stop();
  });

  it('refuses the reader the object until the bucket policy grants it reads', async () => {
    expect(await outcome(reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY })))).toBe('AccessDenied');
  });

  describe('with the reader granted s3:GetObject by the bucket policy', () => {
    beforeAll(async () => {
      await root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: readerPolicy(BUCKET, readerCreds.accessKeyId) }));
    });

    it('lets the reader get and head the object, byte for byte', async () => {
      const got = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(ZIP);
      const head = await reader.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }));
      expect(head.ContentLength).toBe(ZIP.length);
    });

    it('refuses the reader PutObject and DeleteObject on the bucket, and the object stays', async () => {
      expect(await outcome(reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'overwritten' })))).toBe('AccessDenied');
      expect(await outcome(reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'new.zip', Body: ZIP })))).toBe('AccessDenied');
      expect(await outcome(reader.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY })))).toBe('AccessDenied');
      const got = await root.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(ZIP);
    });

    it('refuses the reader objects of another bucket and bucket creation', async () => {
      expect(await outcome(reader.send(new GetObjectCommand({ Bucket: 'klambda-other', Key: KEY })))).toBe('AccessDenied');
      expect(await outcome(reader.send(new CreateBucketCommand({ Bucket: 'klambda-reader' })))).toBe('AccessDenied');
    });

    it('shows the reader none of root\'s buckets, and root all of them', async () => {
      expect((await reader.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
      expect(((await root.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).sort()).toEqual(['klambda-code', 'klambda-other']);
    });

    it('refuses a reader whose secret is wrong', async () => {
      const impostor = s3Client(gw, { accessKeyId: readerCreds.accessKeyId, secretAccessKey: 'x'.repeat(40) });
      try {
        expect(await outcome(impostor.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY })))).toBe('SignatureDoesNotMatch');
      } finally {
        impostor.destroy();
      }
    });
  });

  it('refuses a bucket policy naming an account that does not exist', async () => {
    expect(await outcome(root.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: readerPolicy(BUCKET, 'NOSUCHACCOUNT0000000') })))).toBe('MalformedPolicy');
  });
});

describe('versitygw on a kept folder', () => {
  it('keeps buckets, objects and the accounts of users.json across a restart with the same root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klambda-versitygw-kept-'));
    try {
      const first = await startVersityGw({ dir });
      const readerCreds = await first.createUser();
      const root1 = s3Client(first, first.root);
      await root1.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await root1.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: ZIP }));
      await root1.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: readerPolicy(BUCKET, readerCreds.accessKeyId) }));
      root1.destroy();
      await first.stop();

      const second = await startVersityGw({ dir, root: first.root });
      const reader = s3Client(second, readerCreds);
      try {
        const got = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
        expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(ZIP);
      } finally {
        reader.destroy();
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
