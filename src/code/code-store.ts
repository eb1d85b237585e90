// The cluster's code store: an S3-compatible bucket (versitygw from the chart, or the user's own S3 / Ceph RGW) that
// holds each namespace's zip packages by content, `packages/<namespace>/<hex sha256>.zip`.
import {
  BucketAlreadyOwnedByYou, CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, HeadObjectCommand, NoSuchBucket, NoSuchKey, NotFound,
  PutObjectCommand, S3Client, S3ServiceException, type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { bufferDigest, type PackageDigest } from './package-digest.js';

export interface StoreCredentials { accessKeyId: string; secretAccessKey: string }

export interface CodeStoreConfig {
  /** http(s)://host:port of the S3 API. */
  endpoint: string;
  region: string;
  bucket: string;
  credentials: StoreCredentials;
  /** The S3 API as function pods reach it, for their presigned URLs (default: endpoint). */
  agentEndpoint?: string;
  /** A read-only key that signs the agents' presigned URLs (default: the writer's); the bucket's policy lets it read packages. */
  reader?: StoreCredentials;
}

/** SigV4's longest presigned URL: 7 days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** Where a package is kept: the store's bucket and the key under it. */
export interface StoredPackage extends PackageDigest {
  bucket: string;
  key: string;
}

const PACKAGES = 'packages/';
/** User metadata (x-amz-meta-sha256) holding the base64 digest of the bytes klambda put: a same-sized object of other bytes is rewritten. */
const SHA256_META = 'sha256';

/** The key of a namespace's package with this digest (hex: a key is case-sensitive, base64 has "/" and "+"). */
export const packageKey = (namespace: string, sha256: string): string =>
  `${PACKAGES}${namespace}/${Buffer.from(sha256, 'base64').toString('hex')}.zip`;

/** The digest a package key names, when `key` is one of `namespace`'s package keys; undefined otherwise. */
export function packageKeyDigest(namespace: string, key: string): string | undefined {
  const m = /^packages\/([^/]+)\/([0-9a-f]{64})\.zip$/.exec(key);
  if (!m || m[1] !== namespace) return undefined;
  return Buffer.from(m[2]!, 'hex').toString('base64');
}

/** True when `key` lies under the store's packages (of any namespace). */
export const isPackageKey = (key: string): boolean => key.startsWith(PACKAGES);

export function s3Client(endpoint: string, region: string, credentials: StoreCredentials): S3Client {
  return new S3Client({ endpoint, region, credentials, forcePathStyle: true, maxAttempts: 3 });
}

/** S3's "no such object" (GetObject's NoSuchKey, HeadObject's 404 NotFound). */
export function isMissingObject(e: unknown): boolean {
  if (e instanceof NoSuchKey || e instanceof NotFound) return true;
  return e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404;
}

export class CodeStore {
  readonly client: S3Client;
  /** Signs URLs for the endpoint pods reach (signing needs no network). */
  private readonly presigner: S3Client;

  constructor(readonly config: CodeStoreConfig) {
    this.client = s3Client(config.endpoint, config.region, config.credentials);
    this.presigner = (config.agentEndpoint && config.agentEndpoint !== config.endpoint) || config.reader
      ? s3Client(config.agentEndpoint ?? config.endpoint, config.region, config.reader ?? config.credentials) : this.client;
  }

  /**
   * A URL that reads the one object at `key` until it expires: an agent's credential for its version's package,
   * good for that package only and for nothing else in the store.
   */
  presignRead(key: string, expiresInSeconds = MAX_PRESIGN_SECONDS): Promise<string> {
    return getSignedUrl(this.presigner, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }

  get bucket(): string { return this.config.bucket; }

  /** Size of the object at `key` of the store's bucket; undefined when there is none. */
  async size(key: string): Promise<number | undefined> {
    return (await this.head(key))?.size;
  }

  /** Size and the digest klambda wrote with the object (undefined: written by someone else); undefined when none. */
  private async head(key: string): Promise<{ size: number; sha256: string | undefined } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, sha256: head.Metadata?.[SHA256_META] };
    } catch (e) {
      if (isMissingObject(e)) return undefined;
      throw e;
    }
  }

  /** Whether the package at `key` is already these bytes (as klambda wrote them): else it is written (again). */
  private async holds(key: string, digest: PackageDigest): Promise<boolean> {
    const found = await this.head(key);
    return found !== undefined && found.size === digest.size && found.sha256 === digest.sha256;
  }

  /** Keeps `zip` as a package of `namespace` (once per content) and says where. */
  async putPackage(namespace: string, zip: Buffer): Promise<StoredPackage> {
    const digest = bufferDigest(zip);
    const key = packageKey(namespace, digest.sha256);
    if (!(await this.holds(key, digest))) {
      await this.put({ Bucket: this.bucket, Key: key, Body: zip, ContentType: 'application/zip', ContentLength: zip.length, Metadata: { [SHA256_META]: digest.sha256 } });
    }
    return { ...digest, bucket: this.bucket, key };
  }

  /** Keeps a package whose bytes come as a stream (of `size` bytes, digest known), e.g. copied from another bucket. */
  async putPackageStream(namespace: string, digest: PackageDigest, body: () => Readable | Buffer): Promise<StoredPackage> {
    const key = packageKey(namespace, digest.sha256);
    if (!(await this.holds(key, digest))) {
      await this.put({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/zip', ContentLength: digest.size, Metadata: { [SHA256_META]: digest.sha256 } });
    }
    return { ...digest, bucket: this.bucket, key };
  }

  /** PutObject; a store whose bucket is not there yet (a fresh versitygw) gets it made, once. */
  private async put(input: Omit<PutObjectCommandInput, 'Body'> & { Body: Buffer | (() => Readable | Buffer) }): Promise<void> {
    const send = () => this.client.send(new PutObjectCommand({ ...input, Body: typeof input.Body === 'function' ? input.Body() : input.Body }));
    try {
      await send();
    } catch (e) {
      if (!(e instanceof NoSuchBucket) && !(e instanceof S3ServiceException && e.name === 'NoSuchBucket')) throw e;
      await this.ensureBucket();
      await send();
    }
  }

  /**
   * Lets `principal` (the reader: an access key id on versitygw, an IAM ARN on AWS) read the packages and nothing else:
   * the bucket's policy, replaced whole.
   */
  async allowReader(principal: string): Promise<void> {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'KlambdaAgentsReadPackages', Effect: 'Allow', Principal: { AWS: [principal] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${this.bucket}/${PACKAGES}*`] }],
    };
    await this.client.send(new PutBucketPolicyCommand({ Bucket: this.bucket, Policy: JSON.stringify(policy) }));
  }

  /** Makes the bucket unless it is there. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      if (e instanceof BucketAlreadyOwnedByYou || (e instanceof S3ServiceException && ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(e.name))) return;
      throw e;
    }
  }

  /** The bytes of the object at `key` of the store's bucket. */
  async read(key: string): Promise<Readable> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return out.Body as Readable;
  }

  destroy(): void {
    this.client.destroy();
    if (this.presigner !== this.client) this.presigner.destroy();
  }
}
