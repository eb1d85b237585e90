import type { TopicSpec } from '../../src/api/topic.js';
import { mappingReferences, topicReferences } from '../../src/controller/reconcile/event-kinds.js';
import type { EventSourceMappingSpec } from '../../src/api/event-source-mapping.js';

const arn = { region: 'us-east-1', accountId: '000000000000' };
const topic = (endpoint: string) => ({ subscriptions: [{ protocol: 'lambda', endpoint }] }) as unknown as TopicSpec;

describe('the functions an event object refers to', () => {
  it('are named by name or by an ARN of the object\'s own region and account', () => {
    expect(topicReferences(topic('hello:live'), arn)).toEqual([{ kind: 'Function', name: 'hello' }]);
    expect(topicReferences(topic('arn:aws:lambda:us-east-1:000000000000:function:hello'), arn)).toEqual([{ kind: 'Function', name: 'hello' }]);
    expect(mappingReferences({ functionName: 'hello' } as EventSourceMappingSpec, arn)).toEqual([{ kind: 'Function', name: 'hello' }]);
  });
  it('never resolve another account\'s or region\'s ARN to the local function of that name', () => {
    expect(() => topicReferences(topic('arn:aws:lambda:us-east-1:999999999999:function:hello'), arn)).toThrow(expect.objectContaining({ awsType: 'AccessDeniedException' }));
    expect(() => topicReferences(topic('arn:aws:lambda:eu-west-1:000000000000:function:hello'), arn)).toThrow(expect.objectContaining({ awsType: 'ResourceNotFoundException' }));
  });
});
