// Between Lambda's event source mapping API and the EventSourceMapping object (pure): requests → specs, updates →
// patches, objects → Lambda's configuration, UUIDs ↔ names, the cluster's objects, and the IAM actions of the routes.
import { checkObject } from '../../src/api/parse.js';
import type { EventSourceMapping } from '../../src/api/event-source-mapping.js';
import { lambdaAction } from '../../src/core/lambda-actions.js';
import { mappingObjectName, mappingUuid, normalUuid, LAST_MODIFIED_ANNOTATION, type StoredMapping } from '../../src/router/lambda/event-source-mappings-backend.js';
import { mappingConfiguration, updateState } from '../../src/router/lambda/event-source-mappings-config.js';
import { createMappingRequest, eventSourceArn, parseEventSourceArn, updateMappingRequest } from '../../src/router/lambda/event-source-mappings-input.js';
import { checkNoDuplicate, createSpec, updatePatch } from '../../src/router/lambda/event-source-mappings-spec.js';
import { mappingObject, patchedObject, storedMapping } from '../../src/router/lambda/kube-esm.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:jobs';
const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

const specOf = (body: Record<string, unknown>) => createSpec(createMappingRequest({ FunctionName: 'counter', ...body }, ctx));
/** The spec as parsed (defaults in), as the backends hand it over. */
function parsed(spec: Record<string, unknown>): EventSourceMapping['spec'] {
  const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping', metadata: { name: 'm' }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (r.object as EventSourceMapping).spec;
}
const stored = (spec: Record<string, unknown>, uuid = UUID): StoredMapping => ({ uuid, name: mappingObjectName(uuid), spec: parsed(spec), lastModified: new Date('2026-12-07T10:00:00.900Z') });

describe('EventSourceArn', () => {
  it('names a stream or a queue of the caller\'s region and account, and back', () => {
    expect(parseEventSourceArn(STREAM, ctx)).toEqual({ stream: 'clicks' });
    expect(parseEventSourceArn(QUEUE, ctx)).toEqual({ queue: 'jobs' });
    expect(eventSourceArn({ stream: 'clicks' }, ctx)).toBe(STREAM);
    expect(eventSourceArn({ queue: 'jobs' }, ctx)).toBe(QUEUE);
  });

  it.each([
    ['arn:aws:sqs:us-east-1:123456789012:jobs', /in account 123456789012; .*this account \(000000000000\)/],
    ['arn:aws:kinesis:eu-west-1:000000000000:stream/clicks', /in region 'eu-west-1'/],
    ['arn:aws:sqs:us-east-1:000000000000:jobs.fifo', /not FIFO/],
    ['arn:aws:kinesis:us-east-1:000000000000:stream/clicks/consumer/c:1', /not a stream consumer/],
    ['arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x', /^Unrecognized event source, must be a Kinesis stream or an SQS queue/],
    ['jobs', /^Unrecognized event source/],
  ])('refuses %s', (arn, message) => {
    expect(() => parseEventSourceArn(arn, ctx)).toThrow(expect.objectContaining({ awsType: 'InvalidParameterValueException', message: expect.stringMatching(message) }));
  });
});

describe('CreateEventSourceMapping → spec', () => {
  it('writes the source, the function, the batch size by source, and only the settings given', () => {
    expect(specOf({ EventSourceArn: QUEUE })).toEqual({ source: { queue: 'jobs' }, functionName: 'counter', batchSize: 10 });
    expect(specOf({ EventSourceArn: STREAM, StartingPosition: 'LATEST' })).toEqual({ source: { stream: 'clicks' }, functionName: 'counter', batchSize: 100, startingPosition: 'LATEST' });
    expect(specOf({
      FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:counter:live', EventSourceArn: STREAM, StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: 1796115600.5, ParallelizationFactor: 3, FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:sns:us-east-1:000000000000:failures' } }, Enabled: false,
    })).toEqual({
      source: { stream: 'clicks' }, functionName: 'counter:live', batchSize: 100, startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: '2026-12-01T09:00:00.500Z', parallelizationFactor: 3, functionResponseTypes: ['ReportBatchItemFailures'],
      destinationConfig: { onFailure: { topic: 'failures' } }, enabled: false,
    });
  });

  it('writes a spec the kind accepts, with the defaults Lambda answers', () => {
    const spec = parsed(specOf({ EventSourceArn: QUEUE, BatchSize: 50, MaximumBatchingWindowInSeconds: 2 }));
    expect(spec).toMatchObject({ batchSize: 50, maximumBatchingWindowSeconds: 2, enabled: true });
  });

  it.each([
    [{ EventSourceArn: STREAM, StartingPosition: 'LATEST', StartingPositionTimestamp: 1 }, 'StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP'],
    [{ EventSourceArn: QUEUE, MaximumRetryAttempts: 1 }, "Unsupported 'maximumRetryAttempts' parameter for given event source mapping type."],
    [{ EventSourceArn: QUEUE, BisectBatchOnFunctionError: false }, "Unsupported 'bisectBatchOnFunctionError' parameter for given event source mapping type."],
    [{ EventSourceArn: QUEUE, StartingPositionTimestamp: 1 }, "Unsupported 'startingPositionTimestamp' parameter for given event source mapping type."],
    [{ EventSourceArn: STREAM, StartingPosition: 'LATEST', DestinationConfig: { OnSuccess: { Destination: QUEUE } } }, 'Unsupported DestinationConfig parameter for given event source mapping type.'],
    [{ EventSourceArn: STREAM, StartingPosition: 'LATEST', MaximumRecordAgeInSeconds: 30 }, 'MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800, got 30'],
    [{ EventSourceArn: STREAM, StartingPosition: 'LATEST', TumblingWindowInSeconds: 60 }, 'klambda does not support tumbling windows (TumblingWindowInSeconds) on event source mappings'],
    [{ EventSourceArn: QUEUE, ScalingConfig: { MaximumConcurrency: 2 } }, /^klambda does not support ScalingConfig/],
    [{ EventSourceArn: QUEUE, Enabled: 'yes' }, 'Enabled must be true or false'],
    [{ EventSourceArn: QUEUE, FunctionResponseTypes: ['Nope'] }, /at 'functionResponseTypes' failed to satisfy constraint: .*enum value set: \[ReportBatchItemFailures\]/],
  ])('refuses %j', (body, message) => {
    expect(() => specOf(body)).toThrow(expect.objectContaining({ statusCode: 400, message: typeof message === 'string' ? message : expect.stringMatching(message) }));
  });

  it('takes what a queue is given empty: no destination, no filters', () => {
    expect(specOf({ EventSourceArn: QUEUE, DestinationConfig: { OnFailure: {} }, FilterCriteria: { Filters: [] } })).toEqual({ source: { queue: 'jobs' }, functionName: 'counter', batchSize: 10 });
  });
});

describe('UpdateEventSourceMapping → patch', () => {
  const queue = stored({ source: { queue: 'jobs' }, functionName: 'counter', batchSize: 10, filterCriteria: { filters: [{ pattern: '{"body": {"a": [1]}}' }] } });

  it('sets what is given, removes what is given empty, keeps the rest', () => {
    const patch = updatePatch(queue.spec, updateMappingRequest({ BatchSize: 8, FilterCriteria: {}, FunctionResponseTypes: [], FunctionName: 'audit:2' }, ctx));
    expect(patch).toEqual({ batchSize: 8, filterCriteria: undefined, functionResponseTypes: undefined, functionName: 'audit:2' });
  });

  it('checks the batch window against the mapping as it is', () => {
    expect(() => updatePatch(queue.spec, updateMappingRequest({ BatchSize: 11 }, ctx))).toThrow('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    const windowed = stored({ source: { queue: 'jobs' }, functionName: 'counter', batchSize: 10, maximumBatchingWindowSeconds: 1 });
    expect(updatePatch(windowed.spec, updateMappingRequest({ BatchSize: 11 }, ctx))).toEqual({ batchSize: 11 });
    expect(() => updatePatch(queue.spec, updateMappingRequest({ ParallelizationFactor: 2 }, ctx))).toThrow("Unsupported 'parallelizationFactor' parameter");
  });

  it('answers Enabling, Disabling or Updating', () => {
    const on = parsed({ source: { queue: 'jobs' }, functionName: 'counter' });
    const off = parsed({ source: { queue: 'jobs' }, functionName: 'counter', enabled: false });
    expect([updateState(on, off), updateState(off, on), updateState(on, on)]).toEqual(['Disabling', 'Enabling', 'Updating']);
  });
});

describe('one mapping per function and source', () => {
  const existing = [stored({ source: { queue: 'jobs' }, functionName: 'counter' }), stored({ source: { stream: 'clicks' }, functionName: 'counter:live', startingPosition: 'LATEST' }, normalUuid('1F8FAD5B-D9CB-469F-A165-70867728950E')!)];

  it('refuses a second one in Lambda\'s words, per source', () => {
    expect(() => checkNoDuplicate(existing, 'counter', { queue: 'jobs' }, ctx)).toThrow(
      `An event source mapping with SQS arn (" ${QUEUE} ") and function (" counter ") already exists. Please update or delete the existing mapping with UUID ${UUID}`);
    expect(() => checkNoDuplicate(existing, 'counter:live', { stream: 'clicks' }, ctx)).toThrow(
      `The event source arn (" ${STREAM} ") and function (" counter:live ") provided mapping already exists. Please update or delete the existing mapping with UUID 1f8fad5b-d9cb-469f-a165-70867728950e`);
  });

  it('lets another function, qualifier or source have its own', () => {
    expect(() => checkNoDuplicate(existing, 'audit', { queue: 'jobs' }, ctx)).not.toThrow();
    expect(() => checkNoDuplicate(existing, 'counter', { stream: 'clicks' }, ctx)).not.toThrow();
    expect(() => checkNoDuplicate(existing, 'counter', { queue: 'other' }, ctx)).not.toThrow();
  });
});

describe('the object → Lambda\'s EventSourceMappingConfiguration', () => {
  it('answers a stream with its stream members, a qualified FunctionArn, epoch-second times', () => {
    const m = stored({
      source: { stream: 'clicks' }, functionName: 'counter:live', startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-01T08:30:00Z',
      destinationConfig: { onFailure: { function: 'audit' } }, filterCriteria: { filters: [{ pattern: '{"data": {"a": [1]}}' }] },
    });
    expect(mappingConfiguration(ctx, m)).toEqual({
      UUID, EventSourceMappingArn: `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${UUID}`, EventSourceArn: STREAM,
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:counter:live', BatchSize: 100, MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: [], FilterCriteria: { Filters: [{ Pattern: '{"data": {"a": [1]}}' }] }, LastModified: 1796637600,
      State: 'Enabled', StateTransitionReason: 'USER_INITIATED', StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: 1796113800,
      ParallelizationFactor: 1, MaximumRecordAgeInSeconds: -1, MaximumRetryAttempts: -1, BisectBatchOnFunctionError: false, TumblingWindowInSeconds: 0,
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:lambda:us-east-1:000000000000:function:audit' } },
    });
  });

  it('answers a queue without them, and the state a call asks for', () => {
    const out = mappingConfiguration(ctx, stored({ source: { queue: 'jobs' }, functionName: 'counter', enabled: false }));
    expect(Object.keys(out).sort()).toEqual(['BatchSize', 'EventSourceArn', 'EventSourceMappingArn', 'FunctionArn', 'FunctionResponseTypes', 'LastModified',
      'MaximumBatchingWindowInSeconds', 'State', 'StateTransitionReason', 'UUID']);
    expect(out.State).toBe('Disabled');
    expect(mappingConfiguration(ctx, stored({ source: { queue: 'jobs' }, functionName: 'counter' }), 'Deleting').State).toBe('Deleting');
  });
});

describe('UUIDs and names', () => {
  it('names the API\'s objects esm-<uuid> and reads the UUID back from the name', () => {
    expect(mappingObjectName(UUID)).toBe(`esm-${UUID}`);
    expect(mappingUuid('default', `esm-${UUID}`)).toBe(UUID);
  });

  it('gives a hand-named mapping a stable UUID of its namespace and name', () => {
    const a = mappingUuid('default', 'clicks-to-counter');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mappingUuid('default', 'clicks-to-counter')).toBe(a);
    expect(mappingUuid('team-a', 'clicks-to-counter')).not.toBe(a);
    expect(mappingUuid('default', 'esm-not-a-uuid')).not.toBe('not-a-uuid');
  });

  it('reads a UUID in any case, and nothing else as one', () => {
    expect(normalUuid(UUID.toUpperCase())).toBe(UUID);
    expect(normalUuid('../esm')).toBeUndefined();
  });
});

describe('on a cluster: the EventSourceMapping object', () => {
  const now = new Date('2026-12-07T12:00:00Z');

  it('is made named after the UUID and stamped, and read back as the mapping', () => {
    const object = mappingObject('team-a', UUID, { source: { queue: 'jobs' }, functionName: 'counter', batchSize: 10 }, now);
    expect(object).toEqual({
      apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping',
      metadata: { name: `esm-${UUID}`, namespace: 'team-a', annotations: { [LAST_MODIFIED_ANNOTATION]: '2026-12-07T12:00:00.000Z' } },
      spec: { source: { queue: 'jobs' }, functionName: 'counter', batchSize: 10 },
    });
    const back = storedMapping({ ...object, metadata: { ...object.metadata, creationTimestamp: '2026-12-07T11:00:00Z' } });
    expect(back).toMatchObject({ uuid: UUID, name: `esm-${UUID}`, lastModified: now, spec: { batchSize: 10, enabled: true } });
  });

  it('is patched field by field, restamped, and a field patched away is gone', () => {
    const object = mappingObject('default', UUID, { source: { queue: 'jobs' }, functionName: 'counter', batchSize: 10, functionResponseTypes: ['ReportBatchItemFailures'] }, now);
    const later = new Date('2026-12-07T13:00:00Z');
    const next = patchedObject(object, { batchSize: 5, functionResponseTypes: undefined }, later);
    expect(next.spec).toEqual({ source: { queue: 'jobs' }, functionName: 'counter', batchSize: 5 });
    expect(storedMapping(next)?.lastModified).toEqual(later);
  });

  it('takes the creation time without the API\'s stamp, and skips an object being deleted or not valid', () => {
    const handMade = { apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping', metadata: { name: 'jobs-to-counter', namespace: 'default', creationTimestamp: '2026-12-01T00:00:00Z' }, spec: { source: { queue: 'jobs' }, functionName: 'counter' } };
    expect(storedMapping(handMade)).toMatchObject({ uuid: mappingUuid('default', 'jobs-to-counter'), lastModified: new Date('2026-12-01T00:00:00Z') });
    expect(storedMapping({ ...handMade, metadata: { ...handMade.metadata, deletionTimestamp: '2026-12-02T00:00:00Z' } })).toBeUndefined();
    expect(storedMapping({ ...handMade, spec: { source: {}, functionName: 'counter' } })).toBeUndefined();
  });
});

describe('IAM actions', () => {
  it('authorizes Create and List on *, Get, Update and Delete on the mapping\'s ARN', () => {
    const base = '/2015-03-31/event-source-mappings';
    expect(lambdaAction('POST', base, ctx)).toEqual({ action: 'lambda:CreateEventSourceMapping', resource: '*' });
    expect(lambdaAction('GET', `${base}/?FunctionName=counter`, ctx)).toEqual({ action: 'lambda:ListEventSourceMappings', resource: '*' });
    const arn = `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${UUID}`;
    expect(lambdaAction('GET', `${base}/${UUID}`, ctx)).toEqual({ action: 'lambda:GetEventSourceMapping', resource: arn });
    expect(lambdaAction('PUT', `${base}/${UUID}`, ctx)).toEqual({ action: 'lambda:UpdateEventSourceMapping', resource: arn });
    expect(lambdaAction('DELETE', `${base}/${UUID}`, ctx)).toEqual({ action: 'lambda:DeleteEventSourceMapping', resource: arn });
    expect(lambdaAction('PATCH', `${base}/${UUID}`, ctx)).toBeUndefined();
    expect(lambdaAction('PUT', base, ctx)).toBeUndefined();
  });
});
