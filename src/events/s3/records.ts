// S3 event notifications as S3-compatible servers post them by webhook (pure): the `{"Records": [...]}` body that
// versitygw, MinIO and Ceph RGW send, read into klambda's ObjectRecord, checked, with a stable id per record.
import { createHash } from 'node:crypto';
import { isRecord } from '../../api/function.js';

/** One object event, as klambda keeps it in the inbox: the sender's record, normalized to what S3 itself sends. */
export interface ObjectRecord {
  /** Derived from the record's content: a webhook posted again carries the same id (and makes the same deliveries). */
  id: string;
  /** S3's event name without `s3:`: `ObjectCreated:Put`, `ObjectRemoved:Delete`… */
  eventName: string;
  /** What the sender named it, when it differs (versitygw's `s3:ObjectRemoved:DeleteObjects`): EventBridge's `reason`. */
  senderEventName?: string;
  eventTime: string;
  awsRegion?: string;
  bucket: string;
  bucketOwner: string;
  /** The key as it is (not URL-encoded). */
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer: string;
  principalId: string;
  sourceIp: string;
  requestId: string;
  hostId: string;
}

export type WebhookBody =
  | { kind: 'records'; records: ObjectRecord[] }
  /** S3's (and versitygw's start-up) `s3:TestEvent`: answered, nothing to deliver. */
  | { kind: 'test' }
  | { kind: 'invalid'; message: string };

/** Records one post may carry (senders post one each; MinIO and Ceph may batch a few). */
export const MAX_RECORDS = 100;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A key as S3-style senders write it (URL-encoded, `+` for a space) read back; one that is not valid encoding is kept as sent. */
export function decodeKey(sent: string): string {
  try { return decodeURIComponent(sent.replace(/\+/g, ' ')); } catch { return sent; }
}

/** The event name without `s3:`, and versitygw's own `ObjectRemoved:DeleteObjects` as S3 names each of its keys' events. */
export function normalEventName(sent: string): string {
  const name = sent.replace(/^s3:/, '');
  return name === 'ObjectRemoved:DeleteObjects' ? 'ObjectRemoved:Delete' : name;
}

const unquote = (etag: string | undefined) => (etag === undefined || etag === '' ? undefined : etag.replace(/^"(.*)"$/, '$1'));

/**
 * How a sender writes keys: `url` as S3, MinIO and Ceph RGW do (URL-encoded, `+` for a space), `raw` as versitygw
 * does (the key as it is).
 */
export type KeyEncoding = 'url' | 'raw';

/**
 * versitygw's records (s3event/event.go) spell `PrincipalId` with a capital P and name their configuration
 * `webhook-global` (`kafka-global`…); S3, MinIO and Ceph write `principalId` and their own ids.
 */
function looksLikeVersitygw(r: Record<string, unknown>, s3: Record<string, unknown>): boolean {
  return (isRecord(r.userIdentity) && 'PrincipalId' in r.userIdentity) || (typeof s3.configurationId === 'string' && /^[a-z]+-global$/.test(s3.configurationId));
}

/** One record of the body, or why it is refused. `keys`: how its key is written (default: versitygw's raw, else URL-encoded). */
export function readRecord(r: unknown, i: number, keys?: KeyEncoding): ObjectRecord | string {
  const at = `Records[${i}]`;
  if (!isRecord(r)) return `${at} must be an object`;
  const source = str(r.eventSource);
  // aws:s3, minio:s3, ceph:s3
  if (source === undefined || !/^[a-z0-9-]+:s3$/.test(source)) return `${at}.eventSource must be an S3 event source (aws:s3), got ${JSON.stringify(r.eventSource)}`;
  const sentName = str(r.eventName);
  if (sentName === undefined || !/^(s3:)?Object[A-Za-z]+:[A-Za-z*]+$/.test(sentName)) return `${at}.eventName must be an S3 object event name (s3:ObjectCreated:Put), got ${JSON.stringify(r.eventName)}`;
  const s3 = r.s3;
  if (!isRecord(s3) || !isRecord(s3.bucket) || !isRecord(s3.object)) return `${at}.s3 must hold bucket and object`;
  const bucket = str(s3.bucket.name);
  if (!bucket) return `${at}.s3.bucket.name must be a bucket name`;
  const sentKey = str(s3.object.key);
  if (!sentKey) return `${at}.s3.object.key must be an object key`;
  const size = s3.object.size;
  if (size !== undefined && size !== null && (typeof size !== 'number' || !Number.isInteger(size) || size < 0)) return `${at}.s3.object.size must be a whole number`;
  const eventTime = str(r.eventTime) ?? '';
  if (Number.isNaN(Date.parse(eventTime))) return `${at}.eventTime must be a time, got ${JSON.stringify(r.eventTime)}`;
  const owner = isRecord(s3.bucket.ownerIdentity) ? s3.bucket.ownerIdentity : {};
  const user = isRecord(r.userIdentity) ? r.userIdentity : {};
  const params = isRecord(r.requestParameters) ? r.requestParameters : {};
  const response = isRecord(r.responseElements) ? r.responseElements : {};
  const eventName = normalEventName(sentName);
  const rec: Omit<ObjectRecord, 'id'> = {
    eventName,
    ...(sentName.replace(/^s3:/, '') !== eventName ? { senderEventName: sentName.replace(/^s3:/, '') } : {}),
    eventTime: new Date(Date.parse(eventTime)).toISOString(),
    ...(str(r.awsRegion) ? { awsRegion: str(r.awsRegion)! } : {}),
    bucket,
    // versitygw and MinIO spell it PrincipalId / principalId
    bucketOwner: str(owner.principalId) ?? str(owner.PrincipalId) ?? '',
    key: (keys ?? (looksLikeVersitygw(r, s3) ? 'raw' : 'url')) === 'raw' ? sentKey : decodeKey(sentKey),
    ...(typeof size === 'number' ? { size } : {}),
    ...(unquote(str(s3.object.eTag)) ? { eTag: unquote(str(s3.object.eTag))! } : {}),
    ...(str(s3.object.versionId) ? { versionId: str(s3.object.versionId)! } : {}),
    sequencer: str(s3.object.sequencer) ?? '',
    principalId: str(user.principalId) ?? str(user.PrincipalId) ?? '',
    sourceIp: str(params.sourceIPAddress) ?? '',
    requestId: str(response['x-amz-request-id']) ?? '',
    hostId: str(response['x-amz-id-2']) ?? '',
  };
  return { id: recordId(rec), ...rec };
}

/** The id of a record: a hash of what it says (the same post twice, the same id; two events, two ids). */
export function recordId(rec: Omit<ObjectRecord, 'id'>): string {
  const canonical = JSON.stringify(Object.keys(rec).sort().map((k) => [k, rec[k as keyof typeof rec]]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** The body of one webhook post: its records, S3's test event, or why it is refused (nothing of it is accepted then). */
export function readWebhookBody(text: string, keys?: KeyEncoding): WebhookBody {
  let body: unknown;
  try { body = JSON.parse(text); } catch { return { kind: 'invalid', message: 'The body must be JSON: S3 event notification records ({"Records": [...]})' }; }
  if (!isRecord(body)) return { kind: 'invalid', message: 'The body must be a JSON object with Records' };
  if (body.Event === 's3:TestEvent') return { kind: 'test' };
  if (!Array.isArray(body.Records)) return { kind: 'invalid', message: 'The body must have Records: a list of S3 event notification records' };
  if (body.Records.length > MAX_RECORDS) return { kind: 'invalid', message: `At most ${MAX_RECORDS} records a post, got ${body.Records.length}` };
  const records: ObjectRecord[] = [];
  for (const [i, r] of body.Records.entries()) {
    const read = readRecord(r, i, keys);
    if (typeof read === 'string') return { kind: 'invalid', message: read };
    records.push(read);
  }
  return { kind: 'records', records };
}
