// Test helper: @aws-sdk/client-sns against the SNS API of startSnsRouter, and the SNS errors the SDK rejects with.
import { SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { startSnsRouter, type SnsRouter } from './memory-topics.js';
import { rejection } from './refusal.js';

/** The key of a router without SigV4 (any key goes). */
export const TEST_KEY = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A client to `url` in us-east-1 that does not retry, so each refusal is seen once. */
export const snsClient = (url: string, credentials = TEST_KEY) =>
  new SNSClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials });

export interface SnsFixture { router: SnsRouter; sns: SNSClient }

/** A router over a fresh in-memory backend that holds `topics` (by name), and a client to it. */
export async function startSns(topics: string[] = []): Promise<SnsFixture> {
  const router = await startSnsRouter();
  for (const name of topics) await router.backend.createTopic(name, {});
  return { router, sns: snsClient(router.url) };
}

export async function stopSns({ router, sns }: SnsFixture): Promise<void> {
  sns.destroy();
  await router.close();
}

/** The SNS error `p` rejects with. */
export const refusal = (p: Promise<unknown>): Promise<SNSServiceException> => rejection(p, SNSServiceException);
