// The event invoke config over spec.async: what a request may say, Put's replace, Update's merge, Delete, and "has one".
import {
  classifyQualifier, deleteAsync, differsFromDefaults, hasEventInvokeConfig, noEventInvokeConfig, parseEventInvokeConfigInput, putAsync,
  settingsOf, updateAsync, versionConfigIsFixed,
} from '../../src/core/event-invoke-config.js';

const ctx = { region: 'us-east-1', accountId: '123456789012' };
const parse = (body: Record<string, unknown>) => parseEventInvokeConfigInput(body, ctx, 'orders');
const refusal = (body: Record<string, unknown>): string => {
  try { parse(body); } catch (e) { expect(e).toMatchObject({ statusCode: 400, awsType: 'InvalidParameterValueException' }); return (e as Error).message; }
  throw new Error('expected a refusal');
};

describe('parseEventInvokeConfigInput', () => {
  it('reads the limits and the destinations, in our names', () => {
    expect(parse({
      MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnSuccess: { Destination: 'arn:aws:sns:us-east-1:123456789012:done' }, OnFailure: { Destination: 'arn:aws:lambda:us-east-1:123456789012:function:audit:live' } },
    })).toEqual({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 60, onSuccess: { topic: 'done' }, onFailure: { function: 'audit:live' } });
  });

  it('takes a destination given without its Destination as "remove it"', () => {
    expect(parse({ DestinationConfig: { OnSuccess: {} } })).toEqual({ onSuccess: null });
    expect(parse({ DestinationConfig: {} })).toEqual({});
  });

  it('refuses limits out of range, in AWS words', () => {
    expect(refusal({ MaximumRetryAttempts: 3 })).toBe("1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2");
    expect(refusal({ MaximumEventAgeInSeconds: 59 })).toBe("1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60");
    expect(refusal({ MaximumRetryAttempts: -1, MaximumEventAgeInSeconds: 21601 })).toMatch(/^2 validation errors detected: .*retry.*; .*less than or equal to 21600$/i);
    expect(refusal({ MaximumRetryAttempts: 1.5 })).toMatch(/Member must be an integer/);
    expect(refusal({ MaximumRetryAttempts: '1' })).toMatch(/Member must be an integer/);
  });

  it('refuses a request that sets nothing', () => {
    expect(refusal({})).toBe('You must specify at least one of error handling or destination setting.');
  });

  it("refuses another account's destination and the function itself", () => {
    expect(refusal({ DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:999999999999:q' } } })).toMatch(/in account 999999999999/);
    expect(refusal({ DestinationConfig: { OnSuccess: { Destination: 'arn:aws:lambda:us-east-1:123456789012:function:orders:live' } } }))
      .toBe("You can't specify the function as a destination for itself.");
    expect(refusal({ DestinationConfig: { OnSuccess: 'arn:aws:sqs:us-east-1:123456789012:q' } })).toMatch(/OnSuccess must be an object/);
  });
});

describe('Put, Update and Delete on spec.async', () => {
  const dlq = { queue: 'dlq' };

  it('Put replaces the whole config: limits not given are the defaults, destinations not given go, the dead letter stays', () => {
    const current = { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60, onSuccess: { topic: 't' }, deadLetter: dlq };
    expect(putAsync(current, { onFailure: { queue: 'failed' } }))
      .toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onFailure: { queue: 'failed' }, deadLetter: dlq });
    expect(putAsync(undefined, { maximumRetryAttempts: 1 })).toEqual({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 21600 });
  });

  it('Update changes only what it is given; an empty destination removes that one', () => {
    const current = { maximumRetryAttempts: 0, onSuccess: { topic: 't' }, onFailure: { queue: 'q' }, deadLetter: dlq };
    expect(updateAsync(current, { maximumEventAgeSeconds: 120 })).toEqual({ ...current, maximumEventAgeSeconds: 120 });
    expect(updateAsync(current, { onSuccess: null, onFailure: { eventBus: 'b' } })).toEqual({ maximumRetryAttempts: 0, onFailure: { eventBus: 'b' }, deadLetter: dlq });
  });

  it('Delete leaves the dead letter alone, or nothing', () => {
    expect(deleteAsync({ maximumRetryAttempts: 1, deadLetter: dlq })).toEqual({ deadLetter: dlq });
    expect(deleteAsync({ maximumRetryAttempts: 1 })).toBeUndefined();
  });

  it('a written async holds a config when it has any field but the dead letter', () => {
    expect(hasEventInvokeConfig(undefined)).toBe(false);
    expect(hasEventInvokeConfig({})).toBe(false);
    expect(hasEventInvokeConfig({ deadLetter: dlq })).toBe(false);
    expect(hasEventInvokeConfig({ maximumRetryAttempts: 2 })).toBe(true);
    expect(hasEventInvokeConfig({ onFailure: { queue: 'q' }, deadLetter: dlq })).toBe(true);
  });

  it('a defaulted async says more than the defaults with a destination or another limit', () => {
    expect(differsFromDefaults(settingsOf(undefined))).toBe(false);
    expect(differsFromDefaults(settingsOf({ deadLetter: dlq }))).toBe(false);
    expect(differsFromDefaults(settingsOf({ maximumRetryAttempts: 1 }))).toBe(true);
    expect(differsFromDefaults(settingsOf({ maximumEventAgeSeconds: 60 }))).toBe(true);
    expect(differsFromDefaults(settingsOf({ onSuccess: { topic: 't' } }))).toBe(true);
  });
});

describe('qualifiers and their errors', () => {
  it('reads no qualifier and $LATEST as the function, digits as a version, the rest as an alias', () => {
    expect(classifyQualifier(undefined)).toEqual({ kind: 'latest' });
    expect(classifyQualifier('$LATEST')).toEqual({ kind: 'latest' });
    expect(classifyQualifier('12')).toEqual({ kind: 'version', version: '12' });
    expect(classifyQualifier('live')).toEqual({ kind: 'alias', alias: 'live' });
  });

  it("answers AWS's 404 with the qualified ARN, and a 400 that says why a version is fixed", () => {
    expect(noEventInvokeConfig(ctx, 'orders', { kind: 'latest' })).toMatchObject({
      statusCode: 404, awsType: 'ResourceNotFoundException',
      message: "The function arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST doesn't have an EventInvokeConfig",
    });
    const fixed = versionConfigIsFixed('orders', '3');
    expect(fixed).toMatchObject({ statusCode: 400, awsType: 'InvalidParameterValueException' });
    expect(fixed.message).toMatch(/Version 3 of orders is a published version: an immutable snapshot/);
    expect(fixed.message).toMatch(/alias .* or \$LATEST/);
  });
});
