// Async destinations as AWS names them (ARNs) and as klambda keeps them (function | queue | topic | eventBus).
import { destinationArn, destinationFromArn } from '../../src/core/destination-arn.js';

const ctx = { region: 'us-east-1', accountId: '123456789012' };

describe('destinationFromArn', () => {
  it.each([
    ['arn:aws:lambda:us-east-1:123456789012:function:audit', { function: 'audit' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:audit:live', { function: 'audit:live' }],
    ['arn:aws:lambda:us-east-1:123456789012:function:audit:$LATEST', { function: 'audit:$LATEST' }],
    ['arn:aws:sqs:us-east-1:123456789012:failed-jobs', { queue: 'failed-jobs' }],
    ['arn:aws:sns:us-east-1:123456789012:failures', { topic: 'failures' }],
    ['arn:aws:events:us-east-1:123456789012:event-bus/default', { eventBus: 'default' }],
    ['arn:aws:events:us-east-1:123456789012:event-bus/orders.v2', { eventBus: 'orders.v2' }],
  ])('%s → %j', (arn, destination) => {
    expect(destinationFromArn(ctx, arn)).toEqual(destination);
  });

  it('maps back to the same ARN', () => {
    for (const arn of [
      'arn:aws:lambda:us-east-1:123456789012:function:audit:live', 'arn:aws:sqs:us-east-1:123456789012:q',
      'arn:aws:sns:us-east-1:123456789012:t', 'arn:aws:events:us-east-1:123456789012:event-bus/b',
    ]) expect(destinationArn(ctx, destinationFromArn(ctx, arn))).toBe(arn);
  });

  it("refuses another account's or another region's ARN, saying which", () => {
    expect(() => destinationFromArn(ctx, 'arn:aws:sqs:us-east-1:999999999999:q')).toThrow(expect.objectContaining({
      statusCode: 400, awsType: 'InvalidParameterValueException',
      message: 'The destination ARN arn:aws:sqs:us-east-1:999999999999:q is invalid: it is in account 999999999999; destinations must be in this account (123456789012)',
    }));
    expect(() => destinationFromArn(ctx, 'arn:aws:sns:eu-west-1:123456789012:t')).toThrow(/it is in region 'eu-west-1'; destinations must be in this region \('us-east-1'\)/);
  });

  it.each([
    'audit', 'arn:aws:s3:::bucket', 'arn:aws:dynamodb:us-east-1:123456789012:table/t', 'arn:aws:lambda:us-east-1:123456789012:layer:x:1',
    'arn:aws:lambda:us-east-1:123456789012:function:a:b:c', 'arn:aws:sqs:us-east-1:123456789012:has space',
    'arn:aws:events:us-east-1:123456789012:rule/r', 'arn:aws:sqs:us-east-1:123:q',
  ])('refuses %p with InvalidParameterValueException', (arn) => {
    expect(() => destinationFromArn(ctx, arn)).toThrow(expect.objectContaining({ statusCode: 400, awsType: 'InvalidParameterValueException' }));
  });

  it('does not echo a huge ARN in full', () => {
    let message = '';
    try { destinationFromArn(ctx, `arn:aws:sqs:us-east-1:123456789012:${'q'.repeat(10_000)}`); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/is invalid/);
    expect(message.length).toBeLessThan(500);
  });
});

describe('destinationArn', () => {
  it('builds the ARN of each kind in the caller region and account', () => {
    expect(destinationArn(ctx, { function: 'audit' })).toBe('arn:aws:lambda:us-east-1:123456789012:function:audit');
    expect(destinationArn(ctx, { function: 'audit:2' })).toBe('arn:aws:lambda:us-east-1:123456789012:function:audit:2');
    expect(destinationArn(ctx, { queue: 'q' })).toBe('arn:aws:sqs:us-east-1:123456789012:q');
    expect(destinationArn(ctx, { topic: 't' })).toBe('arn:aws:sns:us-east-1:123456789012:t');
    expect(destinationArn(ctx, { eventBus: 'default' })).toBe('arn:aws:events:us-east-1:123456789012:event-bus/default');
  });

  it('gives back a destination a manifest already wrote as an ARN', () => {
    expect(destinationArn(ctx, { topic: 'arn:aws:sns:us-east-1:123456789012:t' })).toBe('arn:aws:sns:us-east-1:123456789012:t');
  });
});
