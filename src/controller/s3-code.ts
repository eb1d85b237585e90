// A Function's `code.s3` on a cluster: the package it names, kept in the code store by content so every version runs
// exactly the bytes it was made from. A tenant reaches only its own packages and buckets its own access key can read.
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Code } from '../api/function.js';
import { InvalidParameterError, ResourceNotFoundError } from '../api/errors.js';
import { isMissingObject, packageKeyDigest, s3Client, type CodeStore, type StoredPackage } from '../code/code-store.js';
import { MAX_UNZIPPED_BYTES } from '../code/package-limits.js';
import { digestingStream } from '../code/package-digest.js';
import type { KubeClient } from '../kube/client.js';

/** The Secret in a function's namespace whose access key reads that namespace's own buckets in the store. */
export const S3_ACCESS_SECRET = 'klambda-s3';

interface SecretObject { data?: Record<string, string> }

const MAX_CACHED = 1000;

export class S3CodeResolver {
  /** namespace|bucket|key|version|etag → the package it was copied to. */
  private readonly copied = new Map<string, StoredPackage>();

  constructor(private readonly client: KubeClient, private readonly store: CodeStore | undefined) {}

  async resolve(namespace: string, s3: S3Code): Promise<StoredPackage> {
    const store = this.store;
    const where = `s3://${s3.bucket}/${s3.key}`;
    if (!store) {
      throw new InvalidParameterError(`spec.code.s3 (${where}) needs klambda's code store, and none is configured (the chart's codeStore values; --code-store-url)`);
    }
    if (s3.bucket === store.bucket) {
      // the store's own bucket: only this namespace's packages, whose key is their digest
      const sha256 = packageKeyDigest(namespace, s3.key);
      if (sha256 === undefined) {
        throw new InvalidParameterError(`spec.code.s3: in the code store's bucket ${store.bucket} a function may name only its namespace's packages (packages/${namespace}/<sha256 hex>.zip), not ${s3.key}`);
      }
      const size = await store.size(s3.key);
      if (size === undefined) throw new ResourceNotFoundError(`Code not found: ${where}`);
      return { sha256, size, bucket: store.bucket, key: s3.key };
    }
    return this.copyIn(store, namespace, s3);
  }

  /** A bucket of the namespace's own: read with its access key (Secret klambda-s3), copied into the store once per object version. */
  private async copyIn(store: CodeStore, namespace: string, s3: S3Code): Promise<StoredPackage> {
    const where = `s3://${s3.bucket}/${s3.key}`;
    const secret = await this.client.find<SecretObject>(`/api/v1/namespaces/${namespace}/secrets/${S3_ACCESS_SECRET}`);
    const key = (k: string) => (secret?.data?.[k] ? Buffer.from(secret.data[k]!, 'base64').toString('utf8') : undefined);
    const accessKeyId = key('accessKeyId');
    const secretAccessKey = key('secretAccessKey');
    if (!accessKeyId || !secretAccessKey) {
      throw new InvalidParameterError(`spec.code.s3 (${where}): reading bucket ${s3.bucket} needs a Secret ${S3_ACCESS_SECRET} in namespace ${namespace} with accessKeyId and secretAccessKey of an access key that can read it`);
    }
    const reader = s3Client(store.config.endpoint, store.config.region, { accessKeyId, secretAccessKey });
    try {
      const target = { Bucket: s3.bucket, Key: s3.key, ...(s3.objectVersion ? { VersionId: s3.objectVersion } : {}) };
      let head;
      try {
        head = await reader.send(new HeadObjectCommand(target));
      } catch (e) {
        if (isMissingObject(e)) throw new ResourceNotFoundError(`Code not found: ${where}`);
        throw new InvalidParameterError(`spec.code.s3 (${where}) cannot be read with the access key of Secret ${S3_ACCESS_SECRET}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if ((head.ContentLength ?? 0) > MAX_UNZIPPED_BYTES) {
        throw new InvalidParameterError(`spec.code.s3 (${where}) is ${head.ContentLength} bytes; a package must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
      }
      const cacheKey = [namespace, s3.bucket, s3.key, head.VersionId ?? '', head.ETag ?? ''].join('|');
      const known = this.copied.get(cacheKey);
      if (known && (await store.size(known.key)) === known.size) return known;
      const body = (await reader.send(new GetObjectCommand(target))).Body as Readable;
      const stored = await copyThroughFile(store, namespace, body);
      if (this.copied.size >= MAX_CACHED) this.copied.delete(this.copied.keys().next().value!);
      this.copied.set(cacheKey, stored);
      return stored;
    } finally {
      reader.destroy();
    }
  }
}

/** The object's bytes into a temporary file (hashed on the way, bounded), then into the store under their digest. */
async function copyThroughFile(store: CodeStore, namespace: string, body: Readable): Promise<StoredPackage> {
  const dir = await mkdtemp(join(tmpdir(), 'klambda-s3-'));
  const file = join(dir, 'package.zip');
  try {
    const count = digestingStream(MAX_UNZIPPED_BYTES, () => new InvalidParameterError(`A package must be smaller than ${MAX_UNZIPPED_BYTES} bytes`));
    await pipeline(body, count.stream, createWriteStream(file));
    return await store.putPackageStream(namespace, count.digest(), () => createReadStream(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
