// The async decisions (pure): Lambda's retries after 1 then 2 minutes, event age, destinations and dead letters.
import { asyncClock, asyncSettings, decideAsync, destinationRecord, expiresAt, type AsyncOutcome } from '../../src/core/async-policy.js';
import { derivedRequestId } from '../../src/dispatcher/dispatcher.js';

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);
const at = (ms: number) => asyncClock(1, () => ms);
const failed: AsyncOutcome = { invocation: '{}', result: { requestId: 'r', payload: '{"errorMessage":"boom"}', functionError: 'Unhandled', executedVersion: '$LATEST', durationMs: 1 } };
const ok: AsyncOutcome = { invocation: '{}', result: { requestId: 'r', payload: '{"fine":true}', executedVersion: '$LATEST', durationMs: 1 } };

describe('decideAsync', () => {
  it('retries a function error twice, about 1 minute then 2 minutes later, then fails with RetriesExhausted', () => {
    const s = asyncSettings({ onFailure: { queue: 'failures' } });
    expect(decideAsync(failed, s, T0, at(T0 + 1000))).toEqual({ kind: 'retry', dueAt: T0 + 1000 + 60_000, invokeCount: 1 });
    expect(decideAsync(failed, { ...s, invokeCount: 1 }, T0, at(T0 + 62_000))).toEqual({ kind: 'retry', dueAt: T0 + 62_000 + 120_000, invokeCount: 2 });
    expect(decideAsync(failed, { ...s, invokeCount: 2 }, T0, at(T0 + 183_000)))
      .toEqual({ kind: 'failure', condition: 'RetriesExhausted', destination: { queue: 'failures' }, invokeCount: 3 });
  });

  it('runs once with maximumRetryAttempts 0', () => {
    expect(decideAsync(failed, asyncSettings({ maximumRetryAttempts: 0 }), T0, at(T0))).toEqual({ kind: 'failure', condition: 'RetriesExhausted', invokeCount: 1 });
  });

  it('sends a success to onSuccess, counting the runs', () => {
    expect(decideAsync(ok, { ...asyncSettings({ onSuccess: { function: 'audit' } }), invokeCount: 1 }, T0, at(T0)))
      .toEqual({ kind: 'success', destination: { function: 'audit' }, invokeCount: 2 });
    expect(decideAsync(ok, asyncSettings(undefined), T0, at(T0))).toEqual({ kind: 'success', invokeCount: 1 });
  });

  it('fails with EventAgeExceeded when the retry would come after the maximum event age', () => {
    const s = asyncSettings({ maximumEventAgeSeconds: 90, deadLetter: { queue: 'dlq' } });
    expect(decideAsync(failed, s, T0, at(T0 + 10_000))).toEqual({ kind: 'retry', dueAt: T0 + 70_000, invokeCount: 1 });
    expect(decideAsync(failed, { ...s, invokeCount: 1 }, T0, at(T0 + 71_000)))
      .toEqual({ kind: 'failure', condition: 'EventAgeExceeded', deadLetter: { queue: 'dlq' }, invokeCount: 2 });
  });

  it('fails an event that was not run: too old when taken, or its consumer gone on every delivery', () => {
    const s = asyncSettings({ onFailure: { function: 'f' } });
    expect(decideAsync({ invocation: '{}', notRun: 'EventAgeExceeded' }, s, T0, at(T0))).toMatchObject({ kind: 'failure', condition: 'EventAgeExceeded', invokeCount: 0 });
    expect(decideAsync({ invocation: '{}', notRun: 'DeliveryFailed' }, { ...s, invokeCount: 1 }, T0, at(T0))).toMatchObject({ kind: 'failure', condition: 'RetriesExhausted', invokeCount: 1 });
  });

  it('speeds every delay and age up by one factor', () => {
    const fast = asyncClock(600, () => T0);
    expect(decideAsync(failed, asyncSettings(undefined), T0, fast)).toEqual({ kind: 'retry', dueAt: T0 + 100, invokeCount: 1 });
    expect(expiresAt(T0, { maximumEventAgeSeconds: 60 }, fast)).toBe(T0 + 100);
    expect(() => asyncClock(0)).toThrow(RangeError);
  });
});

describe('destinationRecord', () => {
  it("has Lambda's shape", () => {
    expect(destinationRecord({ requestId: 'r1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', payload: '{"a":1}', condition: 'RetriesExhausted', invokeCount: 3, result: failed.result!, now: T0 }))
      .toEqual({
        version: '1.0', timestamp: '2026-12-02T12:00:00.000Z',
        requestContext: { requestId: 'r1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
        requestPayload: { a: 1 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorMessage: 'boom' },
      });
  });
});

it('derives the same UUID-shaped request id for the same event and purpose', () => {
  const id = derivedRequestId('abc', 'destination:Success');
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(derivedRequestId('abc', 'destination:Success')).toBe(id);
  expect(derivedRequestId('abc', 'dead-letter')).not.toBe(id);
});
