// S3 object events, pure parts: the webhook bodies of versitygw, MinIO and Ceph read into records; the BucketNotification
// kind's checks; which configurations a record matches; Lambda's S3 event and EventBridge's event; the fan-out's deliveries.
import { checkObject } from '../../src/api/parse.js';
import type { BucketNotification } from '../../src/api/bucket-notification.js';
import { entryDeliveries, type EventCatalog } from '../../src/events/fanout.js';
import type { BusEvent, RuleView } from '../../src/events/contracts.js';
import { busDetailType, configurationMatches, encodeKey, lambdaS3Event, objectInvocations, s3BusEvent } from '../../src/events/s3/object-events.js';
import { decodeKey, readWebhookBody, type ObjectRecord } from '../../src/events/s3/records.js';
import { sameToken } from '../../src/router/s3-events/routes.js';
import { entryId } from '../../src/events/inbox.js';
import { informerEventCatalog } from '../../src/events/informer-catalog.js';
import { tokenOfSecret } from '../../src/router/s3-events/secret-tokens.js';
import { parseCli, UsageError } from '../../src/cli/args.js';
import { localS3EventsToken, tokenFile } from '../../src/local/s3-events-token.js';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arn = { region: 'eu-west-1', accountId: '123456789012' };

/** A record as versitygw v1.8 posts it (s3event/event.go): `s3:` names, PrincipalId, quoted-less eTag, its odd bucket ARN. */
const versitygwRecord = (over: { eventName?: string; key?: string; size?: number; eTag?: string | null } = {}) => ({
  eventVersion: '2.2', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-12-07T22:10:05Z',
  eventName: over.eventName ?? 's3:ObjectCreated:Put',
  userIdentity: { PrincipalId: 'ROOTKEY' }, requestParameters: { sourceIPAddress: '127.0.0.1' },
  responseElements: { 'x-amz-request-id': '', 'x-amz-id-2': '' },
  s3: {
    s3SchemaVersion: '1.0', configurationId: 'webhook-global',
    bucket: { name: 'photos', ownerIdentity: { PrincipalId: 'ROOTKEY' }, arn: 'arn:aws:s3:::/photos/uploads/a.jpg' },
    object: { key: over.key ?? 'uploads/a.jpg', size: over.size ?? 5, eTag: over.eTag === undefined ? '"5d41402abc4b2a76b9719d911017c592"' : over.eTag, versionId: null, sequencer: '1A' },
  },
  glacierEventData: { restoreEventData: { lifecycleRestorationExpiryTime: '', lifecycleRestoreStorageClass: '' } },
});

function read(body: unknown): ObjectRecord[] {
  const r = readWebhookBody(JSON.stringify(body));
  if (r.kind !== 'records') throw new Error(`not records: ${JSON.stringify(r)}`);
  return r.records;
}

const notification = (spec: Record<string, unknown>, name = 'photos'): BucketNotification => {
  const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'BucketNotification', metadata: { name }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.object as BucketNotification;
};

describe('webhook bodies', () => {
  it('reads versitygw\'s record: the name without s3:, the owner and principal, the eTag unquoted, a time in ISO form', () => {
    const [r] = read({ Records: [versitygwRecord()] });
    expect(r).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/), eventName: 'ObjectCreated:Put', eventTime: '2026-12-07T22:10:05.000Z', awsRegion: 'us-east-1',
      bucket: 'photos', bucketOwner: 'ROOTKEY', key: 'uploads/a.jpg', size: 5, eTag: '5d41402abc4b2a76b9719d911017c592', sequencer: '1A',
      principalId: 'ROOTKEY', sourceIp: '127.0.0.1', requestId: '', hostId: '',
    });
  });

  it('reads MinIO\'s and Ceph\'s shapes (minio:s3 / ceph:s3 sources, principalId, URL-encoded keys)', () => {
    const base = versitygwRecord({ key: 'uploads/my+cat%C3%A9.jpg' });
    const minio = { ...base, eventSource: 'minio:s3', userIdentity: { principalId: 'minio' }, s3: { ...base.s3, configurationId: 'Config', bucket: { ...base.s3.bucket, ownerIdentity: { principalId: 'minio' } } } };
    const ceph = { ...versitygwRecord({ eventName: 'ObjectRemoved:Delete' }), eventSource: 'ceph:s3' };
    const [m, c] = read({ EventName: 's3:ObjectCreated:Put', Key: 'photos/uploads/x', Records: [minio, ceph] });
    expect(m).toMatchObject({ key: 'uploads/my caté.jpg', principalId: 'minio' });
    expect(c).toMatchObject({ eventName: 'ObjectRemoved:Delete' });
  });

  it('names each key of versitygw\'s DeleteObjects as S3 does (ObjectRemoved:Delete), keeping the call as the reason', () => {
    const [r] = read({ Records: [versitygwRecord({ eventName: 's3:ObjectRemoved:DeleteObjects', eTag: null })] });
    expect(r).toMatchObject({ eventName: 'ObjectRemoved:Delete', senderEventName: 'ObjectRemoved:DeleteObjects' });
    expect(r).not.toHaveProperty('eTag');
    expect(s3BusEvent(r!, arn)!.detail).toMatchObject({ reason: 'DeleteObjects', 'deletion-type': 'Permanently Deleted' });
  });

  it('keeps versitygw\'s keys as sent (it does not encode them), and ?keys= says it for a sender that cannot be told apart', () => {
    const [v] = read({ Records: [versitygwRecord({ key: 'dir/a b+c%é.txt' })] });
    expect(v!.key).toBe('dir/a b+c%é.txt');
    const aws = { ...versitygwRecord({ key: 'dir/a+b%2Bc.txt' }), userIdentity: { principalId: 'AWS:AIDA' } };
    aws.s3 = { ...aws.s3, configurationId: 'thumbs' };
    const once = (keys?: 'raw' | 'url') => { const r = readWebhookBody(JSON.stringify({ Records: [aws] }), keys); return r.kind === 'records' ? r.records[0]!.key : r.kind; };
    expect(once()).toBe('dir/a b+c.txt');
    expect(once('raw')).toBe('dir/a+b%2Bc.txt');
  });

  it('answers S3\'s test event (versitygw posts one at start) without records', () => {
    expect(readWebhookBody(JSON.stringify({ Service: 'S3', Event: 's3:TestEvent', Time: '2026-12-07T22:00:00Z', Bucket: 'Test-Bucket' }))).toEqual({ kind: 'test' });
  });

  it('refuses what is not S3 records, saying why, and nothing of a body with one bad record', () => {
    const invalid = (body: string) => { const r = readWebhookBody(body); return r.kind === 'invalid' ? r.message : `accepted: ${r.kind}`; };
    expect(invalid('nope')).toMatch(/must be JSON/);
    expect(invalid('{"records": []}')).toMatch(/must have Records/);
    expect(invalid(JSON.stringify({ Records: [versitygwRecord(), { ...versitygwRecord(), eventSource: 'aws:sqs' }] }))).toMatch(/^Records\[1\]\.eventSource must be an S3 event source/);
    expect(invalid(JSON.stringify({ Records: [versitygwRecord({ eventName: 'Bucket:Created' })] }))).toMatch(/eventName must be an S3 object event name/);
    expect(invalid(JSON.stringify({ Records: [versitygwRecord({ key: '' })] }))).toMatch(/object\.key/);
    expect(invalid(JSON.stringify({ Records: [versitygwRecord({ size: -1 })] }))).toMatch(/size must be a whole number/);
    expect(invalid(JSON.stringify({ Records: Array.from({ length: 101 }, () => versitygwRecord()) }))).toMatch(/At most 100 records/);
  });

  it('gives a record an id from what it says: the same post the same id, another event another', () => {
    const [a] = read({ Records: [versitygwRecord()] });
    const [b] = read({ Records: [versitygwRecord()] });
    const [c] = read({ Records: [versitygwRecord({ size: 6 })] });
    expect(a!.id).toBe(b!.id);
    expect(c!.id).not.toBe(a!.id);
    expect(entryId({ kind: 'object', namespace: 'default', record: a!, ingestedAt: 1 })).toBe(a!.id);
  });

  it('decodes keys as S3 encodes them, and keeps one that is not valid encoding as sent', () => {
    expect(decodeKey('a+b%2Bc%20d')).toBe('a b+c d');
    expect(decodeKey('100%')).toBe('100%');
    expect(encodeKey('photos/a b+c!(1)*.jpg')).toBe('photos/a+b%2Bc%21%281%29%2A.jpg');
    expect(decodeKey(encodeKey('x/ü ß+%.txt'))).toBe('x/ü ß+%.txt');
  });
});

describe('the BucketNotification kind', () => {
  it('fills S3\'s defaults: no EventBridge, no functions', () => {
    expect(notification({ bucket: 'photos' }).spec).toEqual({ bucket: 'photos', eventBridge: false, functions: [] });
  });

  it('refuses bad names, unknown events, repeated ids and overlapping configurations (S3\'s rule)', () => {
    const issues = (spec: Record<string, unknown>) => {
      const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'BucketNotification', metadata: { name: 'b' }, spec });
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    const f = (id: string, events: string[], filter?: Record<string, string>) => ({ id, function: 'sink', events, ...(filter ? { filter } : {}) });
    expect(issues({ bucket: 'No_Such' })).toEqual([expect.stringMatching(/^spec\.bucket: /)]);
    expect(issues({ bucket: 'photos', functions: [f('a', ['s3:ObjectCreated:Sometimes'])] })).toEqual([expect.stringMatching(/^spec\.functions\[0\]\.events\[0\]: /)]);
    expect(issues({ bucket: 'photos', functions: [f('a', ['s3:ObjectCreated:*'], { prefix: 'a/' }), f('a', ['s3:ObjectRemoved:*'])] })).toEqual([expect.stringMatching(/^spec\.functions\[1\]\.id: repeats functions\[0\]\.id/)]);
    expect(issues({ bucket: 'photos', functions: [f('a', ['s3:ObjectCreated:*'], { prefix: 'img/' }), f('b', ['s3:ObjectCreated:Put'], { prefix: 'img/raw/' })] }))
      .toEqual([expect.stringMatching(/^spec\.functions\[1\]: overlaps functions\[0\]/)]);
    // different events, or prefixes / suffixes that exclude each other, do not overlap
    expect(issues({ bucket: 'photos', functions: [f('a', ['s3:ObjectCreated:*']), f('b', ['s3:ObjectRemoved:*'])] })).toEqual([]);
    expect(issues({ bucket: 'photos', functions: [f('a', ['s3:ObjectCreated:Put'], { prefix: 'img/' }), f('b', ['s3:ObjectCreated:Put'], { prefix: 'doc/' })] })).toEqual([]);
    expect(issues({ bucket: 'photos', functions: [f('a', ['s3:ObjectCreated:Put'], { suffix: '.jpg' }), f('b', ['s3:ObjectCreated:*'], { suffix: '.png' })] })).toEqual([]);
  });
});

describe('matching and shapes', () => {
  const [put] = read({ Records: [versitygwRecord({ key: 'uploads/cat 1.jpg' })] });
  const [del] = read({ Records: [versitygwRecord({ eventName: 's3:ObjectRemoved:Delete', key: 'uploads/cat 1.jpg', size: 0, eTag: null })] });

  it('matches event names with S3\'s wildcards and the key\'s prefix and suffix', () => {
    const c = (events: string[], filter?: { prefix?: string; suffix?: string }) => ({ id: 'x', function: 'f', events: events as never, ...(filter ? { filter } : {}) });
    expect(configurationMatches(c(['s3:ObjectCreated:*']), put!)).toBe(true);
    expect(configurationMatches(c(['s3:ObjectCreated:Put'], { prefix: 'uploads/', suffix: '.jpg' }), put!)).toBe(true);
    expect(configurationMatches(c(['s3:ObjectCreated:Copy']), put!)).toBe(false);
    expect(configurationMatches(c(['s3:ObjectRemoved:*']), put!)).toBe(false);
    expect(configurationMatches(c(['s3:ObjectCreated:*'], { prefix: 'drafts/' }), put!)).toBe(false);
    expect(configurationMatches(c(['s3:ObjectCreated:*'], { suffix: '.png' }), put!)).toBe(false);
    // the filter reads the key itself, not its encoding
    expect(configurationMatches(c(['s3:ObjectCreated:*'], { suffix: ' 1.jpg' }), put!)).toBe(true);
  });

  it('builds Lambda\'s S3 event: one record, version 2.1, the key URL-encoded, no size or eTag for a removal', () => {
    expect(lambdaS3Event(put!, 'jpg', arn)).toEqual({ Records: [{
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-12-07T22:10:05.000Z', eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'ROOTKEY' }, requestParameters: { sourceIPAddress: '127.0.0.1' }, responseElements: { 'x-amz-request-id': '', 'x-amz-id-2': '' },
      s3: {
        s3SchemaVersion: '1.0', configurationId: 'jpg',
        bucket: { name: 'photos', ownerIdentity: { principalId: 'ROOTKEY' }, arn: 'arn:aws:s3:::photos' },
        object: { key: 'uploads/cat+1.jpg', size: 5, eTag: '5d41402abc4b2a76b9719d911017c592', sequencer: '1A' },
      },
    }] });
    expect((lambdaS3Event(del!, 'gone', arn).Records as Array<{ s3: { object: unknown } }>)[0]!.s3.object).toEqual({ key: 'uploads/cat+1.jpg', sequencer: '1A' });
  });

  it('builds EventBridge\'s Object Created / Object Deleted events on aws.s3, with a stable id', () => {
    expect(s3BusEvent(put!, arn)).toEqual({
      version: '0', id: expect.stringMatching(/^[0-9a-f-]{36}$/), 'detail-type': 'Object Created', source: 'aws.s3', account: '123456789012',
      time: '2026-12-07T22:10:05Z', region: 'us-east-1', resources: ['arn:aws:s3:::photos'],
      detail: {
        version: '0', bucket: { name: 'photos' }, object: { key: 'uploads/cat 1.jpg', size: 5, etag: '5d41402abc4b2a76b9719d911017c592', sequencer: '1A' },
        'request-id': '', requester: 'ROOTKEY', 'source-ip-address': '127.0.0.1', reason: 'PutObject',
      },
    });
    expect(s3BusEvent(put!, arn)!.id).toBe(s3BusEvent(put!, arn)!.id);
    expect(s3BusEvent(del!, arn)).toMatchObject({ 'detail-type': 'Object Deleted', detail: { object: { key: 'uploads/cat 1.jpg', sequencer: '1A' }, reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' } });
    expect(busDetailType('ObjectTagging:Put')).toBe('Object Tags Added');
    expect(busDetailType('ObjectRestore:Completed')).toBe('Object Restore Completed');
  });

  it('fans an object entry out: each matching configuration of the bucket once, and the bus event to the rules that match it', () => {
    const photos = notification({
      bucket: 'photos', eventBridge: true,
      functions: [
        { id: 'jpg', function: 'thumbs', events: ['s3:ObjectCreated:*'], filter: { suffix: '.jpg' } },
        { id: 'png', function: 'thumbs', events: ['s3:ObjectCreated:*'], filter: { suffix: '.png' } },
        { id: 'gone', function: 'audit:live', events: ['s3:ObjectRemoved:*'] },
      ],
    });
    const rule: RuleView = { namespace: 'default', name: 'created', spec: { eventBusName: 'default', state: 'ENABLED', eventPattern: {}, targets: [{ id: 't', function: 'log' }] } as never };
    const seen: BusEvent[] = [];
    const catalog: EventCatalog = {
      topic: () => undefined, rule: () => undefined, busExists: () => true, arnFor: () => arn,
      matchingRules: (_ns, bus, e) => { seen.push(e); return bus === 'default' && e['detail-type'] === 'Object Created' ? [rule] : []; },
      bucketNotifications: (_ns, bucket) => [photos].filter((n) => n.spec.bucket === bucket),
    };
    const deliveries = entryDeliveries({ kind: 'object', namespace: 'default', record: put!, ingestedAt: Date.parse('2026-12-07T22:10:06Z') }, catalog, '');
    expect(deliveries.map((d) => d.to === 'function' && d.functionRef)).toEqual(['thumbs', 'log']);
    expect(JSON.parse((deliveries[0] as { payload: string }).payload).Records[0].s3.configurationId).toBe('jpg');
    expect(seen.map((e) => e['detail-type'])).toEqual(['Object Created']);
    // the same entry again: the same delivery ids (a fan-out redone after a crash)
    const again = entryDeliveries({ kind: 'object', namespace: 'default', record: put!, ingestedAt: Date.parse('2026-12-07T22:10:06Z') }, catalog, '');
    expect(again.map((d) => (d as { id: string }).id)).toEqual(deliveries.map((d) => (d as { id: string }).id));
    // a removal reaches only its configuration; without eventBridge no rule sees anything
    seen.length = 0;
    const quiet = notification({ ...photos.spec, eventBridge: false });
    const removal = entryDeliveries({ kind: 'object', namespace: 'default', record: del!, ingestedAt: 1 }, { ...catalog, bucketNotifications: () => [quiet] }, '');
    expect(removal.map((d) => d.to === 'function' && d.functionRef)).toEqual(['audit:live']);
    expect(seen).toEqual([]);
    // another bucket, or a mode without BucketNotifications: nothing
    expect(objectInvocations([photos], { ...put!, bucket: 'other' }, arn)).toEqual([]);
    const { bucketNotifications: _, ...none } = catalog;
    expect(entryDeliveries({ kind: 'object', namespace: 'default', record: put!, ingestedAt: 1 }, none, '')).toEqual([]);
  });

  it('compares webhook tokens whatever their lengths', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abd', 'abc')).toBe(false);
    expect(sameToken('a-much-longer-token', 'abc')).toBe(false);
    expect(sameToken('', '')).toBe(false);
  });
});

describe('the cluster\'s parts', () => {
  it('reads a namespace\'s token from its Secret, ignoring one too short to be a proof', () => {
    const secret = (token?: string) => ({ metadata: { name: 'klambda-s3-events', namespace: 'shop' }, ...(token === undefined ? {} : { data: { token: Buffer.from(`${token}\n`).toString('base64') } }) });
    expect(tokenOfSecret(secret('0123456789abcdef-long'))).toBe('0123456789abcdef-long');
    expect(tokenOfSecret(secret('short'))).toBeUndefined();
    expect(tokenOfSecret(secret())).toBeUndefined();
    expect(tokenOfSecret(undefined)).toBeUndefined();
  });

  it('gives the fan-out the stored BucketNotifications of a bucket, checked and defaulted; none without the informer', () => {
    const stored = (name: string, spec: unknown) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'BucketNotification', metadata: { name, namespace: 'shop', resourceVersion: '1' }, spec });
    const objects = [
      stored('a', { bucket: 'photos', functions: [{ id: 'x', function: 'f', events: ['s3:ObjectCreated:*'] }] }),
      stored('b', { bucket: 'photos', functions: [{ id: 'y', function: 'f', events: ['s3:Nope'] }] }),
      stored('c', { bucket: 'docs', eventBridge: true }),
    ];
    const cache = { get: () => undefined, list: () => objects };
    const none = { get: () => undefined, list: () => [], changes: 0 };
    const catalog = informerEventCatalog(none, none, () => arn, cache);
    expect(catalog.bucketNotifications!('shop', 'photos').map((n) => [n.metadata.name, n.spec.eventBridge])).toEqual([['a', false]]);
    expect(catalog.bucketNotifications!('other', 'photos')).toEqual([]);
    expect(informerEventCatalog(none, none, () => arn).bucketNotifications).toBeUndefined();
  });
});

describe('the local mode\'s token', () => {
  it('takes --s3-events-token, refusing one that is short or needs escaping in a URL', () => {
    expect(parseCli(['dev', 'dir', '--s3-events-token', 'abcdefghijklmnop_-12'], {})).toMatchObject({ command: 'dev', s3EventsToken: 'abcdefghijklmnop_-12' });
    expect(parseCli(['dev', 'dir'], {})).not.toHaveProperty('s3EventsToken');
    expect(() => parseCli(['dev', '--s3-events-token', 'short'], {})).toThrow(UsageError);
    expect(() => parseCli(['dev', '--s3-events-token', 'has/a/slash/in/it/ok'], {})).toThrow(/16 to 128 letters/);
  });

  it('makes a random token once, keeps it in .klambda/ readable by its owner only, and uses a given one instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klambda-token-'));
    try {
      const first = localS3EventsToken(dir);
      expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(readFileSync(tokenFile(dir), 'utf8').trim()).toBe(first);
      expect(statSync(tokenFile(dir)).mode & 0o777).toBe(0o600);
      expect(localS3EventsToken(dir)).toBe(first);
      expect(localS3EventsToken(dir, 'given-token-0123456789')).toBe('given-token-0123456789');
      expect(localS3EventsToken(join(dir, 'another'))).not.toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
