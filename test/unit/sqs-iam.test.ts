// The IAM action and resource of each SQS operation, and that the router serves exactly those operations.
import { SQS_OPERATIONS, sqsQueueResource } from '../../src/core/json-apis/sqs.js';
import { SQS } from '../../src/core/json-targets.js';
import { sqsApi } from '../../src/router/sqs/targets.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };

describe('SQS IAM actions', () => {
  it('names the queue by QueueUrl or QueueName; batches are their single operation\'s action', () => {
    expect(SQS_OPERATIONS.SendMessage(ctx, { QueueUrl: 'http://127.0.0.1:9000/000000000000/jobs' })).toEqual({ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:jobs', account: '000000000000' });
    expect(SQS_OPERATIONS.SendMessageBatch(ctx, { QueueUrl: 'http://h/000000000000/jobs' }).action).toBe('sqs:SendMessage');
    expect(SQS_OPERATIONS.DeleteMessageBatch(ctx, { QueueUrl: 'http://h/000000000000/jobs' }).action).toBe('sqs:DeleteMessage');
    expect(SQS_OPERATIONS.ChangeMessageVisibilityBatch(ctx, { QueueUrl: 'http://h/000000000000/jobs' }).action).toBe('sqs:ChangeMessageVisibility');
    expect(SQS_OPERATIONS.CreateQueue(ctx, { QueueName: 'new' })).toMatchObject({ action: 'sqs:CreateQueue', resource: 'arn:aws:sqs:us-east-1:000000000000:new' });
    expect(SQS_OPERATIONS.GetQueueUrl(ctx, { QueueName: 'q', QueueOwnerAWSAccountId: '111111111111' })).toMatchObject({ account: '111111111111' });
    expect(SQS_OPERATIONS.ListQueues()).toEqual({ action: 'sqs:ListQueues', resource: '*' });
  });

  it('without the input: every queue of the account, which only a policy on all queues allows', () => {
    expect(sqsQueueResource(ctx, undefined)).toEqual({ resource: 'arn:aws:sqs:us-east-1:000000000000:*' });
    expect(SQS.operations.ReceiveMessage!(ctx)).toEqual({ action: 'sqs:ReceiveMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:*' });
  });

  it('the router handles exactly the operations core gives an IAM action', () => {
    const api = sqsApi(() => { throw new Error('not called'); });
    expect(Object.keys(api.targets).sort()).toEqual(Object.keys(SQS.operations).sort());
  });
});
