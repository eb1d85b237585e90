// What one object event becomes (pure): which BucketNotification configurations it matches (event name, key prefix
// and suffix), the S3 event Lambda hands each function, and the EventBridge event on the default bus.
import { eventParts, type BucketNotification, type FunctionConfiguration } from '../../api/bucket-notification.js';
import type { ArnContext } from '../../core/arn.js';
import { derivedRequestId } from '../../dispatcher/dispatcher.js';
import type { BusEvent } from '../contracts.js';
import type { ObjectRecord } from './records.js';

/** Whether a configuration's event list takes the record's event (`s3:ObjectCreated:*` takes `ObjectCreated:Put`). */
export function takesEvent(events: readonly string[], eventName: string): boolean {
  const got = eventParts(eventName);
  return events.some((e) => {
    const want = eventParts(e);
    return want.family === got.family && (want.type === '*' || want.type === got.type);
  });
}

/** Whether a configuration takes the record: its event, and a key with its prefix and suffix (matched on the key itself). */
export function configurationMatches(c: FunctionConfiguration, r: ObjectRecord): boolean {
  return takesEvent(c.events, r.eventName)
    && (c.filter?.prefix === undefined || r.key.startsWith(c.filter.prefix))
    && (c.filter?.suffix === undefined || r.key.endsWith(c.filter.suffix));
}

/** A key as S3 writes it in event notifications: URL-encoded, a space as `+`. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;

/** Lambda's S3 event for one record and one configuration: `{"Records": [one record]}`, as S3 invokes a function. */
export function lambdaS3Event(r: ObjectRecord, configurationId: string, arn: ArnContext): Record<string, unknown> {
  const object: Record<string, unknown> = { key: encodeKey(r.key) };
  // S3 gives size and eTag for what exists after the event, not for a removal
  if (eventParts(r.eventName).family !== 'ObjectRemoved') {
    if (r.size !== undefined) object.size = r.size;
    if (r.eTag !== undefined) object.eTag = r.eTag;
  }
  if (r.versionId !== undefined) object.versionId = r.versionId;
  object.sequencer = r.sequencer;
  return {
    Records: [{
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: r.awsRegion || arn.region,
      eventTime: r.eventTime,
      eventName: r.eventName,
      userIdentity: { principalId: r.principalId },
      requestParameters: { sourceIPAddress: r.sourceIp },
      responseElements: { 'x-amz-request-id': r.requestId, 'x-amz-id-2': r.hostId },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId,
        bucket: { name: r.bucket, ownerIdentity: { principalId: r.bucketOwner }, arn: bucketArn(r.bucket) },
        object,
      },
    }],
  };
}

/** EventBridge's detail-type of an S3 event name; undefined for an event S3 does not send to EventBridge. */
export function busDetailType(eventName: string): string | undefined {
  const { family, type } = eventParts(eventName);
  switch (family) {
    case 'ObjectCreated': return 'Object Created';
    case 'ObjectRemoved': return 'Object Deleted';
    case 'ObjectTagging': return type === 'Delete' ? 'Object Tags Deleted' : 'Object Tags Added';
    case 'ObjectAcl': return 'Object ACL Updated';
    case 'ObjectRestore': return type === 'Completed' ? 'Object Restore Completed' : type === 'Delete' ? 'Object Restore Expired' : 'Object Restore Initiated';
    default: return undefined;
  }
}

/** EventBridge's `reason` of an Object Created / Object Deleted event: the API call behind it. */
function reasonOf(r: ObjectRecord): string {
  if (r.senderEventName === 'ObjectRemoved:DeleteObjects') return 'DeleteObjects';
  switch (r.eventName) {
    case 'ObjectCreated:Put': return 'PutObject';
    case 'ObjectCreated:Post': return 'POST Object';
    case 'ObjectCreated:Copy': return 'CopyObject';
    case 'ObjectCreated:CompleteMultipartUpload': return 'CompleteMultipartUpload';
    // ObjectRemoved:Delete and :DeleteMarkerCreated
    default: return 'DeleteObject';
  }
}

/** The EventBridge event S3 puts on the default bus for a record (source aws.s3), or undefined for an event it does not send. */
export function s3BusEvent(r: ObjectRecord, arn: ArnContext): BusEvent | undefined {
  const detailType = busDetailType(r.eventName);
  if (!detailType) return undefined;
  const object: Record<string, unknown> = { key: r.key };
  if (r.size !== undefined && detailType !== 'Object Deleted') object.size = r.size;
  if (r.eTag !== undefined && detailType !== 'Object Deleted') object.etag = r.eTag;
  if (r.versionId !== undefined) object['version-id'] = r.versionId;
  object.sequencer = r.sequencer;
  const detail: Record<string, unknown> = {
    version: '0',
    bucket: { name: r.bucket },
    object,
    'request-id': r.requestId,
    requester: r.principalId,
    'source-ip-address': r.sourceIp,
  };
  if (detailType === 'Object Created' || detailType === 'Object Deleted') detail.reason = reasonOf(r);
  if (detailType === 'Object Deleted') detail['deletion-type'] = r.eventName === 'ObjectRemoved:DeleteMarkerCreated' ? 'Delete Marker Created' : 'Permanently Deleted';
  return {
    version: '0',
    id: derivedRequestId(r.id, 'eventbridge'),
    'detail-type': detailType,
    source: 'aws.s3',
    account: arn.accountId,
    // S3's events carry the time to the second
    time: r.eventTime.replace(/\.\d+Z$/, 'Z'),
    region: r.awsRegion || arn.region,
    resources: [bucketArn(r.bucket)],
    detail,
  };
}

/** One function invocation an object event makes. */
export interface ObjectInvocation {
  notification: string;
  configurationId: string;
  functionRef: string;
  payload: string;
  /** Derived from the record and the configuration: a record delivered again invokes with the same request id. */
  id: string;
}

/** The invocations of a record, over the bucket's notifications (each matching configuration once). */
export function objectInvocations(notifications: readonly BucketNotification[], r: ObjectRecord, arn: ArnContext): ObjectInvocation[] {
  return notifications.filter((n) => n.spec.bucket === r.bucket).flatMap((n) => n.spec.functions
    .filter((c) => configurationMatches(c, r))
    .map((c) => ({
      notification: `${n.metadata.namespace}/${n.metadata.name}`,
      configurationId: c.id,
      functionRef: c.function,
      payload: JSON.stringify(lambdaS3Event(r, c.id, arn)),
      id: derivedRequestId(r.id, `${n.metadata.namespace}/${n.metadata.name}\u0000${c.id}`),
    })));
}

/** Whether any of the bucket's notifications sends its events to EventBridge. */
export const toEventBridge = (notifications: readonly BucketNotification[], bucket: string): boolean =>
  notifications.some((n) => n.spec.bucket === bucket && n.spec.eventBridge);
