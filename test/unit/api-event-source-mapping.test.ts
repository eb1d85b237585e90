// The EventSourceMapping kind: one stream or queue, batching limits, starting position, retries, destinations, defaults.
import type { EventSourceMapping } from '../../src/api/event-source-mapping.js';
import { checkObject } from '../../src/api/parse.js';
import { esm, fromQueue, problems } from '../helpers/objects.js';

describe('EventSourceMapping', () => {
  it('fills the defaults: enabled, batches of 100, no window, retries until the record expires', () => {
    const r = checkObject(esm({}));
    expect(r.ok && (r.object as EventSourceMapping).spec).toEqual({
      source: { stream: 'clicks' }, functionName: 'counter', startingPosition: 'TRIM_HORIZON',
      enabled: true, batchSize: 100, maximumBatchingWindowSeconds: 0, maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1, bisectBatchOnFunctionError: false,
      parallelizationFactor: 1,
    });
  });

  it('accepts every setting at its limits', () => {
    expect(problems(esm({
      functionName: 'counter:live', enabled: false, batchSize: 10000, maximumBatchingWindowSeconds: 300, startingPosition: 'LATEST',
      maximumRetryAttempts: 10000, maximumRecordAgeSeconds: 604800, bisectBatchOnFunctionError: true,
      functionResponseTypes: ['ReportBatchItemFailures'], destinationConfig: { onFailure: { topic: 'failures' } },
    }))).toEqual([]);
    expect(problems(esm({ batchSize: 1, maximumRetryAttempts: 0, maximumRecordAgeSeconds: 60 }))).toEqual([]);
    expect(problems(fromQueue({ batchSize: 10, destinationConfig: { onFailure: { queue: 'jobs-dlq' } } }))).toEqual([]);
  });

  it.each([
    ['batchSize', 0, 'must be >= 1, got 0'],
    ['batchSize', 10001, 'must be <= 10000, got 10001'],
    ['batchSize', 1.5, 'must be a whole number, got 1.5'],
    ['maximumBatchingWindowSeconds', -1, 'must be >= 0, got -1'],
    ['maximumBatchingWindowSeconds', 301, 'must be <= 300, got 301'],
    ['maximumRetryAttempts', -2, 'must be >= -1, got -2'],
    ['maximumRetryAttempts', 10001, 'must be <= 10000, got 10001'],
    ['maximumRecordAgeSeconds', 0, 'must be -1 (no limit) or 60..604800, got 0'],
    ['maximumRecordAgeSeconds', 59, 'must be -1 (no limit) or 60..604800, got 59'],
    ['maximumRecordAgeSeconds', 604801, 'must be <= 604800, got 604801'],
    ['maximumRecordAgeSeconds', -5, 'must be >= -1, got -5'],
    ['enabled', 'yes', 'must be true or false, got "yes"'],
    ['startingPosition', 'AT_THE_END', 'must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP, got "AT_THE_END"'],
  ])('refuses %s %p', (field, value, message) => {
    expect(problems(esm({ [field]: value }))).toEqual([`spec.${field}: ${message}`]);
  });

  it('refuses a source with both a stream and a queue, or neither', () => {
    expect(problems(esm({ source: { stream: 'clicks', queue: 'jobs' } }))).toEqual(['spec.source: the source needs exactly one of stream, queue; got stream and queue']);
    expect(problems(esm({ source: {} }))).toEqual(['spec.source: the source needs exactly one of stream, queue; none is set']);
    expect(problems(esm({ source: { topic: 'orders' } }))[0]).toMatch(/^spec.source.topic: unknown field; known fields: stream, queue/);
  });

  it('refuses bad source and function names', () => {
    expect(problems(esm({ source: { stream: 'click stream' } }))).toEqual(["spec.source.stream: must be a stream name: 1 to 128 letters, digits, '-', '_' and '.', got \"click stream\""]);
    expect(problems(fromQueue({ source: { queue: 'jobs.fifo' } }))).toEqual(["spec.source.queue: must be a queue name: 1 to 80 letters, digits, '-' and '_', got \"jobs.fifo\""]);
    expect(problems(esm({ functionName: 'counter:live:1' }))).toEqual(['spec.functionName: must be a function name or name:qualifier (e.g. billing or billing:live), got "counter:live:1"']);
  });

  it('needs a starting position for a stream, and refuses one for a queue', () => {
    expect(problems(esm({ startingPosition: undefined }))).toEqual(['spec.startingPosition: is required for a stream source (TRIM_HORIZON, LATEST or AT_TIMESTAMP)']);
    expect(problems(fromQueue({ startingPosition: 'LATEST' }))).toEqual(['spec.startingPosition: is for stream sources; a queue is always read from its oldest message']);
  });

  it('bisects only stream batches', () => {
    expect(problems(fromQueue({ bisectBatchOnFunctionError: true }))).toEqual(['spec.bisectBatchOnFunctionError: is for stream sources; a queue batch has no order to bisect']);
  });

  it('takes ReportBatchItemFailures once, and nothing else', () => {
    expect(problems(esm({ functionResponseTypes: [] }))).toEqual([]);
    expect(problems(esm({ functionResponseTypes: ['ReportBatchItemFailures', 'ReportBatchItemFailures'] }))).toEqual(['spec.functionResponseTypes: must have at most 1 item, got 2']);
    expect(problems(esm({ functionResponseTypes: ['Partial'] }))).toEqual(['spec.functionResponseTypes[0]: must be one of ReportBatchItemFailures, got "Partial"']);
    expect(problems(esm({ functionResponseTypes: 'ReportBatchItemFailures' }))).toEqual(['spec.functionResponseTypes: must be a list, got "ReportBatchItemFailures"']);
  });

  it('sends failed batches to exactly one destination: a function, a topic or a queue', () => {
    expect(problems(esm({ destinationConfig: { onFailure: { function: 'dlq-handler:live' } } }))).toEqual([]);
    expect(problems(esm({ destinationConfig: { onFailure: { topic: 'failures', queue: 'dlq' } } }))).toEqual([
      'spec.destinationConfig.onFailure: a destination needs exactly one of function, topic, queue; got topic and queue',
    ]);
    expect(problems(esm({ destinationConfig: { onFailure: {} } }))).toEqual(['spec.destinationConfig.onFailure: a destination needs exactly one of function, topic, queue; none is set']);
    expect(problems(esm({ destinationConfig: { onFailure: { eventBus: 'default' } } }))[0]).toMatch(/^spec.destinationConfig.onFailure.eventBus: unknown field/);
  });

  it('requires the source and the function', () => {
    const { source: _s, functionName: _f, ...rest } = esm({}).spec;
    expect(problems({ ...esm({}), spec: rest })).toEqual(['spec.source: is required', 'spec.functionName: is required']);
  });
});
