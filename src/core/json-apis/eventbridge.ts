// EventBridge's operations on the router (X-Amz-Target AWSEvents.<name>) and the IAM action of each (pure).
import type { JsonApi } from '../json-targets.js';

export const EVENTBRIDGE: JsonApi = {
  prefix: 'AWSEvents',
  service: 'events',
  protocol: 'awsJson1_1',
  operations: {
    TestEventPattern: () => ({ action: 'events:TestEventPattern', resource: '*' }),
  },
};
