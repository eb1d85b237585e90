// Queue attributes as SQS checks them: names, ranges, the redrive policy, FIFO refused; and queue URLs.
import { checkAttributes, checkQueueName, checkRedriveTarget, parseRedrivePolicy, queueOfArn, requestedAttributes } from '../../src/events/sqs/attributes.js';
import { queueOfUrl, queueUrl } from '../../src/router/sqs/queue-url.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
const refusal = (f: () => unknown): { type: string; message: string } | undefined => {
  try { f(); } catch (e) { const err = e as { awsType: string; message: string }; return { type: err.awsType, message: err.message }; }
  return undefined;
};

describe('queue attributes', () => {
  it('takes SQS\'s ranges, normalized', () => {
    expect(checkAttributes({ VisibilityTimeout: '0', DelaySeconds: '900', MessageRetentionPeriod: '60', MaximumMessageSize: '1024', ReceiveMessageWaitTimeSeconds: '20' }, ctx).values)
      .toEqual({ VisibilityTimeout: '0', DelaySeconds: '900', MessageRetentionPeriod: '60', MaximumMessageSize: '1024', ReceiveMessageWaitTimeSeconds: '20' });
    for (const [name, value] of [['VisibilityTimeout', '43201'], ['DelaySeconds', '-1'], ['MessageRetentionPeriod', '59'], ['MaximumMessageSize', '1048577'], ['ReceiveMessageWaitTimeSeconds', '1.5'], ['DelaySeconds', 'x']]) {
      expect(refusal(() => checkAttributes({ [name!]: value! }, ctx))).toEqual({ type: 'com.amazonaws.sqs#InvalidAttributeValue', message: `Invalid value for the parameter ${name}.` });
    }
  });

  it('refuses unknown and read-only names, and FIFO', () => {
    expect(refusal(() => checkAttributes({ Colour: 'red' }, ctx))).toEqual({ type: 'com.amazonaws.sqs#InvalidAttributeName', message: 'Unknown Attribute Colour.' });
    expect(refusal(() => checkAttributes({ QueueArn: 'x' }, ctx))?.message).toBe('Unknown Attribute QueueArn.');
    expect(refusal(() => checkAttributes({ ContentBasedDeduplication: 'true' }, ctx))?.message).toBe('Unknown Attribute ContentBasedDeduplication.');
    expect(refusal(() => checkAttributes({ FifoThroughputLimit: 'perQueue' }, ctx))?.message).toBe('You can specify the FifoThroughputLimit only when FifoQueue is set to true.');
    expect(refusal(() => checkAttributes({ FifoQueue: 'true' }, ctx))?.type).toBe('com.amazonaws.sqs#UnsupportedOperation');
    expect(refusal(() => checkQueueName('jobs.fifo'))?.type).toBe('com.amazonaws.sqs#UnsupportedOperation');
    expect(refusal(() => checkQueueName('a'.repeat(81)))?.message).toBe('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    expect(refusal(() => checkQueueName('ok_Name-1'))).toBeUndefined();
  });

  it('reads a redrive policy (maxReceiveCount 1..1000, a queue of this account and region); "" removes it', () => {
    expect(parseRedrivePolicy('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"5"}', ctx)).toEqual({ deadLetterQueue: 'dlq', maxReceiveCount: 5 });
    expect(checkAttributes({ RedrivePolicy: '' }, ctx)).toEqual({ values: { RedrivePolicy: '' }, redrive: null });
    expect(refusal(() => parseRedrivePolicy('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":0}', ctx))?.message)
      .toContain('Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.');
    expect(refusal(() => parseRedrivePolicy('{"maxReceiveCount":3}', ctx))?.message).toContain('deadLetterTargetArn');
    expect(refusal(() => parseRedrivePolicy('[1]', ctx))?.message).toContain('Redrive policy is not a valid JSON map.');
    expect(refusal(() => parseRedrivePolicy('{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq","maxReceiveCount":3}', ctx))).toBeDefined();
    expect(queueOfArn('arn:aws:sqs:us-east-1:111111111111:dlq', ctx)).toBeUndefined();
    const own = checkAttributes({ RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:jobs","maxReceiveCount":1}' }, ctx);
    expect(refusal(() => checkRedriveTarget('jobs', own, ctx))?.message).toContain('can not be the source queue.');
    expect(refusal(() => checkRedriveTarget('other', own, ctx))).toBeUndefined();
  });

  it('GetQueueAttributes names: All, or each a readable one', () => {
    expect(requestedAttributes(['All']).has('ApproximateNumberOfMessagesNotVisible')).toBe(true);
    expect([...requestedAttributes(['QueueArn', 'VisibilityTimeout'])]).toEqual(['QueueArn', 'VisibilityTimeout']);
    expect(refusal(() => requestedAttributes(['Nope']))?.message).toBe('Unknown Attribute Nope.');
  });
});

describe('queue URLs', () => {
  it('are the router\'s base URL, the account and the name; only the path is read back', () => {
    expect(queueUrl('http://127.0.0.1:9000/', '000000000000', 'jobs')).toBe('http://127.0.0.1:9000/000000000000/jobs');
    expect(queueOfUrl('http://127.0.0.1:9000/000000000000/jobs', ctx)).toBe('jobs');
    expect(queueOfUrl('https://sqs.us-east-1.amazonaws.com/000000000000/jobs', ctx)).toBe('jobs');
    expect(refusal(() => queueOfUrl('http://h/111111111111/jobs', ctx))?.type).toBe('com.amazonaws.sqs#QueueDoesNotExist');
    expect(refusal(() => queueOfUrl('not a url', ctx))?.type).toBe('com.amazonaws.sqs#InvalidAddress');
    expect(refusal(() => queueOfUrl('http://h/jobs', ctx))?.type).toBe('com.amazonaws.sqs#InvalidAddress');
  });
});
