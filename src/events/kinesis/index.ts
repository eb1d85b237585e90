// Kinesis-like streams: the store (routes in src/router/kinesis), and the poller of a mapping with a stream source.
export { ensureStream, KinesisStore, type StreamMeta, type StoredRecord, type KinesisStoreOptions } from './store.js';
export { KinesisPoller, DEFAULT_LEASE_MS, type KinesisPollerOptions } from './poller.js';
export type { KinesisFailureRecord, KinesisEventRecord } from './lambda-records.js';
export { streamArnOf } from './stream-arn.js';
export type { BatchOutcomeName } from './batch-runner.js';
