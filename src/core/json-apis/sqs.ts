// SQS's operations on the router (AWS JSON 1.0, X-Amz-Target AmazonSQS.<name>) and the IAM action of each (pure).
import type { JsonApi } from '../json-targets.js';

export const SQS: JsonApi = {
  prefix: 'AmazonSQS',
  service: 'sqs',
  protocol: 'awsJson1_0',
  operations: {},
};
