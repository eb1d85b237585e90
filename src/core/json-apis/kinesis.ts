// Kinesis Data Streams' operations on the router (AWS JSON 1.1, X-Amz-Target Kinesis_20131202.<name>) and the IAM
// action of each (pure).
import type { JsonApi } from '../json-targets.js';

export const KINESIS: JsonApi = {
  prefix: 'Kinesis_20131202',
  service: 'kinesis',
  protocol: 'awsJson1_1',
  operations: {},
};
